# Conftest policy for the sample tree's Kubernetes manifests: several deny
# rules fire on the same resource (iac/k8s/*.yaml), each with its own message.
package main

import rego.v1

pod_spec := input.spec.template.spec if input.kind == "Deployment"

pod_spec := input.spec if input.kind == "Pod"

deny contains msg if {
	pod_spec.hostNetwork
	msg := sprintf("%s %s uses the host network", [input.kind, input.metadata.name])
}

deny contains msg if {
	some c in pod_spec.containers
	c.securityContext.privileged
	msg := sprintf("%s %s: container %s is privileged", [input.kind, input.metadata.name, c.name])
}

deny contains msg if {
	some c in pod_spec.containers
	not c.resources.limits
	msg := sprintf("%s %s: container %s has no resource limits", [input.kind, input.metadata.name, c.name])
}

warn contains msg if {
	some c in pod_spec.containers
	endswith(c.image, ":latest")
	msg := sprintf("%s %s: container %s uses the latest tag", [input.kind, input.metadata.name, c.name])
}

warn contains msg if {
	pod_spec.hostPID
	msg := sprintf("%s %s shares the host PID namespace", [input.kind, input.metadata.name])
}
