# Package scanmux.iac.kubernetes checks Kubernetes manifests.
#
# For input.kind "kubernetes", input.document is the array of the objects of
# one file, in order; findings point at fields with a JSON pointer into that
# array ("/0/spec/template/spec/containers/0/image"). A pointer to a field
# that is not set is fine: the scanner reports the line of its nearest
# ancestor that is.
#
# For input.kind "kubernetes-cluster", input.document.objects summarizes
# every object of the scan: {"apiVersion", "kind", "metadata": {"name",
# "namespace"}, "path", "line"}, sorted by path and line.
package scanmux.iac.kubernetes

import data.scanmux.iac.lib

# workload_kinds are the kinds that run pods.
workload_kinds := {
	"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
	"ReplicationController", "Job", "CronJob",
}

namespace(obj) := object.get(obj, ["metadata", "namespace"], "default")

# resource names an object "Kind/namespace/name".
resource(obj) := sprintf("%s/%s/%s", [obj.kind, namespace(obj), object.get(obj, ["metadata", "name"], "")])

# pod_spec is [pointer, spec] of the pod template of a workload.
pod_spec(obj) := ["/spec", obj.spec] if obj.kind == "Pod"

pod_spec(obj) := ["/spec/template/spec", obj.spec.template.spec] if {
	obj.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}
}

pod_spec(obj) := ["/spec/jobTemplate/spec/template/spec", obj.spec.jobTemplate.spec.template.spec] if {
	obj.kind == "CronJob"
}

# pods are the pod specs of the file: {"object", "ptr", "spec"}.
pods contains {"object": obj, "ptr": sprintf("/%d%s", [i, p]), "spec": spec} if {
	some i, obj in input.document
	[p, spec] := pod_spec(obj)
	is_object(spec)
}

container_fields := ["initContainers", "containers", "ephemeralContainers"]

# containers are the containers of the file's pods: {"object", "pod",
# "field", "ptr", "c"}.
containers contains {"object": pod.object, "pod": pod, "field": field, "ptr": sprintf("%s/%s/%d", [pod.ptr, field, j]), "c": c} if {
	some pod in pods
	some field in container_fields
	some j, c in object.get(pod.spec, field, [])
	is_object(c)
}

# run_containers are the containers that run the workload's processes
# (ephemeral debug containers excluded).
run_containers contains ctr if {
	some ctr in containers
	ctr.field != "ephemeralContainers"
}

name(ctr) := object.get(ctr.c, "name", "")

# sc looks up a container securityContext field.
sc(ctr, field) := ctr.c.securityContext[field]

# sc_is is true when a container securityContext field has the value v.
# (Write "not sc_is(...)", never "not sc(...) == v": OPA evaluates the call
# outside the negation, so an unset field would make the rule undefined.)
sc_is(ctr, field, v) if ctr.c.securityContext[field] == v

# effective looks up a field of the container securityContext, falling back
# to the pod's: [pointer, value].
effective(ctr, field) := [sprintf("%s/securityContext/%s", [ctr.ptr, field]), v] if {
	v := ctr.c.securityContext[field]
} else := [sprintf("%s/securityContext/%s", [ctr.pod.ptr, field]), v] if {
	v := ctr.pod.spec.securityContext[field]
}

# METADATA
# title: Privileged container
# description: >-
#   The container runs privileged: it has every capability and every host
#   device, and AppArmor, SELinux and seccomp no longer confine it. Whoever
#   takes over the process owns the node.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#   description: Pod Security Standards, baseline profile
# custom:
#   id: SMX-K8S-001
#   name: K8sPrivilegedContainer
#   severity: high
#   precision: very-high
#   cwe: [250]
#   tags: [kubernetes, least-privilege]
#   help: >-
#     Remove securityContext.privileged: true. Grant only the capabilities
#     the process needs (securityContext.capabilities.add) or move the
#     privileged task out of the workload (a node agent, a device plugin).
deny contains f if {
	meta := rego.metadata.rule()
	some ctr in containers
	sc(ctr, "privileged") == true
	f := lib.result(meta, {
		"pointer": sprintf("%s/securityContext/privileged", [ctr.ptr]),
		"message": sprintf("Container %q of %s runs privileged.", [name(ctr), resource(ctr.object)]),
		"resource": resource(ctr.object),
	})
}

# METADATA
# title: Privilege escalation allowed
# description: >-
#   allowPrivilegeEscalation is true or not set, so a process in the
#   container can gain more privileges than its parent, through setuid
#   binaries or file capabilities. Kubernetes allows it by default.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#   description: Pod Security Standards, restricted profile
# custom:
#   id: SMX-K8S-002
#   name: K8sAllowPrivilegeEscalation
#   severity: medium
#   precision: high
#   cwe: [269]
#   tags: [kubernetes, least-privilege]
#   help: Set securityContext.allowPrivilegeEscalation to false in every container.
deny contains f if {
	meta := rego.metadata.rule()
	some ctr in run_containers
	not sc_is(ctr, "allowPrivilegeEscalation", false)
	how := escalation_state(ctr)
	f := lib.result(meta, {
		"pointer": sprintf("%s/securityContext/allowPrivilegeEscalation", [ctr.ptr]),
		"message": sprintf("Container %q of %s allows privilege escalation (allowPrivilegeEscalation %s).", [name(ctr), resource(ctr.object), how]),
		"resource": resource(ctr.object),
	})
}

escalation_state(ctr) := "is true" if sc(ctr, "allowPrivilegeEscalation") == true

escalation_state(ctr) := "is not set" if not has_sc(ctr, "allowPrivilegeEscalation")

escalation_state(ctr) := sprintf("is %v, not false", [v]) if {
	v := sc(ctr, "allowPrivilegeEscalation")
	not is_boolean(v)
}

has_sc(ctr, field) if _ = ctr.c.securityContext[field]

# METADATA
# title: Container may run as root
# description: >-
#   The container runs as UID 0, or nothing stops it from doing so:
#   runAsUser is not set to a non-zero UID and runAsNonRoot is not true, in
#   the container's securityContext or the pod's. Root in a container is
#   root on the node once a kernel or runtime bug lets the process out.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#   description: Pod Security Standards, restricted profile
# custom:
#   id: SMX-K8S-003
#   name: K8sRunAsRoot
#   severity: medium
#   precision: high
#   cwe: [250]
#   tags: [kubernetes, least-privilege]
#   help: >-
#     Set securityContext.runAsNonRoot: true and runAsUser to a non-zero UID
#     (for example 10001), on the pod or on each container, and build the
#     image to run as that user.
deny contains f if {
	meta := rego.metadata.rule()
	some v in root_containers
	f := lib.result(meta, v)
}

root_containers contains v if {
	some ctr in run_containers
	[ptr, uid] := effective(ctr, "runAsUser")
	uid == 0
	v := {
		"pointer": ptr,
		"message": sprintf("Container %q of %s runs as root (runAsUser: 0).", [name(ctr), resource(ctr.object)]),
		"resource": resource(ctr.object),
	}
}

root_containers contains v if {
	some ctr in run_containers
	not effective(ctr, "runAsUser")
	not non_root_enforced(ctr)
	v := {
		"pointer": sprintf("%s/securityContext/runAsNonRoot", [ctr.ptr]),
		"message": sprintf("Container %q of %s may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set.", [name(ctr), resource(ctr.object)]),
		"resource": resource(ctr.object),
	}
}

non_root_enforced(ctr) if {
	[_, v] := effective(ctr, "runAsNonRoot")
	v == true
}

host_namespace_fields := ["hostNetwork", "hostPID", "hostIPC"]

# METADATA
# title: Pod shares the host's namespaces
# description: >-
#   hostNetwork, hostPID or hostIPC is true: the pod sees and can reach the
#   node's network interfaces, processes or IPC objects, outside the
#   isolation a container normally gives.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#   description: Pod Security Standards, baseline profile
# custom:
#   id: SMX-K8S-004
#   name: K8sHostNamespace
#   severity: high
#   precision: very-high
#   cwe: [668]
#   tags: [kubernetes, isolation]
#   help: >-
#     Remove hostNetwork, hostPID and hostIPC (they default to false). Expose
#     ports with a Service, not the host's network.
deny contains f if {
	meta := rego.metadata.rule()
	some pod in pods
	some field in host_namespace_fields
	pod.spec[field] == true
	f := lib.result(meta, {
		"pointer": sprintf("%s/%s", [pod.ptr, field]),
		"message": sprintf("%s sets %s: true and shares the node's namespace.", [resource(pod.object), field]),
		"resource": resource(pod.object),
	})
}

# METADATA
# title: hostPath volume
# description: >-
#   The pod mounts a directory of the node (a hostPath volume). It can read,
#   and often write, the node's files: credentials, the container runtime's
#   socket, other pods' data.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
#   description: Kubernetes volumes, hostPath
# custom:
#   id: SMX-K8S-005
#   name: K8sHostPathVolume
#   severity: medium
#   precision: very-high
#   cwe: [668]
#   tags: [kubernetes, isolation]
#   help: >-
#     Use a persistentVolumeClaim, configMap, secret or emptyDir volume
#     instead. If the pod really needs a node path, mount it readOnly and
#     restrict the pod with a dedicated namespace and admission policy.
deny contains f if {
	meta := rego.metadata.rule()
	some pod in pods
	some j, vol in object.get(pod.spec, "volumes", [])
	hp := vol.hostPath
	f := lib.result(meta, {
		"pointer": sprintf("%s/volumes/%d/hostPath", [pod.ptr, j]),
		"message": sprintf("%s mounts the node's %s (hostPath volume %q).", [resource(pod.object), object.get(hp, "path", "?"), object.get(vol, "name", "")]),
		"resource": resource(pod.object),
	})
}

# METADATA
# title: Container without resource limits
# description: >-
#   The container sets no CPU or no memory limit. One runaway or attacked
#   pod can then starve every other workload on its node.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#   description: Resource management for pods and containers
# custom:
#   id: SMX-K8S-006
#   name: K8sMissingResourceLimits
#   severity: medium
#   precision: very-high
#   cwe: [770]
#   tags: [kubernetes, availability]
#   help: >-
#     Set resources.limits.cpu and resources.limits.memory (and matching
#     requests) on every container, or give the namespace a LimitRange with
#     defaults.
deny contains f if {
	meta := rego.metadata.rule()
	some ctr in run_containers
	missing := [r | some r in ["cpu", "memory"]; not has_limit(ctr, r)]
	count(missing) > 0
	f := lib.result(meta, {
		"pointer": sprintf("%s/resources/limits", [ctr.ptr]),
		"message": sprintf("Container %q of %s has no %s limit.", [name(ctr), resource(ctr.object), concat(" or ", missing)]),
		"resource": resource(ctr.object),
	})
}

has_limit(ctr, r) if ctr.c.resources.limits[r] != null

# METADATA
# title: Container image not pinned to a version
# description: >-
#   The container image has the latest tag or no tag. Which code runs then
#   depends on when each node pulled the image: rollouts are not
#   reproducible and rollbacks do not roll back.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/containers/images/#image-names
#   description: Kubernetes images, image names
# custom:
#   id: SMX-K8S-007
#   name: K8sImageNotPinned
#   severity: low
#   precision: very-high
#   cwe: [1357]
#   tags: [kubernetes, supply-chain]
#   help: Use an explicit version tag, or better a digest (image@sha256:...).
deny contains f if {
	meta := rego.metadata.rule()
	some ctr in containers
	img := ctr.c.image
	is_string(img)
	not contains(img, "$")
	not contains(img, "{{")
	reason := lib.image_unpinned_reason(img)
	f := lib.result(meta, {
		"pointer": sprintf("%s/image", [ctr.ptr]),
		"message": sprintf("Container %q of %s uses image %q with %s.", [name(ctr), resource(ctr.object), img, reason]),
		"resource": resource(ctr.object),
	})
}

# METADATA
# title: Dangerous capability added
# description: >-
#   The container adds a Linux capability that is as good as root on the
#   node (SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE, ALL ...).
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#   description: Pod Security Standards, baseline profile
# custom:
#   id: SMX-K8S-008
#   name: K8sDangerousCapability
#   severity: high
#   precision: very-high
#   cwe: [250]
#   tags: [kubernetes, least-privilege]
#   help: >-
#     Drop ALL capabilities (securityContext.capabilities.drop: [ALL]) and
#     add back only narrow ones the process needs, such as NET_BIND_SERVICE.
deny contains f if {
	meta := rego.metadata.rule()
	some ctr in containers
	some k, cap in ctr.c.securityContext.capabilities.add
	is_string(cap)
	lib.capability(cap) in lib.dangerous_capabilities
	f := lib.result(meta, {
		"pointer": sprintf("%s/securityContext/capabilities/add/%d", [ctr.ptr, k]),
		"message": sprintf("Container %q of %s adds capability %s.", [name(ctr), resource(ctr.object), lib.capability(cap)]),
		"resource": resource(ctr.object),
	})
}

# METADATA
# title: Writable root filesystem
# description: >-
#   readOnlyRootFilesystem is not true, so a compromised process can change
#   the container's binaries and configuration, or drop its own tools.
# related_resources:
# - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#   description: Configure a security context for a pod or container
# custom:
#   id: SMX-K8S-009
#   name: K8sWritableRootFilesystem
#   severity: low
#   precision: high
#   tags: [kubernetes, hardening]
#   help: >-
#     Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir
#     volume where the process needs to write (/tmp, caches).
deny contains f if {
	meta := rego.metadata.rule()
	some ctr in run_containers
	not sc_is(ctr, "readOnlyRootFilesystem", true)
	f := lib.result(meta, {
		"pointer": sprintf("%s/securityContext/readOnlyRootFilesystem", [ctr.ptr]),
		"message": sprintf("Container %q of %s has a writable root filesystem.", [name(ctr), resource(ctr.object)]),
		"resource": resource(ctr.object),
	})
}

# network_policy_kinds are the kinds that restrict the traffic of their
# namespace; cluster_network_policy_kinds restrict every namespace's.
network_policy_kinds := {"NetworkPolicy", "CiliumNetworkPolicy"}

cluster_network_policy_kinds := {"CiliumClusterwideNetworkPolicy", "GlobalNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"}

cluster_objects := input.document.objects

covered_namespaces := {namespace(o) | some o in cluster_objects; o.kind in network_policy_kinds}

cluster_wide_policy if {
	some o in cluster_objects
	o.kind in cluster_network_policy_kinds
}

# METADATA
# title: Namespace without a NetworkPolicy
# description: >-
#   Workloads run in a namespace that no NetworkPolicy among the scanned
#   manifests selects. Kubernetes then lets every pod talk to every other
#   pod in the cluster: one compromised pod reaches them all.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/
#   description: Kubernetes network policies
# custom:
#   id: SMX-K8S-010
#   name: K8sNamespaceWithoutNetworkPolicy
#   severity: medium
#   precision: medium
#   tags: [kubernetes, network]
#   help: >-
#     Add a default-deny NetworkPolicy to the namespace (podSelector: {},
#     policyTypes: [Ingress, Egress]) and NetworkPolicies that allow only the
#     traffic each workload needs.
deny_cluster contains f if {
	meta := rego.metadata.rule()
	not cluster_wide_policy
	uncovered := {namespace(o) | some o in cluster_objects; o.kind in workload_kinds} - covered_namespaces
	some ns in uncovered
	workloads := [o | some o in cluster_objects; o.kind in workload_kinds; namespace(o) == ns]
	first := workloads[0]
	f := lib.result(meta, {
		"path": first.path,
		"line": first.line,
		"message": sprintf("Namespace %q runs %d workload(s) but no NetworkPolicy applies to it.", [ns, count(workloads)]),
		"resource": resource(first),
	})
}
