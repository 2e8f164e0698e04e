package scanmux.iac.docker_test

import data.scanmux.iac.docker

# ins builds an instruction the way the Go parser does.
ins(cmd, value, line) := {
	"cmd": cmd, "value": value, "flags": [], "args": split(value, " "),
	"json": false, "line": line, "end_line": line,
}

env(cmd, key, value, line) := object.union(ins(cmd, sprintf("%s=%s", [key, value]), line), {"pairs": [{"key": key, "value": value}]})

stage(index, image, name, line, rest) := {
	"index": index, "name": name, "image": image, "image_raw": image, "platform": "", "line": line,
	"instructions": array.concat([ins("FROM", image, line)], rest),
}

dockerfile(stages) := {"kind": "dockerfile", "path": "Dockerfile", "document": {"stages": stages, "args": []}}

ids(fs) := {f.id | some f in fs}

lines(fs, id) := {f.line | some f in fs; f.id == id}

good_user := ins("USER", "10001", 3)

test_pinned_non_root_image_is_clean if {
	fs := docker.deny with input as dockerfile([stage(0, "golang:1.22.5", "", 1, [ins("COPY", ". /src", 2), good_user])])
	count(fs) == 0
}

test_latest_and_untagged_base_images if {
	fs := docker.deny with input as dockerfile([
		stage(0, "golang:latest", "build", 1, []),
		stage(1, "alpine", "", 5, [good_user]),
	])
	lines(fs, "SMX-DOCKER-001") == {1, 5}
}

test_stage_reference_scratch_and_variables_are_not_images if {
	fs := docker.deny with input as dockerfile([
		stage(0, "golang:1.22", "build", 1, []),
		stage(1, "BUILD", "", 4, []),
		stage(2, "scratch", "", 7, []),
		stage(3, "${BASE}", "", 9, [good_user]),
	])
	not "SMX-DOCKER-001" in ids(fs)
}

test_digest_pinned_base_image if {
	fs := docker.deny with input as dockerfile([stage(0, "golang@sha256:0123", "", 1, [good_user])])
	count(fs) == 0
}

test_no_user_in_final_stage if {
	fs := docker.deny with input as dockerfile([
		stage(0, "golang:1.22", "build", 1, [ins("USER", "builder", 2)]),
		stage(1, "debian:12", "", 6, [ins("COPY", "--from=build /app /app", 7)]),
	])
	lines(fs, "SMX-DOCKER-002") == {6}
}

test_user_root_in_final_stage if {
	fs := docker.deny with input as dockerfile([stage(0, "debian:12", "", 1, [ins("USER", "app", 2), ins("USER", "root:root", 3)])])
	lines(fs, "SMX-DOCKER-002") == {3}
}

test_user_zero if {
	fs := docker.deny with input as dockerfile([stage(0, "debian:12", "", 1, [ins("USER", "0", 2)])])
	lines(fs, "SMX-DOCKER-002") == {2}
}

test_user_inherited_from_parent_stage if {
	fs := docker.deny with input as dockerfile([
		stage(0, "debian:12", "base", 1, [ins("USER", "10001", 2)]),
		stage(1, "base", "", 4, [ins("COPY", "app /app", 5)]),
	])
	not "SMX-DOCKER-002" in ids(fs)
}

test_root_inherited_from_parent_stage if {
	fs := docker.deny with input as dockerfile([
		stage(0, "debian:12", "base", 1, [ins("USER", "root", 2)]),
		stage(1, "base", "", 4, [ins("COPY", "app /app", 5)]),
	])
	lines(fs, "SMX-DOCKER-002") == {2}
}

test_nonroot_base_image if {
	fs := docker.deny with input as dockerfile([stage(0, "gcr.io/distroless/static-debian12:nonroot", "", 1, [])])
	count(fs) == 0
}

test_add_remote_without_checksum if {
	fs := docker.deny with input as dockerfile([stage(0, "debian:12", "", 1, [
		ins("ADD", "https://example.com/tool.tar.gz /opt/", 2),
		object.union(ins("ADD", "https://example.com/b.tar.gz /opt/", 3), {"flags": ["--checksum=sha256:00"], "args": ["https://example.com/b.tar.gz", "/opt/"]}),
		good_user,
	])])
	lines(fs, "SMX-DOCKER-003") == {2}
	not "SMX-DOCKER-004" in ids(fs)
}

test_add_local_files if {
	fs := docker.deny with input as dockerfile([stage(0, "debian:12", "", 1, [
		ins("ADD", ". /app", 2),
		ins("ADD", "rootfs.tar.gz /", 3),
		ins("COPY", ". /app", 4),
		good_user,
	])])
	lines(fs, "SMX-DOCKER-004") == {2}
}

test_secret_env_and_arg if {
	doc := dockerfile([stage(0, "debian:12", "", 2, [
		env("ENV", "DB_PASSWORD", "changeme", 3),
		env("ENV", "GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D", 4),
		object.union(ins("ARG", "NPM_TOKEN", 5), {"pairs": [{"key": "NPM_TOKEN", "value": null}]}),
		good_user,
	])])
	fs := docker.deny with input as object.union(doc, {"document": {"args": [env("ARG", "API_KEY", "x", 1)]}})
	lines(fs, "SMX-DOCKER-005") == {1, 3, 5}
	some f in fs
	f.line == 3
	f.snippet == "ENV DB_PASSWORD=<redacted>"
	not contains(f.message, "changeme")
}

test_curl_pipe_shell if {
	fs := docker.deny with input as dockerfile([stage(0, "debian:12", "", 1, [
		ins("RUN", "curl -fsSL https://get.example.com | sh", 2),
		ins("RUN", "wget -qO- https://x.example.com/i.sh | sudo -E bash -s -- --yes", 3),
		ins("RUN", "sh -c \"$(curl -fsSL https://x.example.com/install.sh)\"", 4),
		ins("RUN", "bash <(curl -s https://x.example.com/i.sh)", 5),
		ins("RUN", "curl -fsSLo /tmp/i.sh https://x.example.com/i.sh && sha256sum -c sums && sh /tmp/i.sh", 6),
		ins("RUN", "curl -s https://api.example.com | jq .", 7),
		good_user,
	])])
	lines(fs, "SMX-DOCKER-006") == {2, 3, 4, 5}
}

test_results_are_well_formed if {
	fs := docker.deny with input as dockerfile([stage(0, "golang", "", 1, [ins("ADD", ". /app", 2)])])
	count(fs) > 0
	every f in fs {
		startswith(f.id, "SMX-DOCKER-")
		f.message != ""
		f.line > 0
		f.resource != ""
	}
}
