package aggregate

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/toolinfo"
)

// Properties keys the engine sets on findings.
const (
	// PropPartial is "true" on a finding whose source failed or timed out
	// after emitting it: the source's findings may be incomplete.
	PropPartial = "scanmux/partial"
	// PropOriginalPath keeps the path a tool reported when it was outside
	// the scan root and so cleared from the location.
	PropOriginalPath = "scanmux/original-path"
	// PropUnresolvedPath is where a report reader keeps a path it could
	// not make relative to its root (scanmux's adapters do), and
	// PropUnresolvedRegion the region of that location, as
	// "startLine:startColumn-endLine:endColumn". The engine places such a
	// path under the scan root by suffix when it can.
	PropUnresolvedPath   = "unresolvedPath"
	PropUnresolvedRegion = "unresolvedRegion"
	// PropOriginalRegion keeps, with PropOriginalPath, the region of a
	// location whose path was cleared ("12:5-12:20").
	PropOriginalRegion = "scanmux/original-region"
	// PropSeverityReason says why a filter changed the severity.
	PropSeverityReason = "scanmux/severity-reason"
	// PropAmbiguous lists, on a finding kept apart because it could merge
	// with findings that do not merge with each other, those findings.
	PropAmbiguous = "scanmux/ambiguous"
)

// normalizer is the normalize stage of one run.
type normalizer struct {
	root  string
	warn  *warnings
	paths *pathResolver
}

// normalize fixes f in place so that it satisfies the model's invariants
// as far as possible (see the package documentation of finding), and
// reports an error if it still does not. src is the source's name, for
// warnings; tool is the default tool for findings that name none.
func (n *normalizer) normalize(f *finding.Finding, src string, tool finding.Tool, st *normState) error {
	if f.Tool.Name == "" {
		f.Tool = tool
	}
	f.Tool = st.canonical(f.Tool)
	if f.Rule.ID == "" {
		f.Rule.ID = "unknown"
		n.warn.add(src, "findings without a rule id, given rule \"unknown\"", f.Message)
	}
	if f.Message == "" {
		f.Message = cmpOr(f.Rule.ShortDescription, f.Rule.Name, f.Rule.FullDescription, f.Rule.ID)
	}

	if f.Location.Path == "" {
		n.unresolved(f, src)
	}
	n.location(&f.Location, f, src, true, st)
	for i := range f.Related {
		n.location(&f.Related[i], f, src, false, st)
	}
	for i := range f.Flows {
		for j := range f.Flows[i].Steps {
			n.location(&f.Flows[i].Steps[j], f, src, false, st)
		}
	}

	if !f.Severity.Valid() {
		sev, err := finding.ParseSeverity(f.OriginalSeverity)
		if err != nil || !sev.Valid() {
			sev = finding.SeverityMedium
			n.warn.add(src, "findings without a usable severity, set to medium", f.Rule.ID+" "+quoteOrEmpty(f.OriginalSeverity))
		}
		f.Severity = sev
	}

	n.cwes(f, st)
	if !f.Category.Valid() {
		f.Category = inferCategory(f)
	}
	if toolinfo.IsSecret(f) {
		toolinfo.Redact(f)
	}
	return f.Validate()
}

// normState is what normalizing keeps between the findings of one source.
type normState struct {
	rules map[string]*ruleCWEs // by rule id
	// tool and canon are the last tool seen and its canonical form: a
	// source's findings mostly name one tool.
	tool, canon finding.Tool
	// paths caches where each reported path was placed.
	paths map[string]placed
}

// canonical returns t with its canonical id (see toolinfo.CanonicalTool).
func (st *normState) canonical(t finding.Tool) finding.Tool {
	if t != st.tool {
		st.tool, st.canon = t, toolinfo.CanonicalTool(t)
	}
	return st.canon
}

// ruleCWEs is the CWE ids found in a rule's tags and texts.
type ruleCWEs struct {
	rule finding.Rule
	ids  []int
}

// ruleCWEs appends the CWE ids in r's tags and texts to ids, remembering
// them for the next finding of the same rule.
func (st *normState) ruleCWEs(ids []int, r *finding.Rule) []int {
	c := st.rules[r.ID]
	if c == nil || !c.rule.SameTexts(r) || !slices.Equal(c.rule.Tags, r.Tags) {
		c = &ruleCWEs{rule: *r}
		c.rule.Tags = slices.Clone(r.Tags)
		for _, t := range r.Tags {
			c.ids = appendCWEMatches(c.ids, t, true)
		}
		c.ids = appendCWEMatches(c.ids, r.ID, false)
		c.ids = appendCWEMatches(c.ids, r.Name, false)
		c.ids = appendCWEMatches(c.ids, r.ShortDescription, false)
		c.ids = appendCWEMatches(c.ids, r.FullDescription, false)
		if st.rules == nil {
			st.rules = map[string]*ruleCWEs{}
		}
		st.rules[r.ID] = c
	}
	return append(ids, c.ids...)
}

// location makes l's path relative to the root. A path that names no file
// under the root is matched by suffix (see pathResolver); one that still
// cannot be placed under the root is cleared, and kept with its region in
// Properties so that no line is lost and findings at different places do
// not merge. Each case is warned about with a count and an example.
func (n *normalizer) location(l *finding.Location, f *finding.Finding, src string, primary bool, st *normState) {
	if l.Path == "" {
		return
	}
	r, seen := st.paths[l.Path]
	if !seen {
		r = n.place(l.Path)
		if st.paths == nil {
			st.paths = map[string]placed{}
		}
		st.paths[l.Path] = r
	}
	if r.warn != "" {
		n.warn.add(src, r.warn, r.example)
	}
	if r.path != "" {
		l.Path = r.path
		return
	}
	if primary {
		setProp(f, PropOriginalPath, l.Path)
		if !l.Region.IsZero() {
			setProp(f, PropOriginalRegion, finding.RegionText(l.Region))
		}
	}
	l.Path, l.Region, l.Snippet = "", finding.Region{}, ""
}

// unresolved places under the root the absolute path that a reader could
// not make relative to its root and kept in f's properties
// (PropUnresolvedPath with PropUnresolvedRegion, or SARIF's "sarif.uri"):
// a report made in another checkout or container.
func (n *normalizer) unresolved(f *finding.Finding, src string) {
	for _, k := range []string{PropUnresolvedPath, "sarif.uri"} {
		p := f.Properties[k]
		if p == "" || !isAbsPath(p) {
			continue
		}
		to, ok := n.paths.resolve(slashPath(p))
		if !ok {
			n.warn.add(src, warnOutside, p)
			return
		}
		n.warn.add(src, "absolute paths outside the root, matched under the root by suffix", p+" -> "+to)
		f.Location.Path = to
		if r, ok := finding.ParseRegionText(f.Properties[PropUnresolvedRegion]); ok {
			f.Location.Region = r
		}
		delete(f.Properties, k)
		delete(f.Properties, PropUnresolvedRegion)
		return
	}
}

// isAbsPath reports whether p is an absolute path or a file URI.
func isAbsPath(p string) bool {
	return strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || len(p) >= 5 && strings.EqualFold(p[:5], "file:") ||
		len(p) >= 3 && p[1] == ':' && (p[2] == '/' || p[2] == '\\')
}

// warnOutside is the warning about findings whose path is outside the root.
const warnOutside = "findings point outside the root (pass --root); their paths and lines are kept in properties"

// placed is where a reported path was placed under the root: path, or ""
// when it could not be; warn and example say what to warn about.
type placed struct {
	path, warn, example string
}

// place places a reported path under the root.
func (n *normalizer) place(p string) placed {
	rel, err := finding.NormalizePath(n.root, p)
	switch {
	case err == nil:
		if n.paths.exist(rel) {
			return placed{path: rel}
		}
		if to, ok := n.paths.resolve(rel); ok {
			return placed{path: to, warn: "paths relative to another directory (the tool's working directory?), matched under the root by suffix", example: rel + " -> " + to}
		}
		return placed{path: rel, warn: "paths that name no file under the root, kept as reported (pass --root, or --path-prefix for this input)", example: rel}
	case errors.Is(err, finding.ErrPathOutsideRoot):
		if to, ok := n.paths.resolve(slashPath(p)); ok {
			return placed{path: to, warn: "absolute paths outside the root, matched under the root by suffix", example: p + " -> " + to}
		}
		return placed{warn: warnOutside, example: p}
	}
	return placed{warn: "locations with unusable paths, path cleared; kept in properties", example: err.Error()}
}

// slashPath returns an absolute path or file URI as a slash path without
// scheme or drive letter.
func slashPath(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	if len(p) >= 5 && strings.EqualFold(p[:5], "file:") {
		p = strings.TrimLeft(p[5:], "/")
		p = "/" + p
	}
	if len(p) >= 2 && p[1] == ':' {
		p = p[2:]
	}
	return p
}

func (n *normalizer) cwes(f *finding.Finding, st *normState) {
	var buf [16]int
	ids := append(buf[:0], f.CWEs...)
	ids = st.ruleCWEs(ids, &f.Rule)
	ids = appendCWEMatches(ids, f.Message, false)
	if len(f.Properties) > 0 {
		var keys []string
		for k := range f.Properties {
			if k != PropCWEUntrusted && containsFold(k, "cwe") {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			ids = append(ids, cwesFromProperty(f.Properties[k])...)
		}
	}
	var keptBuf [16]int
	kept, untrusted := splitCWEs(ids, keptBuf[:0])
	switch {
	case slices.Equal(kept, f.CWEs) && (kept == nil) == (f.CWEs == nil):
		// Unchanged: keep the slice, which the source may share between
		// findings.
	case len(kept) == 0:
		f.CWEs = nil
	default:
		f.CWEs = slices.Clone(kept)
	}
	if len(untrusted) > 0 {
		setProp(f, PropCWEUntrusted, formatInts(untrusted))
	}
}

// containsFold reports whether strings.ToLower(s) contains the lower-case
// ASCII word w, without allocating when s is ASCII.
func containsFold(s, w string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(s), w)
		}
	}
	for i := 0; i+len(w) <= len(s); i++ {
		j := 0
		for j < len(w) && lowerASCII(s[i+j]) == w[j] {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// inferCategory guesses the kind of f from what it carries.
func inferCategory(f *finding.Finding) finding.Category {
	l := &f.Location
	switch {
	case f.Fingerprints["secret/sha256"] != "" || mentionsSecret(f):
		return finding.CategorySecret
	case l.Web != nil:
		return finding.CategoryDAST
	case l.Package != nil && l.Package.Image != "":
		return finding.CategoryContainer
	case l.Package != nil:
		return finding.CategoryDependency
	case l.Resource != "" || isIaCPath(l.Path):
		return finding.CategoryIaC
	}
	return finding.CategorySAST
}

// mentionsSecret reports whether f's rule names a secret.
func mentionsSecret(f *finding.Finding) bool {
	secretWord := func(w string) bool {
		return containsFold(w, "secret") || containsFold(w, "credential") || containsFold(w, "token")
	}
	return secretWord(f.Rule.ID) || secretWord(f.Rule.Name) || slices.ContainsFunc(f.Rule.Tags, secretWord)
}

// k8sHints are path elements and base-name parts that make a YAML file a
// Kubernetes or Helm manifest.
var k8sHints = []string{"k8s", "kube", "manifest", "helm", "chart", "deploy", "kustomiz",
	"service", "ingress", "pod", "statefulset", "daemonset", "cronjob", "configmap"}

// isIaCPath reports whether p is an infrastructure-as-code file: a
// Dockerfile, Terraform/HCL, CloudFormation or a Kubernetes manifest.
func isIaCPath(p string) bool {
	if p == "" {
		return false
	}
	lp := strings.ToLower(p)
	base := path.Base(lp)
	switch {
	case base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || strings.HasSuffix(base, ".dockerfile") ||
		base == "containerfile":
		return true
	case strings.HasSuffix(base, ".tf") || strings.HasSuffix(base, ".tfvars") || strings.HasSuffix(base, ".hcl") ||
		strings.HasSuffix(base, ".bicep"):
		return true
	case strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml"):
		for _, h := range k8sHints {
			if strings.Contains(lp, h) {
				return true
			}
		}
		return strings.Contains(lp, "cloudformation")
	}
	return false
}

// setProp sets f.Properties[k] = v, allocating the map.
func setProp(f *finding.Finding, k, v string) {
	if f.Properties == nil {
		f.Properties = map[string]string{}
	}
	f.Properties[k] = v
}

// cmpOr returns the first non-empty string.
func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func quoteOrEmpty(s string) string {
	if s == "" {
		return "(no original severity)"
	}
	return fmt.Sprintf("%q", s)
}

// warnings collects warnings, counting repeats of one kind per source so
// that a million bad findings make one line.
type warnings struct {
	mu   sync.Mutex
	m    map[[2]string]*warnCount
	once []string
}

type warnCount struct {
	n     int
	first string
}

// add records one occurrence of a warning kind for source src, with an
// example.
func (w *warnings) add(src, kind, example string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[[2]string]*warnCount{}
	}
	k := [2]string{src, kind}
	c := w.m[k]
	if c == nil {
		c = &warnCount{first: example}
		w.m[k] = c
	}
	c.n++
	if example < c.first { // the smallest example, not the first to arrive
		c.first = example
	}
}

// addLine records a warning as it is.
func (w *warnings) addLine(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.once = append(w.once, s)
}

// list returns the warnings, sorted.
func (w *warnings) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := slices.Clone(w.once)
	for k, c := range w.m {
		s := k[0] + ": " + k[1]
		if c.n > 1 {
			s += fmt.Sprintf(" (%d findings, e.g. %s)", c.n, c.first)
		} else if c.first != "" {
			s += " (" + c.first + ")"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
