package aggregate

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
)

// kind groups categories by how their findings are compared.
type kind int8

const (
	kindSource  kind = iota // sast, iac, other: file + lines + CWE
	kindSecret              // file + line + fingerprint or secret rule
	kindPackage             // dependency, container: vuln id + package
	kindWeb                 // dast: URL path + parameter + CWE
)

func kindOf(c finding.Category) kind {
	switch c {
	case finding.CategorySecret:
		return kindSecret
	case finding.CategoryDependency, finding.CategoryContainer:
		return kindPackage
	case finding.CategoryDAST:
		return kindWeb
	}
	return kindSource
}

// Rule classes: names for rules of different tools that report the same
// weakness, used when a tool gives no CWE.
const (
	classSQLi       = "sqli"
	classCmdi       = "command-injection"
	classPath       = "path-traversal"
	classCredential = "hardcoded-credential"
	classTLS        = "tls-verify-disabled"
	classWeakRandom = "weak-random"
	classWeakHash   = "weak-hash"
	classXSS        = "xss"
	classSSRF       = "ssrf"
	classDeserial   = "unsafe-deserialization"
)

// ruleClasses maps "tool/rule" of tools with short rule ids to a class.
var ruleClasses = map[string]string{
	"gosec/G101": classCredential, "gosec/G201": classSQLi, "gosec/G202": classSQLi,
	"gosec/G204": classCmdi, "gosec/G304": classPath, "gosec/G305": classPath,
	"gosec/G402": classTLS, "gosec/G404": classWeakRandom, "gosec/G401": classWeakHash,
	"gosec/G501": classWeakHash, "gosec/G505": classWeakHash, "gosec/G107": classSSRF,
	"bandit/B105": classCredential, "bandit/B106": classCredential, "bandit/B107": classCredential,
	"bandit/B608": classSQLi, "bandit/B602": classCmdi, "bandit/B604": classCmdi,
	"bandit/B605": classCmdi, "bandit/B501": classTLS, "bandit/B311": classWeakRandom,
	"bandit/B303": classWeakHash, "bandit/B324": classWeakHash, "bandit/B301": classDeserial,
	"bandit/B506": classDeserial,
}

// ruleClassWords maps words in long rule ids (semgrep, CodeQL) to a class.
var ruleClassWords = []struct{ word, class string }{
	{"sql-injection", classSQLi}, {"sqli", classSQLi}, {"formatted-query", classSQLi}, {"tainted-sql", classSQLi},
	{"command-injection", classCmdi}, {"dangerous-exec", classCmdi}, {"tainted-exec", classCmdi},
	{"path-traversal", classPath}, {"path-injection", classPath}, {"tainted-path", classPath},
	{"hardcoded-credential", classCredential}, {"hard-coded-credential", classCredential},
	{"hardcoded-password", classCredential}, {"hardcoded-secret", classCredential},
	{"insecure-skip-verify", classTLS}, {"disabled-cert-validation", classTLS},
	{"cross-site-scripting", classXSS}, {"xss", classXSS},
	{"request-forgery", classSSRF}, {"ssrf", classSSRF},
	{"unsafe-deserialization", classDeserial}, {"insecure-deserialization", classDeserial},
}

// ruleClass returns the class of f's rule, or "".
func ruleClass(f *finding.Finding) string {
	if c := ruleClasses[strings.ToLower(f.Tool.Name)+"/"+strings.ToUpper(f.Rule.ID)]; c != "" {
		return c
	}
	id := strings.ToLower(f.Rule.ID)
	for _, w := range ruleClassWords {
		if strings.Contains(id, w.word) {
			return w.class
		}
	}
	return ""
}

// credentialCWEs are weaknesses that a secret scanner also reports:
// hard-coded password (259), cryptographic key (321), credentials (798).
var credentialCWEs = []int{259, 321, 798}

// secretKinds maps words of secret rule ids and names to the kind of
// secret, so that rules of two scanners can be compared.
var secretKinds = []struct{ word, kind string }{
	{"aws", "aws"}, {"amazon", "aws"}, {"github", "github"}, {"gh", "github"}, {"gitlab", "gitlab"},
	{"slack", "slack"}, {"stripe", "stripe"}, {"gcp", "gcp"}, {"google", "gcp"}, {"azure", "azure"},
	{"private", "private-key"}, {"rsa", "private-key"}, {"pem", "private-key"}, {"ssh", "private-key"},
	{"jwt", "jwt"}, {"npm", "npm"}, {"twilio", "twilio"}, {"sendgrid", "sendgrid"},
	{"password", "password"}, {"passwd", "password"}, {"generic", "generic"},
}

// secretKindsOf returns the secret kinds named by f's rule, sorted.
func secretKindsOf(f *finding.Finding) []string {
	words := strings.FieldsFunc(strings.ToLower(f.Rule.ID+" "+f.Rule.Name), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	var kinds []string
	for _, w := range words {
		for _, k := range secretKinds {
			if w == k.word {
				kinds = append(kinds, k.kind)
			}
		}
	}
	slices.Sort(kinds)
	return slices.Compact(kinds)
}

// webKey is a URL reduced to what identifies the endpoint: host in lower
// case without default port, path, and the sorted names of query
// parameters. The scheme and query values are left out.
func webKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return strings.ToLower(raw)
	}
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	var names []string
	for k := range u.Query() {
		names = append(names, k)
	}
	slices.Sort(names)
	if len(names) > 0 {
		p += "?" + strings.Join(names, "&")
	}
	return host + p
}

// lineSpan returns the first and last line of r; 0, 0 for the whole file.
func lineSpan(r finding.Region) (int, int) {
	if r.StartLine == 0 {
		return 0, 0
	}
	return r.StartLine, max(r.EndLine, r.StartLine)
}

// linesOverlap reports whether two regions share a line. Whole-file
// regions overlap only each other.
func linesOverlap(a, b finding.Region) bool {
	s1, e1 := lineSpan(a)
	s2, e2 := lineSpan(b)
	if s1 == 0 || s2 == 0 {
		return s1 == s2
	}
	return s1 <= e2 && s2 <= e1
}

func linesText(a, b finding.Region) string {
	s1, e1 := lineSpan(a)
	s2, e2 := lineSpan(b)
	if s1 == 0 {
		return "lines=whole-file"
	}
	lo, hi := max(s1, s2), min(e1, e2)
	return "lines=" + strconv.Itoa(lo) + "-" + strconv.Itoa(hi)
}

// sharedInt returns the first value in both sorted slices.
func sharedInt(a, b []int) (int, bool) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return a[i], true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 0, false
}

// sharedString returns the first value in both sorted slices.
func sharedString(a, b []string) (string, bool) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := strings.Compare(a[i], b[j]); {
		case c == 0:
			return a[i], true
		case c < 0:
			i++
		default:
			j++
		}
	}
	return "", false
}

// sig is what deduplication compares, computed once per finding.
type sig struct {
	kind    kind
	path    string
	region  finding.Region
	cwes    []int    // trusted, sorted
	class   string   // rule class
	vulns   []string // upper case, sorted
	pkg     string   // name
	version string
	image   string
	web     string // webKey
	param   string
	secret  string   // secret/sha256
	skinds  []string // secret kinds
	cred    bool     // a source finding about a hard-coded credential
}

func newSig(f *finding.Finding) *sig {
	s := &sig{kind: kindOf(f.Category), path: f.Location.Path, region: f.Location.Region,
		cwes: trustedCWEs(f.CWEs), class: ruleClass(f)}
	switch s.kind {
	case kindSecret:
		s.secret = f.Fingerprints["secret/sha256"]
		s.skinds = secretKindsOf(f)
	case kindPackage:
		for _, v := range f.VulnIDs {
			s.vulns = append(s.vulns, strings.ToUpper(strings.TrimSpace(v)))
		}
		slices.Sort(s.vulns)
		s.vulns = slices.Compact(s.vulns)
		if p := f.Location.Package; p != nil {
			s.pkg, s.version, s.image = p.Name, p.Version, p.Image
		}
	case kindWeb:
		if w := f.Location.Web; w != nil {
			s.web, s.param = webKey(w.URL), w.Parameter
		}
	case kindSource:
		if s.class == classCredential {
			s.cred = true
		}
		for _, c := range credentialCWEs {
			if _, ok := slices.BinarySearch(s.cwes, c); ok {
				s.cred = true
			}
		}
	}
	return s
}

// indexKeys returns the keys under which candidates for merging with s
// are found: two findings can match only if they share a key.
func (s *sig) indexKeys() []string {
	var keys []string
	switch s.kind {
	case kindSource:
		if s.path == "" {
			return nil
		}
		for _, c := range s.cwes {
			keys = append(keys, "s\x00"+s.path+"\x00"+strconv.Itoa(c))
		}
		if s.class != "" {
			keys = append(keys, "c\x00"+s.path+"\x00"+s.class)
		}
		if s.cred {
			keys = append(keys, "k\x00"+s.path)
		}
	case kindSecret:
		if s.path != "" {
			keys = append(keys, "k\x00"+s.path)
		}
	case kindPackage:
		for _, v := range s.vulns {
			keys = append(keys, "v\x00"+v)
		}
	case kindWeb:
		if s.web != "" {
			keys = append(keys, "w\x00"+s.web+"\x00"+s.param)
		}
	}
	return keys
}

// match reports whether a and b are the same issue and, if so, which keys
// matched.
func match(a, b *sig) (string, bool) {
	switch {
	case a.kind == kindSource && b.kind == kindSource:
		return matchSource(a, b)
	case a.kind == kindSecret && b.kind == kindSecret:
		return matchSecrets(a, b)
	case a.kind == kindSecret && b.kind == kindSource:
		return matchCredential(b, a)
	case a.kind == kindSource && b.kind == kindSecret:
		return matchCredential(a, b)
	case a.kind == kindPackage && b.kind == kindPackage:
		return matchPackages(a, b)
	case a.kind == kindWeb && b.kind == kindWeb:
		return matchWeb(a, b)
	}
	return "", false
}

func matchSource(a, b *sig) (string, bool) {
	if a.path == "" || a.path != b.path || !linesOverlap(a.region, b.region) {
		return "", false
	}
	where := "file=" + a.path + " " + linesText(a.region, b.region)
	if c, ok := sharedInt(a.cwes, b.cwes); ok {
		return where + " cwe=" + strconv.Itoa(c), true
	}
	if a.class != "" && a.class == b.class {
		return where + " rule-class=" + a.class, true
	}
	return "", false
}

func matchSecrets(a, b *sig) (string, bool) {
	if a.path == "" || a.path != b.path || a.region.StartLine != b.region.StartLine {
		return "", false
	}
	where := "file=" + a.path + " line=" + strconv.Itoa(a.region.StartLine)
	if a.secret != "" && b.secret != "" {
		if a.secret != b.secret {
			return "", false
		}
		return where + " secret-sha256=" + short(a.secret), true
	}
	if k, ok := sharedString(a.skinds, b.skinds); ok {
		return where + " secret-rule=" + k, true
	}
	if slices.Contains(a.skinds, "generic") || slices.Contains(b.skinds, "generic") {
		return where + " secret-rule=generic", true
	}
	return "", false
}

// matchCredential matches a source finding about a hard-coded credential
// (gosec G101, CWE-798) with a secret on a line it covers.
func matchCredential(src, sec *sig) (string, bool) {
	if !src.cred || src.path == "" || src.path != sec.path || sec.region.StartLine == 0 {
		return "", false
	}
	s, e := lineSpan(src.region)
	if l := sec.region.StartLine; l < s || l > e {
		return "", false
	}
	why := "file=" + src.path + " line=" + strconv.Itoa(sec.region.StartLine)
	if c, ok := sharedInt(src.cwes, credentialCWEs); ok {
		return why + " credential cwe=" + strconv.Itoa(c), true
	}
	return why + " credential rule-class=" + classCredential, true
}

func matchPackages(a, b *sig) (string, bool) {
	if a.pkg == "" || a.pkg != b.pkg || a.image != b.image {
		return "", false
	}
	if a.version != "" && b.version != "" && a.version != b.version {
		return "", false
	}
	v, ok := sharedString(a.vulns, b.vulns)
	if !ok {
		return "", false
	}
	why := "vuln=" + v + " package=" + a.pkg
	if a.version != "" && a.version == b.version {
		why += "@" + a.version
	}
	if a.image != "" {
		why += " image=" + a.image
	}
	return why, true
}

func matchWeb(a, b *sig) (string, bool) {
	if a.web == "" || a.web != b.web || a.param != b.param {
		return "", false
	}
	c, ok := sharedInt(a.cwes, b.cwes)
	if !ok {
		return "", false
	}
	why := "url=" + a.web
	if a.param != "" {
		why += " param=" + a.param
	}
	return why + " cwe=" + strconv.Itoa(c), true
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}
