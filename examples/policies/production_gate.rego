# Nothing critical ships to production from main: a critical finding that is
# not suppressed (inline, by an ignore file, or by an active entry of
# expiring_ignores.rego) fails the pipeline, unless an outage is declared
# (then the fix for the outage must not wait for the fix of the finding).
package scanmux

deny contains msg if {
	input.context.environment == "production"
	input.context.branch == "main"
	not input.context.outage
	input.finding.severity == "critical"
	not input.finding.suppressed
	not active_ignores[input.finding.rule.id]
	msg := sprintf("critical %s finding %s blocks the production deploy of main", [
		input.finding.tool.name, input.finding.rule.id,
	])
}
