# A vulnerable dependency whose advisory was published in the last few days
# (the pipeline passes their ids in input.context.new_vulnerabilities) is
# raised to critical: fresh advisories are the ones being exploited.
package scanmux

new_vulnerability_ids contains id if {
	input.finding.category in {"dependency", "container"}
	some id in input.finding.vulnIds
	id in input.context.new_vulnerabilities
}

severity := "critical" if count(new_vulnerability_ids) > 0

severity_reason := sprintf("newly published: %s", [concat(", ", sort(new_vulnerability_ids))]) if {
	count(new_vulnerability_ids) > 0
}
