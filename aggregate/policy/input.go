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

// inputNeeds returns what the compiled modules read from input.
func inputNeeds(modules map[string]*ast.Module) *need {
	root := &need{}
	var vis *ast.GenericVisitor
	vis = ast.NewGenericVisitor(func(x any) bool {
		switch x := x.(type) {
		case ast.Ref:
			if x.HasPrefix(ast.InputRootRef) {
				var path []string
				for _, t := range x[1:] {
					s, ok := t.Value.(ast.String)
					if !ok {
						break
					}
					path = append(path, string(s))
				}
				root.add(path)
			} else {
				vis.Walk(x[0])
			}
			for _, t := range x[1:] {
				vis.Walk(t)
			}
			return true
		case ast.Var:
			if x.Equal(ast.InputRootDocument.Value) {
				root.add(nil)
			}
		}
		return false
	})
	for _, m := range modules {
		vis.Walk(m)
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

func (w *walker) finding(f *finding.Finding, n *need) *ast.Term {
	var kv items
	if w.build {
		kv = make(items, 0, 17)
	}
	if c, ok := n.get("tool"); ok {
		var t items
		if _, ok := c.get("name"); ok {
			t = w.field(t, kName, w.str(f.Tool.Name))
		}
		if _, ok := c.get("version"); ok {
			t = w.field(t, kVersion, w.str(f.Tool.Version))
		}
		kv = w.field(kv, kTool, w.obj(t))
	}
	if c, ok := n.get("rule"); ok {
		var r items
		if _, ok := c.get("id"); ok {
			r = w.field(r, kID, w.str(f.Rule.ID))
		}
		if _, ok := c.get("name"); ok {
			r = w.field(r, kName, w.str(f.Rule.Name))
		}
		if _, ok := c.get("tags"); ok {
			r = w.field(r, kTags, w.strs(f.Rule.Tags))
		}
		kv = w.field(kv, kRule, w.obj(r))
	}
	if _, ok := n.get("message"); ok {
		kv = w.field(kv, kMessage, w.str(f.Message))
	}
	if _, ok := n.get("category"); ok {
		kv = w.field(kv, kCategory, w.str(string(f.Category)))
	}
	if _, ok := n.get("severity"); ok {
		kv = w.field(kv, kSeverity, w.str(severityName(f.Severity)))
	}
	if _, ok := n.get("originalSeverity"); ok {
		kv = w.field(kv, kOriginalSeverity, w.str(f.OriginalSeverity))
	}
	if _, ok := n.get("precision"); ok {
		kv = w.field(kv, kPrecision, w.str(string(f.Precision)))
	}
	if _, ok := n.get("cwes"); ok {
		kv = w.field(kv, kCWEs, w.ints(f.CWEs))
	}
	if _, ok := n.get("vulnIds"); ok {
		kv = w.field(kv, kVulnIDs, w.strs(f.VulnIDs))
	}
	if c, ok := n.get("location"); ok {
		kv = w.field(kv, kLocation, w.location(&f.Location, c))
	}
	if _, ok := n.get("fingerprints"); ok {
		kv = w.field(kv, kFingerprints, w.strMap(f.Fingerprints))
	}
	if _, ok := n.get("properties"); ok {
		kv = w.field(kv, kProperties, w.strMap(f.Properties))
	}
	if _, ok := n.get("suppressed"); ok {
		kv = w.field(kv, kSuppressed, w.boolean(f.Suppressed()))
	}
	if c, ok := n.get("suppressions"); ok {
		w.key = binary.AppendUvarint(w.key, uint64(len(f.Suppressions)))
		var ts []*ast.Term
		for _, s := range f.Suppressions {
			var o items
			if _, ok := c.get("kind"); ok {
				o = w.field(o, kKind, w.str(string(s.Kind)))
			}
			if _, ok := c.get("status"); ok {
				o = w.field(o, kStatus, w.str(string(s.Status)))
			}
			if _, ok := c.get("justification"); ok {
				o = w.field(o, kJustification, w.str(s.Justification))
			}
			if _, ok := c.get("source"); ok {
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

func (w *walker) location(l *finding.Location, n *need) *ast.Term {
	var kv items
	if _, ok := n.get("path"); ok {
		kv = w.field(kv, kPath, w.str(l.Path))
	}
	if _, ok := n.get("startLine"); ok {
		kv = w.field(kv, kStartLine, w.num(l.Region.StartLine))
	}
	if _, ok := n.get("endLine"); ok {
		kv = w.field(kv, kEndLine, w.num(l.Region.EndLine))
	}
	if _, ok := n.get("resource"); ok {
		kv = w.field(kv, kResource, w.str(l.Resource))
	}
	if c, ok := n.get("package"); ok && w.present(l.Package != nil) {
		p := l.Package
		var o items
		for _, f := range [...]struct {
			name string
			k    *ast.Term
			v    string
		}{
			{"name", kName, p.Name}, {"version", kVersion, p.Version},
			{"fixedVersion", kFixedVersion, p.FixedVersion}, {"ecosystem", kEcosystem, p.Ecosystem},
			{"purl", kPURL, p.PURL}, {"image", kImage, p.Image},
		} {
			if _, ok := c.get(f.name); ok {
				o = w.field(o, f.k, w.str(f.v))
			}
		}
		kv = w.field(kv, kPackage, w.obj(o))
	}
	if c, ok := n.get("web"); ok && w.present(l.Web != nil) {
		x := l.Web
		var o items
		if _, ok := c.get("url"); ok {
			o = w.field(o, kURL, w.str(x.URL))
		}
		if _, ok := c.get("method"); ok {
			o = w.field(o, kMethod, w.str(x.Method))
		}
		if _, ok := c.get("parameter"); ok {
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
