package toolinfo_test

import (
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/toolinfo"
)

// Every name a real report gives a tool maps to one id (drivers seen in
// real SARIF: "ESLint", "Trivy", "Staticcheck", "Golang Security Checker").
func TestCanonical(t *testing.T) {
	for _, c := range []struct{ name, uri, want string }{
		{"ESLint", "https://eslint.org", "eslint"},
		{"eslint", "", "eslint"},
		{"Trivy", "https://github.com/aquasecurity/trivy", "trivy"},
		{"Staticcheck", "https://staticcheck.dev", "staticcheck"},
		{"Golang Security Checker", "", "gosec"},
		{"gosec", "https://github.com/securego/gosec/", "gosec"},
		{"Some Name", "https://github.com/securego/gosec/", "gosec"},
		{"kube-score", "", "kube-score"},
		{"OWASP ZAP", "", "zap"},
		{"  Unknown Tool ", "https://example.com/x", "unknown tool"},
		{"defsec", "https://github.com/aquasecurity/defsec", "tfsec"},
	} {
		if got := toolinfo.Canonical(c.name, c.uri); got != c.want {
			t.Errorf("Canonical(%q, %q) = %q, want %q", c.name, c.uri, got, c.want)
		}
	}
	got := toolinfo.CanonicalTool(finding.Tool{Name: "ESLint", Version: "9.39.1"})
	if got != (finding.Tool{Name: "eslint", FullName: "ESLint", Version: "9.39.1"}) {
		t.Errorf("CanonicalTool = %+v", got)
	}
	if got := toolinfo.CanonicalTool(got); got.FullName != "ESLint" || got.Name != "eslint" {
		t.Errorf("CanonicalTool is not idempotent: %+v", got)
	}
}

func TestRedact(t *testing.T) {
	const key = "AKIA2E0A8F3B244C9986"
	f := &finding.Finding{
		Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G101"}, Category: finding.CategorySAST,
		Message:    "Potential hardcoded credentials",
		Location:   finding.Location{Snippet: `awsKey := "` + key + `" // don't`},
		Properties: map[string]string{"offender": key, "note": "key " + key},
	}
	if !toolinfo.IsSecret(f) {
		t.Fatal("gosec G101 is not a secret")
	}
	toolinfo.Redact(f)
	if f.Location.Snippet != `awsKey := "REDACTED" // don't` {
		t.Errorf("snippet %q", f.Location.Snippet)
	}
	if _, ok := f.Properties["offender"]; ok || f.Properties["note"] != "key REDACTED" {
		t.Errorf("properties %v", f.Properties)
	}
	want := "a2aa1b3bb8f1e56c8a21cdb0bc1fb25e46b43c4cb4de6bf5b98ff99ac1e0e1c1"
	if fp := f.Fingerprints[toolinfo.FingerprintSecret]; len(fp) != len(want) {
		t.Errorf("fingerprint %q", fp)
	}
	before := *f
	toolinfo.Redact(f)
	if f.Location.Snippet != before.Location.Snippet || f.Fingerprints[toolinfo.FingerprintSecret] != before.Fingerprints[toolinfo.FingerprintSecret] {
		t.Error("Redact is not idempotent")
	}

	// A snippet with nothing to find is dropped; a masked one is kept.
	g := &finding.Finding{Category: finding.CategorySecret, Location: finding.Location{Snippet: "token=abcdef0123456789"}}
	toolinfo.Redact(g)
	if g.Location.Snippet != "" {
		t.Errorf("unquoted secret kept: %q", g.Location.Snippet)
	}
	h := &finding.Finding{Category: finding.CategorySecret, Location: finding.Location{Snippet: "AWS_KEY=****************"}}
	toolinfo.Redact(h)
	if h.Location.Snippet != "AWS_KEY=****************" {
		t.Errorf("masked snippet dropped: %q", h.Location.Snippet)
	}
}
