package scanmux_test

import data.scanmux

dep(ids) := {
	"category": "dependency",
	"severity": "medium",
	"vulnIds": ids,
	"location": {"path": "go.mod", "package": {"name": "golang.org/x/net", "version": "0.1.0", "ecosystem": "Go"}},
}

ctx := {"new_vulnerabilities": ["GO-2026-0001", "CVE-2026-1111"]}

test_new_vulnerability_raised if {
	scanmux.severity == "critical" with input as {"finding": dep(["GHSA-aaaa-bbbb-cccc", "CVE-2026-1111"]), "context": ctx}
	scanmux.severity_reason == "newly published: CVE-2026-1111" with input as {"finding": dep(["CVE-2026-1111"]), "context": ctx}
}

test_reason_lists_every_new_id if {
	scanmux.severity_reason == "newly published: CVE-2026-1111, GO-2026-0001" with input as {
		"finding": dep(["GO-2026-0001", "CVE-2026-1111"]),
		"context": ctx,
	}
}

test_old_vulnerability_unchanged if {
	not scanmux.severity with input as {"finding": dep(["CVE-2020-0001"]), "context": ctx}
}

test_no_context_unchanged if {
	not scanmux.severity with input as {"finding": dep(["CVE-2026-1111"]), "context": {}}
}

test_sast_with_same_id_unchanged if {
	not scanmux.severity with input as {
		"finding": {"category": "sast", "vulnIds": ["CVE-2026-1111"], "severity": "medium"},
		"context": ctx,
	}
}
