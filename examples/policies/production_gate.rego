# Nothing critical ships to production from main: a critical finding that is
# not suppressed fails the pipeline, unless an outage is declared (then the
# fix for the outage must not wait for the fix of the finding).
package scanmux

deny contains msg if {
	input.context.environment == "production"
	input.context.branch == "main"
	not input.context.outage
	input.finding.severity == "critical"
	not input.finding.suppressed
	count(suppress) == 0
	msg := sprintf("critical finding %s (%s) in %s blocks the production deploy of main", [
		input.finding.rule.id, input.finding.tool.name, input.finding.location.path,
	])
}
