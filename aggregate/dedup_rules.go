package aggregate

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/cwe"
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
	// A source rule about hard-coded credentials (gosec G101, bandit B106)
	// names no kind of secret: it is the secret on its line, whatever kind.
	if ruleClass(f) == classCredential {
		kinds = append(kinds, "generic")
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

// sig is what deduplication compares, computed once per finding, in the
// source's goroutine. It shares the finding's strings; the fields that only
// one kind uses live in *sigExtra, so that the common source findings stay
// small.
type sig struct {
	kind    kind
	cred    bool // a source finding about a hard-coded credential
	point   bool // an IaC location given only by the first line of what it reports (see objectSpan)
	generic bool // a rule id that names no check (see genericRule)
	path    string
	region  finding.Region
	cwes    []int  // trusted and specific enough to compare (see mergeableCWEs), sorted; may be the finding's own slice: never modified
	class   string // rule class
	x       *sigExtra
}

// sigExtra holds the sig fields of secret, package and web findings, and
// of source findings whose rule has an equivalence class.
type sigExtra struct {
	vulns   []string // upper case, sorted
	pkg     string   // name
	version string
	eco     string // ecosystem, lower case
	image   string
	web     string // webKey
	param   string
	secret  string   // secret/sha256
	skinds  []string // secret kinds
	equiv   string   // the rule's class in the equivalence tables (see equivalence)
	tool    string   // with equiv: the tool
	res     string   // with equiv: resourceKey of the location's resource
}

var noExtra sigExtra

// extra returns s's kind-specific fields, zero for a source finding.
func (s *sig) extra() *sigExtra {
	if s.x == nil {
		return &noExtra
	}
	return s.x
}

// ruleFacts are what sig takes from a finding's tool and rule, cached per
// source by [sigCache].
type ruleFacts struct {
	class    string
	skinds   []string
	equiv    string
	equivMsg bool  // the equivalence class depends on the message: computed per finding
	generic  bool  // the rule id names no check (genericRule); computed with equiv
	done     uint8 // bit 1: class computed, bit 2: skinds computed, bit 4: equiv computed
}

// ruleFactsKey identifies the rule facts: the class and equivalence class
// depend on the tool name and rule id, the secret kinds on the rule id and
// name.
type ruleFactsKey struct{ tool, id, name string }

// sigCache memoizes rule facts for one source. It is not safe for
// concurrent use: each source has its own.
type sigCache struct {
	m map[ruleFactsKey]*ruleFacts
}

// maxSigCache bounds a sigCache; past it, facts are computed each time.
const maxSigCache = 1 << 14

func (c *sigCache) facts(f *finding.Finding) *ruleFacts {
	if c == nil {
		return &ruleFacts{}
	}
	k := ruleFactsKey{f.Tool.Name, f.Rule.ID, f.Rule.Name}
	if r := c.m[k]; r != nil {
		return r
	}
	r := &ruleFacts{}
	if c.m == nil {
		c.m = map[ruleFactsKey]*ruleFacts{}
	}
	if len(c.m) < maxSigCache {
		c.m[k] = r
	}
	return r
}

func newSig(f *finding.Finding, c *sigCache) sig {
	rf := c.facts(f)
	if rf.done&1 == 0 {
		rf.class, rf.done = ruleClass(f), rf.done|1
	}
	if rf.done&4 == 0 {
		rf.equiv, rf.equivMsg = equivalence(f)
		rf.generic = genericRule(f.Rule.ID)
		rf.done |= 4
	}
	s := sig{kind: kindOf(f.Category), path: f.Location.Path, region: f.Location.Region,
		cwes: mergeableCWEs(f.CWEs), class: rf.class, generic: rf.generic}
	switch s.kind {
	case kindSecret:
		if rf.done&2 == 0 {
			rf.skinds, rf.done = secretKindsOf(f), rf.done|2
		}
		s.x = &sigExtra{secret: f.Fingerprints["secret/sha256"], skinds: rf.skinds}
	case kindPackage:
		x := &sigExtra{}
		for _, v := range f.VulnIDs {
			x.vulns = append(x.vulns, strings.ToUpper(strings.TrimSpace(v)))
		}
		slices.Sort(x.vulns)
		x.vulns = slices.Compact(x.vulns)
		if p := f.Location.Package; p != nil {
			x.pkg, x.version, x.image, x.eco = p.Name, p.Version, p.Image, strings.ToLower(p.Ecosystem)
		}
		s.x = x
	case kindWeb:
		x := &sigExtra{}
		if w := f.Location.Web; w != nil {
			x.web, x.param = webKey(w.URL), w.Parameter
		}
		s.x = x
	case kindSource:
		if s.class == classCredential {
			s.cred = true
		}
		for _, c := range credentialCWEs {
			if _, ok := slices.BinarySearch(s.cwes, c); ok {
				s.cred = true
			}
		}
		l := &f.Location
		s.point = f.Category == finding.CategoryIaC && l.Region.StartLine > 0 && l.Region.EndLine == 0
		equiv := rf.equiv
		if rf.equivMsg {
			equiv, _ = equivalence(f)
		}
		if equiv != "" {
			s.x = &sigExtra{equiv: equiv, tool: f.Tool.Name}
			if l.Resource != "" {
				s.x.res = resourceKey(l.Resource)
			}
		}
	}
	return s
}

// mergeableCWEs returns the trusted ids of cwes (see [trustedCWEs]) that are
// specific enough for a merge: Base, Variant and Compound weaknesses, and
// Classes, which merge only reports on one and the same line (see
// matchSource). Pillars, categories, views and deprecated entries of the CWE
// List say too little about a flaw: "Protection Mechanism Failure"
// (CWE-693, a Pillar) covers any missing security header. It returns cwes
// itself when all are kept (the result must not be modified).
func mergeableCWEs(cwes []int) []int {
	cwes = trustedCWEs(cwes)
	keep := func(c int) bool { return cwe.Specific(c) || cwe.LevelOf(c) == cwe.Class }
	for i, c := range cwes {
		if !keep(c) {
			out := slices.Clone(cwes[:i])
			for _, c := range cwes[i+1:] {
				if keep(c) {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return cwes
}

// placeKey returns the place of s: findings that can match (see [match])
// always have the same one. Source findings and
// secrets match only in one file, packages only with the same name, web
// findings only on the same endpoint.
func (s *sig) placeKey() string {
	switch s.kind {
	case kindPackage:
		return s.x.pkg
	case kindWeb:
		return s.x.web
	}
	return s.path
}

// indexKey is a key under which candidates for merging are found.
type indexKey struct {
	kind byte // 's' path+CWE, 'c' path+rule class, 'q' path+equivalence class, 'k' path (credentials), 'v' vuln id, 'w' endpoint+parameter
	n    int
	a, b string
}

// indexKeys appends the keys under which candidates for merging with s
// are found: two findings can match only if they share a key.
func (s *sig) indexKeys(keys []indexKey) []indexKey {
	switch s.kind {
	case kindSource:
		if s.path == "" {
			return keys
		}
		for _, c := range s.cwes {
			keys = append(keys, indexKey{kind: 's', a: s.path, n: c})
		}
		if s.class != "" {
			keys = append(keys, indexKey{kind: 'c', a: s.path, b: s.class})
		}
		if s.x != nil && s.x.equiv != "" {
			keys = append(keys, indexKey{kind: 'q', a: s.path, b: s.x.equiv})
		}
		if s.cred {
			keys = append(keys, indexKey{kind: 'k', a: s.path})
		}
	case kindSecret:
		if s.path != "" {
			keys = append(keys, indexKey{kind: 'k', a: s.path})
		}
	case kindPackage:
		for _, v := range s.x.vulns {
			keys = append(keys, indexKey{kind: 'v', a: v})
		}
	case kindWeb:
		if s.x.web != "" {
			keys = append(keys, indexKey{kind: 'w', a: s.x.web, b: s.x.param})
		}
	}
	return keys
}

// match reports whether a and b are the same issue and, if explain is set,
// the rule that matched and the keys it compared ("same CWE: file=app/db.go
// lines=12-12 cwe=89 (Base)"). It is symmetric: match(a, b) and match(b, a)
// give the same answer and text. The rules, by kind of finding:
//
//   - source (sast, iac): one file, and rules of one equivalence class
//     (dedup_equivalent.tsv, each row with its source) of two tools about
//     one resource and overlapping lines (matchEquivalent); or overlapping
//     lines and a shared Base, Variant or Compound CWE of the CWE List, or
//     rule class; or one and the same line and a shared Class-level CWE.
//     Pillars, categories and views never merge anything.
//   - secret: one file and line, and the same secret (fingerprint) or kind
//     of secret; a source finding about a hard-coded credential matches the
//     secret on a line it covers.
//   - dependency, container: one package (ecosystem, name, version, image)
//     and a shared advisory id, each report naming all the aliases it knows.
//   - dast: one endpoint and parameter and a shared specific CWE.
//
// Exact repeats (one tool, rule and place) are collapsed before matching;
// at a coarse place (see coarse) their messages must be equal too.
func match(a, b *sig, explain bool) (string, bool) {
	switch {
	case a.kind == kindSource && b.kind == kindSource:
		return matchSource(a, b, explain)
	case a.kind == kindSecret && b.kind == kindSecret:
		return matchSecrets(a, b, explain)
	case a.kind == kindSecret && b.kind == kindSource:
		return matchCredential(b, a, explain)
	case a.kind == kindSource && b.kind == kindSecret:
		return matchCredential(a, b, explain)
	case a.kind == kindPackage && b.kind == kindPackage:
		return matchPackages(a.x, b.x, explain)
	case a.kind == kindWeb && b.kind == kindWeb:
		return matchWeb(a, b, explain)
	}
	return "", false
}

// matchSource matches two source findings of one file: rules of one
// equivalence class whose places agree (see matchEquivalent); or, on lines
// that overlap, a shared specific CWE (Base, Variant, Compound) or rule
// class; or, on one and the same line, a shared Class-level CWE.
func matchSource(a, b *sig, explain bool) (string, bool) {
	if a.path == "" || a.path != b.path {
		return "", false
	}
	if why, ok := matchEquivalent(a, b, explain); ok {
		return why, true
	}
	if !linesOverlap(a.region, b.region) || columnsApart(lineColumnsPair(a.region, b.region)) {
		return "", false
	}
	where := func() string { return "file=" + a.path + " " + linesText(a.region, b.region) }
	for _, c := range a.cwes {
		if _, ok := slices.BinarySearch(b.cwes, c); !ok {
			continue
		}
		if cwe.Specific(c) {
			if !explain {
				return "", true
			}
			return "same CWE: " + where() + " cwe=" + strconv.Itoa(c) + " (" + string(cwe.LevelOf(c)) + ")", true
		}
		la, oka := oneLine(a.region)
		lb, okb := oneLine(b.region)
		if oka && okb && la == lb {
			if !explain {
				return "", true
			}
			return "same CWE on one line: " + where() + " cwe=" + strconv.Itoa(c) + " (" + string(cwe.LevelOf(c)) + ")", true
		}
	}
	if a.class == "" || a.class != b.class {
		return "", false
	}
	if !explain {
		return "", true
	}
	return "rule class: " + where() + " rule-class=" + a.class, true
}

// lineColumns returns the start and end columns of a region on one line
// that gives both, or 0, 0 (columns beyond 65535 are not compared).
func lineColumns(r finding.Region) (uint16, uint16) {
	if _, ok := oneLine(r); !ok || r.StartColumn <= 0 || r.EndColumn <= r.StartColumn || r.EndColumn > math.MaxUint16 {
		return 0, 0
	}
	return uint16(r.StartColumn), uint16(r.EndColumn)
}

// lineColumnsPair is lineColumns of two regions, for columnsApart.
func lineColumnsPair(a, b finding.Region) (uint16, uint16, uint16, uint16) {
	sa, ea := lineColumns(a)
	sb, eb := lineColumns(b)
	return sa, ea, sb, eb
}

// columnsApart reports whether two reports on one line point at columns
// that do not overlap (SARIF's end column is exclusive): two places, such
// as two unused variables assigned on one line, even when the rule and its
// CWE are the same. Without columns on both sides, nothing is apart.
func columnsApart(sa, ea, sb, eb uint16) bool {
	if sa == 0 || sb == 0 {
		return false
	}
	return ea <= sb || eb <= sa
}

// oneLine returns the line of a region that covers exactly one line.
func oneLine(r finding.Region) (int, bool) {
	s, e := lineSpan(r)
	return s, s > 0 && s == e
}

// matchEquivalent matches findings of two different tools whose rules are
// in one equivalence class, about the same place: the same resource when
// both name one (Kubernetes objects by kind/namespace/name, Terraform
// resources by address), and lines that overlap, a location that gives no
// line covering the whole file and one given only by the first line of
// what it reports (kube-score's objects) covering the rest of the file. A
// tool's own reports are never merged this way: each is one issue.
func matchEquivalent(a, b *sig, explain bool) (string, bool) {
	ax, bx := a.x, b.x
	if ax == nil || bx == nil || ax.equiv == "" || ax.equiv != bx.equiv || ax.tool == bx.tool {
		return "", false
	}
	if ax.res != "" && bx.res != "" && ax.res != bx.res {
		return "", false
	}
	s1, e1 := objectSpan(a)
	s2, e2 := objectSpan(b)
	if s1 > e2 || s2 > e1 {
		return "", false
	}
	if !explain {
		return "", true
	}
	why := "equivalent rules: file=" + a.path
	if ax.res != "" && ax.res == bx.res {
		why += " resource=" + ax.res
	}
	lo, hi := max(s1, s2), min(e1, e2)
	switch {
	case hi == math.MaxInt32 && lo == 1:
		why += " lines=whole-file"
	case hi == math.MaxInt32:
		why += " lines=" + strconv.Itoa(lo) + "-"
	default:
		why += " lines=" + strconv.Itoa(lo) + "-" + strconv.Itoa(hi)
	}
	return why + " class=" + ax.equiv, true
}

// objectSpan returns the lines a source finding is about, for
// matchEquivalent.
func objectSpan(s *sig) (int, int) {
	start, end := lineSpan(s.region)
	switch {
	case start == 0:
		return 1, math.MaxInt32
	case s.point:
		return start, math.MaxInt32
	}
	return start, end
}

func matchSecrets(a, b *sig, explain bool) (string, bool) {
	if a.path == "" || a.path != b.path || a.region.StartLine != b.region.StartLine {
		return "", false
	}
	ax, bx := a.x, b.x
	var why string
	if ax.secret != "" && bx.secret != "" {
		if ax.secret != bx.secret {
			return "", false
		}
		why = "same secret: file=" + a.path + " line=" + strconv.Itoa(a.region.StartLine) + " secret-sha256=" + short(ax.secret)
	} else if k, ok := sharedString(ax.skinds, bx.skinds); ok {
		why = "same kind of secret on one line: file=" + a.path + " line=" + strconv.Itoa(a.region.StartLine) + " secret-rule=" + k
	} else if slices.Contains(ax.skinds, "generic") || slices.Contains(bx.skinds, "generic") {
		why = "same kind of secret on one line: file=" + a.path + " line=" + strconv.Itoa(a.region.StartLine) + " secret-rule=generic"
	} else {
		return "", false
	}
	if !explain {
		return "", true
	}
	return why, true
}

// matchCredential matches a source finding about a hard-coded credential
// (gosec G101, CWE-798) with a secret on a line it covers.
func matchCredential(src, sec *sig, explain bool) (string, bool) {
	if !src.cred || src.path == "" || src.path != sec.path || sec.region.StartLine == 0 {
		return "", false
	}
	s, e := lineSpan(src.region)
	if l := sec.region.StartLine; l < s || l > e {
		return "", false
	}
	if !explain {
		return "", true
	}
	why := "credential in a secret: file=" + src.path + " line=" + strconv.Itoa(sec.region.StartLine)
	if c, ok := sharedInt(src.cwes, credentialCWEs); ok {
		return why + " cwe=" + strconv.Itoa(c), true
	}
	return why + " rule-class=" + classCredential, true
}

// matchPackages matches two dependency or container findings: the same
// package (ecosystem, name, version, image) and the same advisory, which
// each report names by all its aliases (GHSA, CVE, GO- and OSV ids of one
// advisory are one).
func matchPackages(a, b *sigExtra, explain bool) (string, bool) {
	if a.pkg == "" || a.pkg != b.pkg || a.image != b.image {
		return "", false
	}
	if a.eco != "" && b.eco != "" && a.eco != b.eco {
		return "", false
	}
	va, vb := plainVersion(a.version), plainVersion(b.version)
	if va != "" && vb != "" && va != vb {
		return "", false
	}
	v, ok := sharedString(a.vulns, b.vulns)
	if !ok {
		return "", false
	}
	if !explain {
		return "", true
	}
	why := "same advisory: vuln=" + v + " package=" + a.pkg
	if va != "" && va == vb {
		why += "@" + a.version
	}
	if a.eco != "" && a.eco == b.eco {
		why += " ecosystem=" + a.eco
	}
	if a.image != "" {
		why += " image=" + a.image
	}
	return why, true
}

// samePackage reports whether two package findings are about one package
// (name, ecosystem, version, image), whatever their advisories: matchPackages
// without the shared advisory. Versions and ecosystems must be known on both
// sides, so that one report that names none cannot join two versions.
func samePackage(a, b *sig) bool {
	if a.kind != kindPackage || b.kind != kindPackage {
		return false
	}
	ax, bx := a.x, b.x
	return ax.pkg != "" && ax.pkg == bx.pkg && ax.image == bx.image && ax.eco != "" && ax.eco == bx.eco &&
		ax.version != "" && plainVersion(ax.version) == plainVersion(bx.version)
}

// oneAdvisory reports whether a package finding's ids are one advisory's
// aliases: at most one id of each scheme (the part before the first "-":
// CVE, GHSA, GO, PYSEC…).
func oneAdvisory(s *sig) bool {
	if s.kind != kindPackage || len(s.x.vulns) == 0 {
		return false
	}
	var seen []string
	for _, v := range s.x.vulns {
		scheme, _, _ := strings.Cut(v, "-")
		if slices.Contains(seen, scheme) {
			return false
		}
		seen = append(seen, scheme)
	}
	return true
}

// plainVersion is a version without the "v" that Go modules' versions
// carry and other tools leave out ("v0.7.0" and "0.7.0" are one version).
func plainVersion(v string) string {
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	return v
}

func matchWeb(a, b *sig, explain bool) (string, bool) {
	ax, bx := a.x, b.x
	if ax.web == "" || ax.web != bx.web || ax.param != bx.param {
		return "", false
	}
	c, ok := 0, false
	for _, x := range a.cwes {
		if _, shared := slices.BinarySearch(b.cwes, x); shared && cwe.Specific(x) {
			c, ok = x, true
			break
		}
	}
	if !ok {
		return "", false
	}
	if !explain {
		return "", true
	}
	why := "same weakness at one place: url=" + ax.web
	if ax.param != "" {
		why += " param=" + ax.param
	}
	return why + " cwe=" + strconv.Itoa(c) + " (" + string(cwe.LevelOf(c)) + ")", true
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}

// nearMiss reports why two findings that did not merge almost did: they
// share a key that matching compares but fail another (see
// [Report.ExplainNear]). It returns false for pairs with nothing in common
// worth telling, and for pairs that match.
func nearMiss(f, g *finding.Finding, a, b *sig) (string, bool) {
	if _, ok := match(a, b, false); ok || a.kind != b.kind {
		return "", false
	}
	if f.Tool.Name == g.Tool.Name && f.Rule.ID == g.Rule.ID && f.Message != g.Message &&
		coarse(f, a) && coarse(g, b) && compareLocations(&f.Location, &g.Location) == 0 {
		return "one tool and rule at a place too coarse to tell reports apart (no line, an object's first line, a page, or a rule id that names no check), and different messages: " +
			strconv.Quote(firstLine(f.Message)) + ", " + strconv.Quote(firstLine(g.Message)), true
	}
	if abstract, ok := sharedAbstractCWE(f, g); ok && (a.kind == kindWeb && a.x.web == b.x.web || a.kind == kindSource && linesOverlap(a.region, b.region)) {
		return abstract, true
	}
	switch a.kind {
	case kindSource:
		ax, bx := a.x, b.x
		if ax == nil || bx == nil || ax.equiv == "" || ax.equiv != bx.equiv {
			return "", false
		}
		switch {
		case ax.tool == bx.tool:
			return "equivalent rules (" + ax.equiv + ") but one tool's own reports, each an issue", true
		case ax.res != "" && bx.res != "" && ax.res != bx.res:
			return "equivalent rules (" + ax.equiv + ") on different resources: " + ax.res + ", " + bx.res, true
		}
		return "equivalent rules (" + ax.equiv + ") on lines that do not overlap", true
	case kindSecret:
		if a.region.StartLine == b.region.StartLine {
			return "one line, but different secrets (fingerprints or kinds of secret differ)", true
		}
	case kindPackage:
		ax, bx := a.x, b.x
		if _, shared := sharedString(ax.vulns, bx.vulns); shared && ax.pkg == bx.pkg {
			return "one advisory of " + ax.pkg + ", but another ecosystem, version or image", true
		}
	}
	return "", false
}

// sharedAbstractCWE names a trusted CWE that two findings share but that is
// too abstract to merge them (a Pillar, or a Class on different lines).
func sharedAbstractCWE(f, g *finding.Finding) (string, bool) {
	for _, c := range trustedCWEs(f.CWEs) {
		if !slices.Contains(g.CWEs, c) || cwe.Specific(c) {
			continue
		}
		level := cwe.LevelOf(c)
		if level == "" {
			level = "not in the CWE List"
		}
		return "shared CWE-" + strconv.Itoa(c) + " is a " + string(level) + " of the CWE List " + cwe.Version() + ": too abstract to say the reports are one issue", true
	}
	return "", false
}

// firstLine is the first line of a message, cut at 80 bytes, for
// explanations.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}
