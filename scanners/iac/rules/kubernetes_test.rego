package scanmux.iac.kubernetes_test

import data.scanmux.iac.kubernetes

ids(fs) := {f.id | some f in fs}

deployment(container) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {"template": {"spec": {"containers": [container]}}},
}

hardened := {
	"name": "app",
	"image": "registry.example.com/app:1.4.2",
	"resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
	"securityContext": {
		"allowPrivilegeEscalation": false,
		"runAsNonRoot": true,
		"readOnlyRootFilesystem": true,
		"capabilities": {"drop": ["ALL"]},
	},
}

test_hardened_container_passes if {
	fs := kubernetes.deny with input as {"kind": "kubernetes", "document": [deployment(hardened)]}
	count(fs) == 0
}

test_read_only_root_filesystem_unset if {
	c := json.remove(hardened, ["securityContext/readOnlyRootFilesystem"])
	fs := kubernetes.deny with input as {"kind": "kubernetes", "document": [deployment(c)]}
	print(fs)
	ids(fs) == {"SMX-K8S-009"}
}
