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

kube(objects) := {"kind": "kubernetes", "path": "k8s.yaml", "document": objects}

pointers(fs, id) := {f.pointer | some f in fs; f.id == id}

with_sc(extra) := object.union(hardened, {"securityContext": extra})

test_privileged if {
	fs := kubernetes.deny with input as kube([deployment(with_sc({"privileged": true}))])
	pointers(fs, "SMX-K8S-001") == {"/0/spec/template/spec/containers/0/securityContext/privileged"}
}

test_privilege_escalation_true_or_unset if {
	fs1 := kubernetes.deny with input as kube([deployment(with_sc({"allowPrivilegeEscalation": true}))])
	pointers(fs1, "SMX-K8S-002") == {"/0/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation"}
	c := json.remove(hardened, ["securityContext/allowPrivilegeEscalation"])
	fs2 := kubernetes.deny with input as kube([deployment(c)])
	ids(fs2) == {"SMX-K8S-002"}
}

test_run_as_user_zero_in_container if {
	fs := kubernetes.deny with input as kube([deployment(with_sc({"runAsUser": 0}))])
	pointers(fs, "SMX-K8S-003") == {"/0/spec/template/spec/containers/0/securityContext/runAsUser"}
}

test_run_as_user_zero_in_pod if {
	c := json.remove(hardened, ["securityContext/runAsNonRoot"])
	d := json.patch(deployment(c), [{"op": "add", "path": "/spec/template/spec/securityContext", "value": {"runAsUser": 0}}])
	fs := kubernetes.deny with input as kube([d])
	pointers(fs, "SMX-K8S-003") == {"/0/spec/template/spec/securityContext/runAsUser"}
}

test_container_overrides_pod_user if {
	d := json.patch(deployment(with_sc({"runAsUser": 1000})), [{"op": "add", "path": "/spec/template/spec/securityContext", "value": {"runAsUser": 0}}])
	fs := kubernetes.deny with input as kube([d])
	not "SMX-K8S-003" in ids(fs)
}

test_run_as_non_root_missing if {
	c := json.remove(hardened, ["securityContext/runAsNonRoot"])
	fs := kubernetes.deny with input as kube([deployment(c)])
	pointers(fs, "SMX-K8S-003") == {"/0/spec/template/spec/containers/0/securityContext/runAsNonRoot"}
}

test_non_root_uid_without_run_as_non_root if {
	c := json.patch(hardened, [{"op": "replace", "path": "/securityContext", "value": {
		"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsUser": 10001,
	}}])
	fs := kubernetes.deny with input as kube([deployment(c)])
	count(fs) == 0
}

test_pod_level_run_as_non_root if {
	c := json.remove(hardened, ["securityContext/runAsNonRoot"])
	d := json.patch(deployment(c), [{"op": "add", "path": "/spec/template/spec/securityContext", "value": {"runAsNonRoot": true}}])
	fs := kubernetes.deny with input as kube([d])
	count(fs) == 0
}

test_host_namespaces if {
	pod := {
		"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
		"spec": {"hostNetwork": true, "hostPID": true, "hostIPC": false, "containers": [hardened]},
	}
	fs := kubernetes.deny with input as kube([pod])
	pointers(fs, "SMX-K8S-004") == {"/0/spec/hostNetwork", "/0/spec/hostPID"}
	some f in fs
	f.resource == "Pod/default/p"
}

test_host_path_volume if {
	d := json.patch(deployment(hardened), [{"op": "add", "path": "/spec/template/spec/volumes", "value": [
		{"name": "cache", "emptyDir": {}},
		{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}},
	]}])
	fs := kubernetes.deny with input as kube([d])
	pointers(fs, "SMX-K8S-005") == {"/0/spec/template/spec/volumes/1/hostPath"}
}

test_missing_limits if {
	c := json.patch(hardened, [{"op": "replace", "path": "/resources", "value": {"limits": {"cpu": "1"}, "requests": {"memory": "1Gi"}}}])
	fs := kubernetes.deny with input as kube([deployment(c)])
	pointers(fs, "SMX-K8S-006") == {"/0/spec/template/spec/containers/0/resources/limits"}
	some f in fs
	contains(f.message, "no memory limit")
}

test_init_containers_are_checked if {
	d := json.patch(deployment(hardened), [{"op": "add", "path": "/spec/template/spec/initContainers", "value": [
		json.remove(hardened, ["resources"]),
	]}])
	fs := kubernetes.deny with input as kube([d])
	pointers(fs, "SMX-K8S-006") == {"/0/spec/template/spec/initContainers/0/resources/limits"}
}

test_unpinned_images if {
	fs := kubernetes.deny with input as kube([
		deployment(object.union(hardened, {"image": "nginx"})),
		deployment(object.union(hardened, {"image": "nginx:latest"})),
		deployment(object.union(hardened, {"image": "nginx@sha256:0123"})),
	])
	pointers(fs, "SMX-K8S-007") == {"/0/spec/template/spec/containers/0/image", "/1/spec/template/spec/containers/0/image"}
}

test_dangerous_capabilities if {
	fs := kubernetes.deny with input as kube([deployment(with_sc({"capabilities": {"add": ["NET_BIND_SERVICE", "CAP_SYS_ADMIN", "NET_ADMIN"]}}))])
	pointers(fs, "SMX-K8S-008") == {
		"/0/spec/template/spec/containers/0/securityContext/capabilities/add/1",
		"/0/spec/template/spec/containers/0/securityContext/capabilities/add/2",
	}
}

test_cronjob_pod_template if {
	cj := {
		"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": "ops"},
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [with_sc({"privileged": true})]}}}}},
	}
	fs := kubernetes.deny with input as kube([cj])
	pointers(fs, "SMX-K8S-001") == {"/0/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged"}
	some f in fs
	f.resource == "CronJob/ops/nightly"
}

test_non_workloads_are_ignored if {
	fs := kubernetes.deny with input as kube([{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}])
	count(fs) == 0
}

summary(kind, ns, name, path, line) := {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": ns}, "path": path, "line": line}

cluster(objects) := {"kind": "kubernetes-cluster", "document": {"objects": objects}}

test_namespace_without_network_policy if {
	fs := kubernetes.deny_cluster with input as cluster([
		summary("Deployment", "shop", "web", "a.yaml", 1),
		summary("Service", "shop", "web", "a.yaml", 30),
		summary("StatefulSet", "shop", "db", "b.yaml", 1),
		summary("Deployment", "ops", "agent", "c.yaml", 5),
		summary("NetworkPolicy", "ops", "default-deny", "c.yaml", 40),
	])
	count(fs) == 1
	some f in fs
	f.id == "SMX-K8S-010"
	f.path == "a.yaml"
	f.line == 1
	f.resource == "Deployment/shop/web"
	contains(f.message, "2 workload(s)")
}

test_default_namespace if {
	fs := kubernetes.deny_cluster with input as cluster([
		{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "path": "p.yaml", "line": 3},
		summary("NetworkPolicy", "default", "deny", "np.yaml", 1),
	])
	count(fs) == 0
}

test_cluster_wide_policy_covers_all if {
	fs := kubernetes.deny_cluster with input as cluster([
		summary("Deployment", "shop", "web", "a.yaml", 1),
		summary("GlobalNetworkPolicy", "", "deny-all", "gnp.yaml", 1),
	])
	count(fs) == 0
}
