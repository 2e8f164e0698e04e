# Rules ignored for a while, each with a reason and an expiry. The expiry is
# compared with input.context.now (RFC 3339), which the pipeline sets: there
# is no clock in policies, so a decision can be replayed. Without now, or
# after the expiry, the finding is reported again.
package scanmux

ignored_rules := {
	"G104": {"until": "2099-01-01T00:00:00Z", "reason": "unchecked errors are reported by errcheck"},
	"CKV_AWS_20": {"until": "2026-01-01T00:00:00Z", "reason": "public bucket of the old static site, removed in Q4 2025"},
}

# active_ignores maps the rules ignored now to the reason. It depends on the
# context only, so OPA and scanmux's cache compute it once.
active_ignores[id] := sprintf("rule %s ignored until %s: %s", [id, entry.until, entry.reason]) if {
	some id, entry in ignored_rules
	time.parse_rfc3339_ns(input.context.now) < time.parse_rfc3339_ns(entry.until)
}

suppress contains {"reason": active_ignores[input.finding.rule.id], "status": "accepted"}
