# Policies for the conftest adapter's tests.
package main

import rego.v1

containers contains c if {
	input.kind == "Pod"
	some c in input.spec.containers
}

containers contains c if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
}

# A failure with metadata: conftest copies "details" into the result.
deny_privileged contains result if {
	some c in containers
	c.securityContext.privileged
	result := {
		"msg": sprintf("%s %s: container %s is privileged", [input.kind, input.metadata.name, c.name]),
		"details": {"id": "K8S-001", "severity": "critical", "container": c.name},
	}
}

deny_latest_tag contains msg if {
	some c in containers
	endswith(c.image, ":latest")
	msg := sprintf("%s %s: container %s uses the latest tag", [input.kind, input.metadata.name, c.name])
}

# Warnings.
warn contains msg if {
	some c in containers
	not c.resources.limits
	msg := sprintf("%s %s: container %s has no resource limits", [input.kind, input.metadata.name, c.name])
}

warn contains msg if {
	some c in containers
	not c.readinessProbe
	msg := sprintf("%s %s: container %s has no readiness probe", [input.kind, input.metadata.name, c.name])
}

# The debug pod may use the latest tag: its deny_latest_tag failures
# become exceptions.
exception contains rules if {
	input.metadata.name == "debug-shell"
	rules := ["latest_tag"]
}
