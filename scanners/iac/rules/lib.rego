# Package scanmux.iac.lib holds helpers shared by the rule packages.
package scanmux.iac.lib

# result builds a finding from the metadata of the rule that fired (pass
# rego.metadata.rule()) and the finding's own fields.
result(meta, fields) := object.union(fields, {"id": meta.custom.id})

# image_digest_pinned is true for an image reference with a digest.
image_digest_pinned(img) if contains(img, "@")

# image_tag is the tag of an image reference without a digest; undefined when
# it has none. A registry port ("host:5000/app") is not a tag.
image_tag(img) := tag if {
	not image_digest_pinned(img)
	parts := split(img, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := substring(last, indexof(last, ":") + 1, -1)
}

# image_unpinned_reason says why an image reference is not pinned to a
# version: "no tag" or "the latest tag". Undefined for a pinned image.
image_unpinned_reason(img) := "no tag" if {
	not image_digest_pinned(img)
	not image_tag(img)
}

image_unpinned_reason(img) := "the latest tag" if {
	lower(image_tag(img)) == "latest"
}

# dangerous_capabilities are Linux capabilities that amount to root on the
# node, or close to it.
dangerous_capabilities := {
	"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_MODULE", "SYS_PTRACE",
	"SYS_RAWIO", "DAC_READ_SEARCH", "BPF", "PERFMON",
}

# capability normalizes a capability name: upper case, no CAP_ prefix.
capability(c) := trim_prefix(upper(c), "CAP_")

# secret_words are the parts of a variable name that mark it as a secret
# (the name is split at "_", "-" and ".").
secret_words := {
	"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN",
	"KEY", "APIKEY", "ACCESSKEY", "SECRETKEY", "PRIVATEKEY",
	"CREDENTIAL", "CREDENTIALS",
}

# not_secret_words mark a name as naming something public or a reference to
# a secret rather than the secret itself.
not_secret_words := {"PUBLIC", "PUB", "GPG", "FINGERPRINT"}

# not_secret_suffixes end names that hold where a secret is, not what it is.
not_secret_suffixes := {"FILE", "PATH", "DIR", "ID", "URL", "URI", "NAME", "REF", "ARN", "LENGTH", "TYPE"}

name_words(name) := [w | some w in regex.split(`[_.\-]+`, upper(name)); w != ""]

# secret_name is true when a variable name looks like it holds a secret.
secret_name(name) if {
	words := name_words(name)
	some w in words
	w in secret_words
	not any_word_in(words, not_secret_words)
	not words[count(words) - 1] in not_secret_suffixes
}

any_word_in(words, set) if {
	some w in words
	w in set
}
