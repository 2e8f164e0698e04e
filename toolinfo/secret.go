package toolinfo

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/scanmux/scanmux/finding"
)

// FingerprintSecret is the Fingerprints key of the hex SHA-256 of a
// secret's value, so that the same secret found by several tools matches
// without the value being kept.
const FingerprintSecret = "secret/sha256"

// Redacted replaces a secret's value.
const Redacted = "REDACTED"

// valueProps are the properties in which tools put a secret's value
// (gitleaks 7's SARIF "offender", trufflehog's "secret", "match").
var valueProps = []string{"offender", "Offender", "secret", "Secret", "match", "Match", "raw", "Raw"}

// IsSecret reports whether f reports a secret: by its category, by its
// tool's credential rules or by its CWEs. f.Tool.Name is taken to be a
// canonical id (see [Canonical]).
func IsSecret(f *finding.Finding) bool {
	if f.Category == finding.CategorySecret || IsCredentialRule(f.Tool.Name, f.Rule.ID) {
		return true
	}
	for _, c := range f.CWEs {
		if slices.Contains(SecretCWEs, c) {
			return true
		}
	}
	return false
}

// Redact hides the value of the secret that f reports, wherever a tool
// may have put it: the properties that hold values are dropped, and every
// value they held and every quoted literal of the snippets and the message
// is replaced with [Redacted] in the message, the snippets and the
// properties. When exactly one distinct value is found and f has no
// [FingerprintSecret], its SHA-256 is kept there. A snippet in which
// nothing was found to replace, and that holds neither [Redacted] nor a
// run of "*" (trivy's mask), is dropped: the secret may be anywhere in it.
// Redact is idempotent.
func Redact(f *finding.Finding) {
	var values []string
	add := func(v string) {
		v = strings.TrimSpace(v)
		if v != "" && v != Redacted && strings.Trim(v, "*") != "" && !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	for _, k := range valueProps {
		if v, ok := f.Properties[k]; ok {
			add(v)
			delete(f.Properties, k)
		}
	}
	snippets := []*string{&f.Location.Snippet}
	for i := range f.Related {
		snippets = append(snippets, &f.Related[i].Snippet)
	}
	for i := range f.Flows {
		for j := range f.Flows[i].Steps {
			snippets = append(snippets, &f.Flows[i].Steps[j].Snippet)
		}
	}
	for _, s := range snippets {
		for _, v := range quotedLiterals(*s) {
			add(v)
		}
	}
	for _, v := range quotedLiterals(f.Message) {
		add(v)
	}
	if len(values) == 1 && f.Fingerprints[FingerprintSecret] == "" {
		sum := sha256.Sum256([]byte(values[0]))
		if f.Fingerprints == nil {
			f.Fingerprints = map[string]string{}
		}
		f.Fingerprints[FingerprintSecret] = hex.EncodeToString(sum[:])
	}
	// Longest first, so that a value inside another is not left in part.
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	hide := func(s string) string {
		for _, v := range values {
			s = strings.ReplaceAll(s, v, Redacted)
		}
		return s
	}
	f.Message = hide(f.Message)
	for _, s := range snippets {
		*s = hide(*s)
		if *s != "" && !strings.Contains(*s, Redacted) && !strings.Contains(*s, "***") {
			*s = ""
		}
	}
	for k, v := range f.Properties {
		f.Properties[k] = hide(v)
	}
}

// quotedLiterals returns the contents of the string literals of src:
// "...", '...' and `...`, with backslash escapes in the first two. An
// unterminated literal runs to the end of the line.
func quotedLiterals(src string) []string {
	var out []string
	for i := 0; i < len(src); i++ {
		q := src[i]
		if q != '"' && q != '\'' && q != '`' {
			continue
		}
		// An apostrophe inside a word ("don't") opens no literal.
		if q == '\'' && i > 0 && isWord(src[i-1]) {
			continue
		}
		j := i + 1
		for ; j < len(src) && src[j] != q && src[j] != '\n'; j++ {
			if src[j] == '\\' && q != '`' {
				j++
			}
		}
		end := min(j, len(src))
		if v := src[i+1 : end]; v != "" {
			out = append(out, v)
		}
		i = end
	}
	return out
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
