// Package toolinfo is what scanmux knows about security tools, whatever
// format they report in: one canonical id per tool (so that ESLint's SARIF
// driver "ESLint" and its JSON adapter's "eslint" are one tool), the kind
// of findings a tool reports, and which of its rules report credentials.
//
// It has no I/O and depends on the standard library and package finding
// only, so that the SARIF reader and the aggregation engine can both use
// it.
package toolinfo

import (
	"slices"
	"strings"

	"github.com/scanmux/scanmux/finding"
)

// Tool is what scanmux knows about one tool.
type Tool struct {
	// ID is the canonical id: lower case, as scanmux's adapter for the tool
	// is named ("gosec", "kube-score").
	ID string
	// Aliases are other names the tool's reports give it, compared without
	// case ("Golang Security Checker").
	Aliases []string
	// Homes are informationUri prefixes that identify the tool, without
	// scheme ("github.com/securego/gosec").
	Homes []string
	// Category is the kind of every finding of the tool, or "" when it
	// depends on the finding (trivy reports vulnerabilities, secrets and
	// misconfigurations).
	Category finding.Category
	// Credentials lists the rules that report a hard-coded credential:
	// their findings are secrets.
	Credentials []string
}

// known lists the tools scanmux has adapters or runners for, and tools
// whose SARIF is common in the wild.
var known = []Tool{
	{ID: "bandit", Homes: []string{"github.com/pycqa/bandit", "bandit.readthedocs.io"}, Category: finding.CategorySAST,
		Credentials: []string{"B105", "B106", "B107"}},
	{ID: "bearer", Aliases: []string{"Bearer CLI"}, Category: finding.CategorySAST},
	{ID: "checkov", Homes: []string{"checkov.io", "github.com/bridgecrewio/checkov"}, Category: finding.CategoryIaC},
	{ID: "codeql", Aliases: []string{"CodeQL command-line toolchain"}, Category: finding.CategorySAST},
	{ID: "conftest", Homes: []string{"github.com/open-policy-agent/conftest", "conftest.dev"}, Category: finding.CategoryIaC},
	{ID: "cppcheck", Homes: []string{"cppcheck.sourceforge.io"}, Category: finding.CategorySAST},
	{ID: "dependency-check", Aliases: []string{"OWASP Dependency-Check"}, Homes: []string{"jeremylong.github.io/dependencycheck"},
		Category: finding.CategoryDependency},
	{ID: "dockle", Homes: []string{"github.com/goodwithtech/dockle"}, Category: finding.CategoryContainer},
	{ID: "eslint", Homes: []string{"eslint.org"}, Category: finding.CategorySAST},
	{ID: "flawfinder", Homes: []string{"dwheeler.com/flawfinder"}, Category: finding.CategorySAST},
	{ID: "gitleaks", Homes: []string{"github.com/gitleaks/gitleaks", "github.com/zricethezav/gitleaks"}, Category: finding.CategorySecret},
	{ID: "gosec", Aliases: []string{"Golang Security Checker"}, Homes: []string{"github.com/securego/gosec", "securego.io"},
		Category: finding.CategorySAST, Credentials: []string{"G101"}},
	{ID: "govulncheck", Homes: []string{"golang.org/x/vuln", "pkg.go.dev/golang.org/x/vuln"}, Category: finding.CategoryDependency},
	{ID: "grype", Aliases: []string{"Anchore Container Vulnerability Report (T0)"}, Homes: []string{"github.com/anchore/grype"}},
	{ID: "hadolint", Homes: []string{"github.com/hadolint/hadolint"}, Category: finding.CategoryIaC},
	{ID: "kics", Aliases: []string{"KICS"}, Homes: []string{"kics.io", "www.kics.io"}, Category: finding.CategoryIaC},
	{ID: "kube-score", Aliases: []string{"kube_score", "kubescore"}, Homes: []string{"github.com/zegl/kube-score", "kube-score.com"},
		Category: finding.CategoryIaC},
	{ID: "nikto", Category: finding.CategoryDAST},
	{ID: "nuclei", Homes: []string{"github.com/projectdiscovery/nuclei"}, Category: finding.CategoryDAST},
	{ID: "osv-scanner", Aliases: []string{"osv_scanner", "OSV-Scanner"}, Homes: []string{"github.com/google/osv-scanner"},
		Category: finding.CategoryDependency},
	{ID: "roslyn", Aliases: []string{"Microsoft (R) Visual C# Compiler", "Microsoft (R) Visual Basic Compiler", "csc", "vbc"},
		Category: finding.CategorySAST},
	{ID: "semgrep", Aliases: []string{"Semgrep OSS", "Semgrep Pro", "Semgrep Code", "semgrep-sast"}, Homes: []string{"semgrep.dev"},
		Category: finding.CategorySAST},
	{ID: "shellcheck", Homes: []string{"www.shellcheck.net", "shellcheck.net", "github.com/koalaman/shellcheck"}, Category: finding.CategorySAST},
	{ID: "staticcheck", Homes: []string{"staticcheck.dev", "staticcheck.io"}, Category: finding.CategorySAST},
	{ID: "tfsec", Aliases: []string{"defsec"}, Homes: []string{"github.com/aquasecurity/tfsec", "github.com/aquasecurity/defsec", "aquasecurity.github.io/tfsec"},
		Category: finding.CategoryIaC},
	{ID: "trivy", Homes: []string{"github.com/aquasecurity/trivy", "trivy.dev"}},
	{ID: "wapiti", Homes: []string{"wapiti-scanner.github.io", "github.com/wapiti-scanner/wapiti"}, Category: finding.CategoryDAST},
	{ID: "zap", Aliases: []string{"OWASP ZAP", "ZAP", "OWASP Zed Attack Proxy", "Zed Attack Proxy"}, Homes: []string{"www.zaproxy.org", "zaproxy.org"},
		Category: finding.CategoryDAST},
}

// byName indexes known by lower-case id and alias.
var byName = func() map[string]*Tool {
	m := map[string]*Tool{}
	for i := range known {
		t := &known[i]
		m[t.ID] = t
		for _, a := range t.Aliases {
			m[strings.ToLower(a)] = t
		}
	}
	return m
}()

// Lookup returns what is known of the tool whose canonical id is id.
func Lookup(id string) (Tool, bool) {
	if t := byName[id]; t != nil && t.ID == id {
		return *t, true
	}
	return Tool{}, false
}

// Canonical returns the canonical id of a tool that a report names name
// and whose home page is informationURI (either may be ""): a known tool's
// id when the name, an alias or the home page says which, else the name
// in lower case with its spaces trimmed.
func Canonical(name, informationURI string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if t := byName[n]; t != nil {
		return t.ID
	}
	if home := trimScheme(informationURI); home != "" {
		for i := range known {
			for _, h := range known[i].Homes {
				if home == h || strings.HasPrefix(home, h+"/") {
					return known[i].ID
				}
			}
		}
	}
	return n
}

// CanonicalTool returns t with Name set to its canonical id; the name the
// report gave, when it differs, is kept in FullName unless that is set.
func CanonicalTool(t finding.Tool) finding.Tool {
	id := Canonical(t.Name, t.InformationURI)
	if id != t.Name && id != "" {
		if t.FullName == "" {
			t.FullName = t.Name
		}
		t.Name = id
	}
	return t
}

func trimScheme(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	for _, p := range []string{"https://", "http://"} {
		u = strings.TrimPrefix(u, p)
	}
	return strings.TrimSuffix(u, "/")
}

// Category returns the kind of every finding of the tool with canonical
// id, or "" when it is not known or depends on the finding.
func Category(id string) finding.Category {
	if t, ok := Lookup(id); ok {
		return t.Category
	}
	return ""
}

// IsCredentialRule reports whether rule ruleID of the tool with canonical
// id reports a hard-coded credential.
func IsCredentialRule(id, ruleID string) bool {
	t, ok := Lookup(id)
	return ok && slices.Contains(t.Credentials, ruleID)
}

// SecretCWEs are the CWEs of credentials in code: a finding with one of
// them reports a secret (use of hard-coded credentials 798, hard-coded
// password 259, hard-coded cryptographic key 321, insufficiently protected
// credentials 522).
var SecretCWEs = []int{259, 321, 522, 798}
