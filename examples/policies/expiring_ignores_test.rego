package scanmux_test

import data.scanmux

rule(id) := {"rule": {"id": id}, "severity": "high", "location": {"path": "main.tf"}}

test_ignored_before_expiry if {
	scanmux.suppress == {{
		"reason": "rule CKV_AWS_20 ignored until 2026-01-01T00:00:00Z: public bucket of the old static site, removed in Q4 2025",
		"status": "accepted",
	}} with input as {"finding": rule("CKV_AWS_20"), "context": {"now": "2025-12-31T23:59:59Z"}}
}

test_reported_after_expiry if {
	count(scanmux.suppress) == 0 with input as {"finding": rule("CKV_AWS_20"), "context": {"now": "2026-01-01T00:00:00Z"}}
	count(scanmux.suppress) == 0 with input as {"finding": rule("CKV_AWS_20"), "context": {"now": "2026-08-01T10:00:00+02:00"}}
}

test_reported_without_now if {
	count(scanmux.suppress) == 0 with input as {"finding": rule("CKV_AWS_20"), "context": {}}
}

test_other_rules_reported if {
	count(scanmux.suppress) == 0 with input as {"finding": rule("G101"), "context": {"now": "2025-01-01T00:00:00Z"}}
}

test_far_expiry if {
	count(scanmux.suppress) == 1 with input as {"finding": rule("G104"), "context": {"now": "2030-01-01T00:00:00Z"}}
}
