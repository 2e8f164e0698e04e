package scanmux_test

import data.scanmux

critical := {
	"tool": {"name": "gitleaks"},
	"rule": {"id": "aws-access-token"},
	"category": "secret",
	"severity": "critical",
	"suppressed": false,
	"location": {"path": "deploy/config.yaml"},
}

prod := {"environment": "production", "branch": "main"}

test_critical_on_main_in_production_denied if {
	scanmux.deny == {"critical gitleaks finding aws-access-token blocks the production deploy of main"} with input as {"finding": critical, "context": prod}
}

test_outage_allows if {
	count(scanmux.deny) == 0 with input as {"finding": critical, "context": object.union(prod, {"outage": true})}
	count(scanmux.deny) == 1 with input as {"finding": critical, "context": object.union(prod, {"outage": false})}
}

test_other_branch_or_environment_allowed if {
	count(scanmux.deny) == 0 with input as {"finding": critical, "context": object.union(prod, {"branch": "feature/x"})}
	count(scanmux.deny) == 0 with input as {"finding": critical, "context": object.union(prod, {"environment": "staging"})}
	count(scanmux.deny) == 0 with input as {"finding": critical, "context": {}}
}

test_high_allowed if {
	count(scanmux.deny) == 0 with input as {"finding": object.union(critical, {"severity": "high"}), "context": prod}
}

test_suppressed_allowed if {
	count(scanmux.deny) == 0 with input as {"finding": object.union(critical, {"suppressed": true}), "context": prod}
}

test_actively_ignored_rule_allowed if {
	ignored := object.union(critical, {"rule": {"id": "CKV_AWS_20"}})
	count(scanmux.deny) == 0 with input as {"finding": ignored, "context": object.union(prod, {"now": "2025-06-01T00:00:00Z"})}
	count(scanmux.deny) == 1 with input as {"finding": ignored, "context": object.union(prod, {"now": "2026-06-01T00:00:00Z"})}
}
