# Package scanmux.iac.docker checks Dockerfiles.
#
# input.document is {"stages": [stage], "args": [instruction]} where a stage
# is {"index", "name", "image", "image_raw", "platform", "line",
# "instructions": [instruction]} (its FROM first) and an instruction is
# {"cmd" (upper case), "value" (continuations joined), "flags", "args",
# "json" (exec form), "line", "end_line", "pairs" (ENV, ARG, LABEL)}.
# image has the global ARG defaults substituted.
package scanmux.iac.docker

import data.scanmux.iac.lib

stages := input.document.stages

# stage_resource names a stage for findings: "stage N (name): image".
stage_resource(stage) := sprintf("stage %d (%s): %s", [stage.index, stage.name, stage.image]) if {
	stage.name != ""
} else := sprintf("stage %d: %s", [stage.index, stage.image])

# parent[i] is the index of the earlier stage that stage i is built FROM.
parent[stage.index] := max(ps) if {
	some stage in stages
	ps := {p.index |
		some p in stages
		p.index < stage.index
		p.name != ""
		lower(p.name) == lower(stage.image)
	}
	count(ps) > 0
}

# external is true for a stage built from an image (not scratch, not an
# earlier stage, no unresolved variable).
external(stage) if {
	not parent[stage.index]
	lower(stage.image) != "scratch"
	not contains(stage.image, "$")
}

# METADATA
# title: Base image not pinned to a version
# description: >-
#   A FROM instruction uses an image with the latest tag or no tag (which
#   means latest). The build then depends on whatever the registry serves
#   that day: builds are not reproducible, and a compromised or broken
#   upstream image flows straight into the product.
# related_resources:
# - ref: https://docs.docker.com/build/building/best-practices/#pin-base-image-versions
#   description: Docker best practices, pin base image versions
# custom:
#   id: SMX-DOCKER-001
#   name: DockerBaseImageNotPinned
#   severity: medium
#   precision: very-high
#   cwe: [1357]
#   tags: [dockerfile, supply-chain]
#   help: >-
#     Pin the base image to a specific version tag (golang:1.22.5-bookworm),
#     or better to a digest (golang:1.22.5@sha256:...), and update it
#     deliberately, for example with Dependabot or Renovate.
deny contains f if {
	meta := rego.metadata.rule()
	some stage in stages
	external(stage)
	reason := lib.image_unpinned_reason(stage.image)
	f := lib.result(meta, {
		"line": stage.line,
		"message": sprintf("Base image %q of stage %d has %s: pin it to a version or digest.", [stage.image, stage.index, reason]),
		"resource": stage_resource(stage),
	})
}

final := stages[count(stages) - 1]

# ancestry is the final stage and the earlier stages it is built from.
ancestry := graph.reachable({i: {p | p := parent[i]} | some s in stages; i := s.index}, {final.index})

# user_stage is the nearest stage of the final stage's ancestry with a USER
# instruction: the one whose USER the final stage runs with.
user_stages := {i | some i in ancestry; some ins in stages[i].instructions; ins.cmd == "USER"}

user_stage := max(user_stages) if count(user_stages) > 0

user_instructions := [ins | some ins in stages[user_stage].instructions; ins.cmd == "USER"]

last_user := user_instructions[count(user_instructions) - 1]

root_users := {"root", "0"}

# base_non_root is true for base images documented to run as a non-root
# user, such as distroless :nonroot.
base_non_root(img) if {
	tag := lower(lib.image_tag(img))
	some w in ["nonroot", "non-root", "rootless"]
	contains(tag, w)
}

base_image := stages[min(ancestry)].image

# METADATA
# title: Container runs as root
# description: >-
#   The final stage of the Dockerfile has no USER instruction, or its last
#   USER is root, so the container's processes run as root. A process
#   compromised inside the container then has root's power over its files
#   and a much easier path out of the container.
# related_resources:
# - ref: https://docs.docker.com/reference/dockerfile/#user
#   description: Dockerfile reference, USER
# custom:
#   id: SMX-DOCKER-002
#   name: DockerRunsAsRoot
#   severity: medium
#   precision: high
#   cwe: [250]
#   tags: [dockerfile, least-privilege]
#   help: >-
#     Create an unprivileged user and switch to it at the end of the final
#     stage (RUN useradd -r -u 10001 app, then USER 10001), or build FROM a
#     base image that already runs as non-root (distroless :nonroot).
deny contains f if {
	meta := rego.metadata.rule()
	some v in root_user
	f := lib.result(meta, v)
}

root_user contains v if {
	count(stages) > 0
	not user_stage
	not base_non_root(base_image)
	v := {
		"line": final.line,
		"message": sprintf("The final stage (%s) has no USER instruction, so the container runs as root.", [stage_resource(final)]),
		"resource": stage_resource(final),
	}
}

root_user contains v if {
	user := split(trim_space(last_user.value), ":")[0]
	user in root_users
	v := {
		"line": last_user.line,
		"message": sprintf("The final stage (%s) sets USER %s, so the container runs as root.", [stage_resource(final), user]),
		"resource": stage_resource(final),
	}
}

# add_sources are the sources of an ADD instruction (all arguments but the
# destination).
add_sources(ins) := array.slice(ins.args, 0, count(ins.args) - 1)

remote(src) if regex.match(`^(?i)(https?|ftp)://`, src)

remote(src) if regex.match(`^(git@|ssh://|git://)`, src)

has_flag(ins, name) if {
	some fl in ins.flags
	startswith(fl, sprintf("--%s", [name]))
}

# METADATA
# title: ADD downloads a remote file without a checksum
# description: >-
#   ADD fetches a URL at build time without checking what it got. A
#   compromised or hijacked server, or an attacker in the middle, can slip
#   anything into the image.
# related_resources:
# - ref: https://docs.docker.com/reference/dockerfile/#add---checksum
#   description: Dockerfile reference, ADD --checksum
# custom:
#   id: SMX-DOCKER-003
#   name: DockerAddRemoteWithoutChecksum
#   severity: medium
#   precision: high
#   cwe: [494]
#   tags: [dockerfile, supply-chain]
#   help: >-
#     Add --checksum=sha256:... to the ADD instruction, or download with
#     curl/wget in a RUN instruction and verify the file's checksum or
#     signature before using it.
deny contains f if {
	meta := rego.metadata.rule()
	some stage in stages
	some ins in stage.instructions
	ins.cmd == "ADD"
	not has_flag(ins, "checksum")
	some src in add_sources(ins)
	remote(src)
	f := lib.result(meta, {
		"line": ins.line,
		"message": sprintf("ADD downloads %s without verifying a checksum.", [src]),
		"resource": stage_resource(stage),
	})
}

archive(src) if regex.match(`(?i)\.(tar|tgz|tbz2?|txz|tzst|tar\.(gz|bz2|xz|zst|lz4)|gz|bz2|xz)$`, src)

# METADATA
# title: ADD used where COPY suffices
# description: >-
#   ADD copies local files like COPY does, but also unpacks archives and
#   fetches URLs. Using it for plain files hides that behaviour where no one
#   expects it: a file that happens to be a tar archive is unpacked into the
#   image.
# related_resources:
# - ref: https://docs.docker.com/build/building/best-practices/#add-or-copy
#   description: Docker best practices, ADD or COPY
# custom:
#   id: SMX-DOCKER-004
#   name: DockerAddInsteadOfCopy
#   severity: low
#   precision: high
#   tags: [dockerfile]
#   help: >-
#     Use COPY for local files and directories. Keep ADD for unpacking a
#     local tar archive into the image on purpose.
deny contains f if {
	meta := rego.metadata.rule()
	some stage in stages
	some ins in stage.instructions
	ins.cmd == "ADD"
	count(ins.args) >= 2
	srcs := add_sources(ins)
	not any_remote(srcs)
	not any_archive(srcs)
	f := lib.result(meta, {
		"line": ins.line,
		"message": sprintf("ADD %s copies local files: use COPY.", [concat(" ", srcs)]),
		"resource": stage_resource(stage),
	})
}

any_remote(srcs) if {
	some s in srcs
	remote(s)
}

any_archive(srcs) if {
	some s in srcs
	archive(s)
}

# all_instructions are the global instructions (before the first FROM) and
# every stage's, with the stage they belong to (null for global ones).
all_instructions contains [null, ins] if some ins in input.document.args

all_instructions contains [stage, ins] if {
	some stage in stages
	some ins in stage.instructions
}

# METADATA
# title: Secret in an ENV or ARG variable
# description: >-
#   An ENV or ARG variable is named like a secret (PASSWORD, SECRET, TOKEN,
#   KEY ...). ENV values are stored in the image configuration and ARG
#   values in the image history, where anyone who can pull the image reads
#   them; a default value written in the Dockerfile is a hard-coded
#   credential in the repository as well.
# related_resources:
# - ref: https://docs.docker.com/build/building/secrets/
#   description: Docker build secrets
# custom:
#   id: SMX-DOCKER-005
#   name: DockerSecretInEnvOrArg
#   severity: high
#   precision: medium
#   cwe: [798]
#   tags: [dockerfile, secrets]
#   help: >-
#     Remove the variable. Pass secrets to the build with RUN
#     --mount=type=secret (docker build --secret), and to the running
#     container at run time from a secret store or orchestrator secret,
#     never through ENV or ARG. Rotate any credential already committed.
deny contains f if {
	meta := rego.metadata.rule()
	some [stage, ins] in all_instructions
	ins.cmd in {"ENV", "ARG"}
	some pair in ins.pairs
	lib.secret_name(pair.key)
	f := lib.result(meta, {
		"line": ins.line,
		"message": sprintf("%s %s looks like a secret: it is stored in the image for anyone who can pull it.", [ins.cmd, pair.key]),
		"resource": instruction_resource(stage),
		"snippet": redacted(ins.cmd, pair),
	})
}

instruction_resource(stage) := "global" if stage == null

instruction_resource(stage) := stage_resource(stage) if stage != null

redacted(cmd, pair) := sprintf("%s %s", [cmd, pair.key]) if pair.value == null

redacted(cmd, pair) := sprintf("%s %s=<redacted>", [cmd, pair.key]) if pair.value != null

# pipe_to_shell matches a download piped into, or substituted into, a shell.
pipe_to_shell := [
	`(?i)\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+(-\S+\s+)*)?(env\s+)?(\S*/)?(ba|da|z|k|fi|a)?sh\b`,
	"(?i)\\b(ba|da|z|k)?sh\\s+(-\\S+\\s+)*[\"']?(\\$\\(|<\\(|`)\\s*(curl|wget)\\b",
]

# METADATA
# title: Remote script piped into a shell
# description: >-
#   A RUN instruction downloads a script with curl or wget and runs it
#   directly in a shell. Nothing checks what was downloaded: whoever
#   controls the server, or the network path, controls the build.
# related_resources:
# - ref: https://docs.docker.com/reference/dockerfile/#run
#   description: Dockerfile reference, RUN
# custom:
#   id: SMX-DOCKER-006
#   name: DockerCurlPipeShell
#   severity: medium
#   precision: high
#   cwe: [494]
#   tags: [dockerfile, supply-chain]
#   help: >-
#     Download the script to a file, verify its checksum or signature
#     (echo "<sha256>  install.sh" | sha256sum -c -), then run it. Better,
#     install the software from a package repository with signed packages.
deny contains f if {
	meta := rego.metadata.rule()
	some stage in stages
	some ins in stage.instructions
	ins.cmd == "RUN"
	some re in pipe_to_shell
	regex.match(re, ins.value)
	f := lib.result(meta, {
		"line": ins.line,
		"message": "RUN pipes a downloaded script into a shell without verifying it.",
		"resource": stage_resource(stage),
	})
}
