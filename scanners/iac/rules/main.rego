# Package scanmux.iac is the entry point of scanmux's built-in IaC rules:
# the scanner evaluates data.scanmux.iac.findings once per input.
#
# Inputs (built by the Go side, see scanners/iac):
#
#	{"kind": "dockerfile", "path": P, "document": {"stages": [...], "args": [...]}}
#	{"kind": "kubernetes", "path": P, "document": [object, ...]}
#	{"kind": "kubernetes-cluster", "document": {"objects": [summary, ...]}}
#	{"kind": "terraform", "path": P, "document": {"resource": {...}}, "module": {"resource": {...}}}
#
# Every rule yields objects {"id", "message", "line" | "pointer", "resource"}
# and optionally "path" (cluster rules) and "snippet" (a redacted line).
package scanmux.iac

findings contains f if {
	input.kind == "dockerfile"
	some f in data.scanmux.iac.docker.deny
}

findings contains f if {
	input.kind == "kubernetes"
	some f in data.scanmux.iac.kubernetes.deny
}

findings contains f if {
	input.kind == "kubernetes-cluster"
	some f in data.scanmux.iac.kubernetes.deny_cluster
}

findings contains f if {
	input.kind == "terraform"
	some f in data.scanmux.iac.terraform.deny
}
