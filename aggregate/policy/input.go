package policy

import (
	"encoding/binary"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/scanmux/scanmux/finding"
)

// need is the part of the input document the policies read: a tree of field
// names. A node with all set needs its whole subtree. Load computes it from
// the compiled policies' references to input, so that Apply converts only
// the fields that matter and caches decisions by their values alone.
type need struct {
	all      bool
	children map[string]*need
}

var needAll = &need{all: true}

// get returns the need for field name of n, and whether it is needed.
func (n *need) get(name string) (*need, bool) {
	if n == nil {
		return nil, false
	}
	if n.all {
		return needAll, true
	}
	c, ok := n.children[name]
	return c, ok
}

// add records that path (field names below input) is needed in full.
func (n *need) add(path []string) {
	for _, p := range path {
		if n.all {
			return
		}
		if n.children == nil {
			n.children = map[string]*need{}
		}
		c := n.children[p]
		if c == nil {
			c = &need{}
			n.children[p] = c
		}
		n = c
	}
	n.all, n.children = true, nil
}

// String lists the needed paths, for tests and debugging.
func (n *need) String() string {
	var paths []string
	var walk func(n *need, prefix string)
	walk = func(n *need, prefix string) {
		if n.all {
			paths = append(paths, prefix)
			return
		}
		for k, c := range n.children {
			walk(c, prefix+"."+k)
		}
	}
	walk(n, "input")
	slices.Sort(paths)
	return strings.Join(paths, " ")
}

// merge adds what o needs to n.
func (n *need) merge(o *need) {
	var walk func(o *need, path []string)
	walk = func(o *need, path []string) {
		if o.all {
			n.add(path)
			return
		}
		for k, c := range o.children {
			walk(c, append(path[:len(path):len(path)], k))
		}
	}
	walk(o, nil)
}

// ruleNeeds returns what the compiled rule data.scanmux.<name> reads from
// input, directly or through the rules and functions it refers to.
func ruleNeeds(c *ast.Compiler, name string) *need {
	root := &need{}
	seen := map[*ast.Rule]bool{}
	var queue []*ast.Rule
	follow := func(ref ast.Ref) {
		for _, r := range c.GetRulesDynamicWithOpts(ref, ast.RulesOptions{}) {
			if !seen[r] {
				seen[r] = true
				queue = append(queue, r)
			}
		}
	}
	var vis *ast.GenericVisitor
	vis = ast.NewGenericVisitor(func(x any) bool {
		switch x := x.(type) {
		case ast.Ref:
			switch {
			case x.HasPrefix(ast.InputRootRef):
				var path []string
				for _, t := range x[1:] {
					s, ok := t.Value.(ast.String)
					if !ok {
						break
					}
					path = append(path, string(s))
				}
				root.add(path)
			case x.HasPrefix(ast.DefaultRootRef):
				follow(x)
			default:
				vis.Walk(x[0])
			}
			for _, t := range x[1:] {
				vis.Walk(t)
			}
			return true
		case ast.Var:
			switch {
			case x.Equal(ast.InputRootDocument.Value):
				root.add(nil)
			case x.Equal(ast.DefaultRootDocument.Value):
				follow(ast.DefaultRootRef)
			}
		}
		return false
	})
	follow(ast.Ref{ast.DefaultRootDocument, ast.StringTerm(Package), ast.StringTerm(name)})
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		vis.Walk(r)
	}
	return root
}

// Interned keys of the input document.
var (
	kFinding          = ast.StringTerm("finding")
	kContext          = ast.StringTerm("context")
	kTool             = ast.StringTerm("tool")
	kName             = ast.StringTerm("name")
	kVersion          = ast.StringTerm("version")
	kRule             = ast.StringTerm("rule")
	kID               = ast.StringTerm("id")
	kTags             = ast.StringTerm("tags")
	kMessage          = ast.StringTerm("message")
	kCategory         = ast.StringTerm("category")
	kSeverity         = ast.StringTerm("severity")
	kOriginalSeverity = ast.StringTerm("originalSeverity")
	kPrecision        = ast.StringTerm("precision")
	kCWEs             = ast.StringTerm("cwes")
	kVulnIDs          = ast.StringTerm("vulnIds")
	kLocation         = ast.StringTerm("location")
	kPath             = ast.StringTerm("path")
	kStartLine        = ast.StringTerm("startLine")
	kEndLine          = ast.StringTerm("endLine")
	kResource         = ast.StringTerm("resource")
	kPackage          = ast.StringTerm("package")
	kFixedVersion     = ast.StringTerm("fixedVersion")
	kEcosystem        = ast.StringTerm("ecosystem")
	kPURL             = ast.StringTerm("purl")
	kImage            = ast.StringTerm("image")
	kWeb              = ast.StringTerm("web")
	kURL              = ast.StringTerm("url")
	kMethod           = ast.StringTerm("method")
	kParameter        = ast.StringTerm("parameter")
	kFingerprints     = ast.StringTerm("fingerprints")
	kProperties       = ast.StringTerm("properties")
	kSuppressed       = ast.StringTerm("suppressed")
	kSuppressions     = ast.StringTerm("suppressions")
	kKind             = ast.StringTerm("kind")
	kStatus           = ast.StringTerm("status")
	kJustification    = ast.StringTerm("justification")
	kSource           = ast.StringTerm("source")
)

// walker converts the needed fields of a finding to the input document
// (when build is set) and appends their values to key, in a fixed order and
// length-prefixed, so that two findings with equal keys have equal inputs.
type walker struct {
	key   []byte
	build bool
}

type items = [][2]*ast.Term

func (w *walker) str(s string) *ast.Term {
	w.key = binary.AppendUvarint(w.key, uint64(len(s)))
	w.key = append(w.key, s...)
	if !w.build {
		return nil
	}
	return ast.InternedTerm(s)
}

func (w *walker) num(i int) *ast.Term {
	w.key = binary.AppendVarint(w.key, int64(i))
	if !w.build {
		return nil
	}
	return ast.InternedTerm(i)
}

func (w *walker) boolean(b bool) *ast.Term {
	if b {
		w.key = append(w.key, 1)
	} else {
		w.key = append(w.key, 0)
	}
	if !w.build {
		return nil
	}
	return ast.InternedTerm(b)
}

func (w *walker) strs(ss []string) *ast.Term {
	w.key = binary.AppendUvarint(w.key, uint64(len(ss)))
	var ts []*ast.Term
	if w.build {
		ts = make([]*ast.Term, len(ss))
	}
	for i, s := range ss {
		t := w.str(s)
		if w.build {
			ts[i] = t
		}
	}
	if !w.build {
		return nil
	}
	return ast.NewTerm(ast.NewArray(ts...))
}

func (w *walker) ints(is []int) *ast.Term {
	w.key = binary.AppendUvarint(w.key, uint64(len(is)))
	var ts []*ast.Term
	if w.build {
		ts = make([]*ast.Term, len(is))
	}
	for i, n := range is {
		t := w.num(n)
		if w.build {
			ts[i] = t
		}
	}
	if !w.build {
		return nil
	}
	return ast.NewTerm(ast.NewArray(ts...))
}

func (w *walker) strMap(m map[string]string) *ast.Term {
	w.key = binary.AppendUvarint(w.key, uint64(len(m)))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var kv items
	for _, k := range keys {
		kt, vt := w.str(k), w.str(m[k])
		if w.build {
			kv = append(kv, [2]*ast.Term{kt, vt})
		}
	}
	return w.obj(kv)
}

// field appends k: t to kv when building.
func (w *walker) field(kv items, k, t *ast.Term) items {
	if !w.build {
		return kv
	}
	return append(kv, [2]*ast.Term{k, t})
}

func (w *walker) obj(kv items) *ast.Term {
	if !w.build {
		return nil
	}
	return ast.NewTerm(ast.NewObject(kv...))
}

// present records whether an optional object is there; absent objects are
// left out of the input, so policies see them undefined.
func (w *walker) present(ok bool) bool {
	if ok {
		w.key = append(w.key, 1)
	} else {
		w.key = append(w.key, 0)
	}
	return ok
}

// Fields of the finding document, one bit each; an evaluator converts and
// keys only the fields in its mask.
const (
	fToolName uint64 = 1 << iota
	fToolVersion
	fRuleID
	fRuleName
	fRuleTags
	fMessage
	fCategory
	fSeverity
	fOriginalSeverity
	fPrecision
	fCWEs
	fVulnIDs
	fPath
	fStartLine
	fEndLine
	fResource
	fPkgName
	fPkgVersion
	fPkgFixedVersion
	fPkgEcosystem
	fPkgPURL
	fPkgImage
	fWebURL
	fWebMethod
	fWebParameter
	fFingerprints
	fProperties
	fSuppressed
	fSuppKind
	fSuppStatus
	fSuppJustification
	fSuppSource

	fTool         = fToolName | fToolVersion
	fRule         = fRuleID | fRuleName | fRuleTags
	fPackage      = fPkgName | fPkgVersion | fPkgFixedVersion | fPkgEcosystem | fPkgPURL | fPkgImage
	fWeb          = fWebURL | fWebMethod | fWebParameter
	fLocation     = fPath | fStartLine | fEndLine | fResource | fPackage | fWeb
	fSuppressions = fSuppKind | fSuppStatus | fSuppJustification | fSuppSource
)

// fieldPaths names each field bit by its path below input.finding.
var fieldPaths = []struct {
	path string
	bit  uint64
}{
	{"tool.name", fToolName}, {"tool.version", fToolVersion},
	{"rule.id", fRuleID}, {"rule.name", fRuleName}, {"rule.tags", fRuleTags},
	{"message", fMessage}, {"category", fCategory}, {"severity", fSeverity},
	{"originalSeverity", fOriginalSeverity}, {"precision", fPrecision},
	{"cwes", fCWEs}, {"vulnIds", fVulnIDs},
	{"location.path", fPath}, {"location.startLine", fStartLine}, {"location.endLine", fEndLine},
	{"location.resource", fResource},
	{"location.package.name", fPkgName}, {"location.package.version", fPkgVersion},
	{"location.package.fixedVersion", fPkgFixedVersion}, {"location.package.ecosystem", fPkgEcosystem},
	{"location.package.purl", fPkgPURL}, {"location.package.image", fPkgImage},
	{"location.web.url", fWebURL}, {"location.web.method", fWebMethod}, {"location.web.parameter", fWebParameter},
	{"fingerprints", fFingerprints}, {"properties", fProperties}, {"suppressed", fSuppressed},
	{"suppressions.kind", fSuppKind}, {"suppressions.status", fSuppStatus},
	{"suppressions.justification", fSuppJustification}, {"suppressions.source", fSuppSource},
}

// mask returns the field bits n (the need for input.finding) covers.
func (n *need) mask() uint64 {
	var m uint64
	for _, f := range fieldPaths {
		c, ok := n, n != nil
		for _, part := range strings.Split(f.path, ".") {
			if !ok || c.all {
				break
			}
			c, ok = c.get(part)
		}
		if ok {
			m |= f.bit
		}
	}
	return m
}

func (w *walker) finding(f *finding.Finding, m uint64) *ast.Term {
	var kv items
	if w.build {
		kv = make(items, 0, 17)
	}
	if m&fTool != 0 {
		var t items
		if m&fToolName != 0 {
			t = w.field(t, kName, w.str(f.Tool.Name))
		}
		if m&fToolVersion != 0 {
			t = w.field(t, kVersion, w.str(f.Tool.Version))
		}
		kv = w.field(kv, kTool, w.obj(t))
	}
	if m&fRule != 0 {
		var r items
		if m&fRuleID != 0 {
			r = w.field(r, kID, w.str(f.Rule.ID))
		}
		if m&fRuleName != 0 {
			r = w.field(r, kName, w.str(f.Rule.Name))
		}
		if m&fRuleTags != 0 {
			r = w.field(r, kTags, w.strs(f.Rule.Tags))
		}
		kv = w.field(kv, kRule, w.obj(r))
	}
	if m&fMessage != 0 {
		kv = w.field(kv, kMessage, w.str(f.Message))
	}
	if m&fCategory != 0 {
		kv = w.field(kv, kCategory, w.str(string(f.Category)))
	}
	if m&fSeverity != 0 {
		kv = w.field(kv, kSeverity, w.str(severityName(f.Severity)))
	}
	if m&fOriginalSeverity != 0 {
		kv = w.field(kv, kOriginalSeverity, w.str(f.OriginalSeverity))
	}
	if m&fPrecision != 0 {
		kv = w.field(kv, kPrecision, w.str(string(f.Precision)))
	}
	if m&fCWEs != 0 {
		kv = w.field(kv, kCWEs, w.ints(f.CWEs))
	}
	if m&fVulnIDs != 0 {
		kv = w.field(kv, kVulnIDs, w.strs(f.VulnIDs))
	}
	if m&fLocation != 0 {
		kv = w.field(kv, kLocation, w.location(&f.Location, m))
	}
	if m&fFingerprints != 0 {
		// Policies see the identity among the fingerprints.
		kv = w.field(kv, kFingerprints, w.strMap(f.AllFingerprints()))
	}
	if m&fProperties != 0 {
		kv = w.field(kv, kProperties, w.strMap(f.Properties))
	}
	if m&fSuppressed != 0 {
		kv = w.field(kv, kSuppressed, w.boolean(f.Suppressed()))
	}
	if m&fSuppressions != 0 {
		w.key = binary.AppendUvarint(w.key, uint64(len(f.Suppressions)))
		var ts []*ast.Term
		for _, s := range f.Suppressions {
			var o items
			if m&fSuppKind != 0 {
				o = w.field(o, kKind, w.str(string(s.Kind)))
			}
			if m&fSuppStatus != 0 {
				o = w.field(o, kStatus, w.str(string(s.Status)))
			}
			if m&fSuppJustification != 0 {
				o = w.field(o, kJustification, w.str(s.Justification))
			}
			if m&fSuppSource != 0 {
				o = w.field(o, kSource, w.str(s.Source))
			}
			if w.build {
				ts = append(ts, w.obj(o))
			}
		}
		if w.build {
			kv = w.field(kv, kSuppressions, ast.NewTerm(ast.NewArray(ts...)))
		}
	}
	return w.obj(kv)
}

func (w *walker) location(l *finding.Location, m uint64) *ast.Term {
	var kv items
	if m&fPath != 0 {
		kv = w.field(kv, kPath, w.str(l.Path))
	}
	if m&fStartLine != 0 {
		kv = w.field(kv, kStartLine, w.num(l.Region.StartLine))
	}
	if m&fEndLine != 0 {
		kv = w.field(kv, kEndLine, w.num(l.Region.EndLine))
	}
	if m&fResource != 0 {
		kv = w.field(kv, kResource, w.str(l.Resource))
	}
	if m&fPackage != 0 && w.present(l.Package != nil) {
		p := l.Package
		var o items
		for _, f := range [...]struct {
			bit uint64
			k   *ast.Term
			v   string
		}{
			{fPkgName, kName, p.Name}, {fPkgVersion, kVersion, p.Version},
			{fPkgFixedVersion, kFixedVersion, p.FixedVersion}, {fPkgEcosystem, kEcosystem, p.Ecosystem},
			{fPkgPURL, kPURL, p.PURL}, {fPkgImage, kImage, p.Image},
		} {
			if m&f.bit != 0 {
				o = w.field(o, f.k, w.str(f.v))
			}
		}
		kv = w.field(kv, kPackage, w.obj(o))
	}
	if m&fWeb != 0 && w.present(l.Web != nil) {
		x := l.Web
		var o items
		if m&fWebURL != 0 {
			o = w.field(o, kURL, w.str(x.URL))
		}
		if m&fWebMethod != 0 {
			o = w.field(o, kMethod, w.str(x.Method))
		}
		if m&fWebParameter != 0 {
			o = w.field(o, kParameter, w.str(x.Parameter))
		}
		kv = w.field(kv, kWeb, w.obj(o))
	}
	return w.obj(kv)
}

// severityName is the severity's name in the input document; an unset
// severity is "".
func severityName(s finding.Severity) string {
	if !s.Valid() {
		return ""
	}
	return s.String()
}
