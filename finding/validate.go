package finding

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FieldError is one problem that [Finding.Validate] found: Field is the
// field's path, such as "location.region.endLine" or "related[2].path",
// and Problem says what is wrong with it.
type FieldError struct {
	// Field is the path of the bad field, e.g. "flows[0].steps[1].path".
	Field string
	// Problem says what is wrong, e.g. "empty" or "invalid UTF-8".
	Problem string
}

// Error returns "finding: FIELD: PROBLEM".
func (e *FieldError) Error() string { return "finding: " + e.Field + ": " + e.Problem }

// Validate checks the invariants of the model (see the package
// documentation). It returns nil if f is valid, a [*FieldError] if one
// field is wrong, and the [errors.Join] of one *FieldError per problem if
// several are, so that errors.As finds the first one either way.
//
// It requires a tool name, a rule id, a message, a known category and a
// valid severity; it checks that every string, map key and map value is
// valid UTF-8, that paths are normalized (see [NormalizePath]), that lines
// and columns are not negative and that regions do not end before they
// start, that CWE ids are positive, ascending and distinct, and that
// precisions and suppressions use the defined values.
func (f *Finding) Validate() error {
	if f == nil {
		return &FieldError{Field: "finding", Problem: "nil"}
	}
	v := &validator{}
	v.toolAndRule(f)
	v.classification(f)
	v.parts(f)
	switch len(v.errs) {
	case 0:
		return nil
	case 1:
		return v.errs[0]
	}
	return errors.Join(v.errs...)
}

// validator collects the problems Validate finds.
//
// Its checks take a field's path in two parts, field and sub, which they
// join only to report a problem: a valid finding costs no allocation. A
// check run with field "" on a validator of its own tells whether a part
// of a finding is valid without building any name (see [locationOK]).
type validator struct {
	errs []error
}

// toolAndRule checks the tool and the rule.
func (v *validator) toolAndRule(f *Finding) {
	v.required("tool.name", f.Tool.Name)
	v.text("tool.version", f.Tool.Version)
	v.text("tool.informationUri", f.Tool.InformationURI)

	v.required("rule.id", f.Rule.ID)
	v.text("rule.name", f.Rule.Name)
	v.text("rule.shortDescription", f.Rule.ShortDescription)
	v.text("rule.fullDescription", f.Rule.FullDescription)
	v.text("rule.helpText", f.Rule.HelpText)
	v.text("rule.helpMarkdown", f.Rule.HelpMarkdown)
	v.text("rule.helpUri", f.Rule.HelpURI)
	for i, tag := range f.Rule.Tags {
		if !requiredOK(tag) {
			v.required(index("rule.tags", i), tag)
		}
	}
}

// classification checks the message, category, severity, precision, CWEs
// and vulnerability ids.
func (v *validator) classification(f *Finding) {
	v.required("message", f.Message)

	switch {
	case f.Category == "":
		v.add("category", "unset")
	case !f.Category.Valid():
		v.add("category", fmt.Sprintf("unknown %q", string(f.Category)))
	}

	switch {
	case f.Severity == SeverityUnset:
		v.add("severity", "unset")
	case !f.Severity.Valid():
		v.add("severity", fmt.Sprintf("invalid (%d)", int(f.Severity)))
	}
	v.text("originalSeverity", f.OriginalSeverity)

	switch f.Precision {
	case PrecisionUnknown, PrecisionLow, PrecisionMedium, PrecisionHigh, PrecisionVeryHigh:
	default:
		v.add("precision", fmt.Sprintf("unknown %q", string(f.Precision)))
	}

	for i, c := range f.CWEs {
		switch {
		case c <= 0:
			v.add("cwes", fmt.Sprintf("%d is not a CWE id", c))
		case i > 0 && c == f.CWEs[i-1]:
			v.add("cwes", fmt.Sprintf("%d repeated", c))
		case i > 0 && c < f.CWEs[i-1]:
			v.add("cwes", fmt.Sprintf("%d after %d: not ascending", c, f.CWEs[i-1]))
		}
	}
	for i, id := range f.VulnIDs {
		if !requiredOK(id) {
			v.required(index("vulnIds", i), id)
		}
	}
}

// parts checks the locations, flows, fingerprints, properties and
// suppressions.
func (v *validator) parts(f *Finding) {
	// The names of indexed fields are built only for a part that has a
	// problem, which a first check without names finds.
	v.location("location", &f.Location)
	for i := range f.Related {
		if l := &f.Related[i]; !locationOK(l) {
			v.location(index("related", i), l)
		}
	}
	for i := range f.Flows {
		if fl := &f.Flows[i]; !flowOK(fl) {
			v.flow(index("flows", i), fl)
		}
	}

	v.stringMap("fingerprints", f.Fingerprints, true)
	v.stringMap("properties", f.Properties, false)

	for i := range f.Suppressions {
		if s := &f.Suppressions[i]; !suppressionOK(s) {
			v.suppression(index("suppressions", i), s)
		}
	}
}

func (v *validator) add(field, problem string) {
	v.errs = append(v.errs, &FieldError{Field: field, Problem: problem})
}

// addAt adds a problem of the field field+sub.
func (v *validator) addAt(field, sub, problem string) { v.add(field+sub, problem) }

// text checks that an optional string is valid UTF-8.
func (v *validator) text(field, s string) { v.textAt(field, "", s) }

func (v *validator) textAt(field, sub, s string) {
	if !utf8.ValidString(s) {
		v.addAt(field, sub, "invalid UTF-8")
	}
}

// required checks that a string is set and valid UTF-8.
func (v *validator) required(field, s string) { v.requiredAt(field, "", s) }

func (v *validator) requiredAt(field, sub, s string) {
	if s == "" {
		v.addAt(field, sub, "empty")
		return
	}
	v.textAt(field, sub, s)
}

// requiredOK reports whether required finds s valid.
func requiredOK(s string) bool { return s != "" && utf8.ValidString(s) }

// locationOK reports whether location finds l valid.
func locationOK(l *Location) bool {
	var v validator
	v.location("", l)
	return len(v.errs) == 0
}

// flowOK reports whether flow finds fl valid.
func flowOK(fl *Flow) bool {
	var v validator
	v.flow("", fl)
	return len(v.errs) == 0
}

// suppressionOK reports whether suppression finds s valid.
func suppressionOK(s *Suppression) bool {
	var v validator
	v.suppression("", s)
	return len(v.errs) == 0
}

// flow checks a flow; field is its path, such as "flows[1]".
func (v *validator) flow(field string, fl *Flow) {
	v.textAt(field, ".message", fl.Message)
	if len(fl.Steps) == 0 {
		v.addAt(field, ".steps", "empty")
	}
	for j := range fl.Steps {
		if l := &fl.Steps[j]; !locationOK(l) {
			v.location(index(field+".steps", j), l)
		}
	}
}

// suppression checks a suppression; field is its path, such as
// "suppressions[0]".
func (v *validator) suppression(field string, s *Suppression) {
	switch s.Kind {
	case SuppressionInSource, SuppressionExternal:
	case "":
		v.addAt(field, ".kind", "unset")
	default:
		v.addAt(field, ".kind", fmt.Sprintf("unknown %q", string(s.Kind)))
	}
	switch s.Status {
	case "", SuppressionAccepted, SuppressionUnderReview, SuppressionRejected:
	default:
		v.addAt(field, ".status", fmt.Sprintf("unknown %q", string(s.Status)))
	}
	v.textAt(field, ".justification", s.Justification)
	v.textAt(field, ".source", s.Source)
}

// stringMap checks the keys and values of a map, in key order. Keys must
// be set; values too if valuesRequired. The keys are sorted only when
// there is a problem to report.
func (v *validator) stringMap(field string, m map[string]string, valuesRequired bool) {
	ok := true
	for k, val := range m {
		if k == "" || !utf8.ValidString(k) || !utf8.ValidString(val) || valuesRequired && val == "" {
			ok = false
			break
		}
	}
	if ok {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch {
		case k == "":
			v.add(field, "empty key")
		case !utf8.ValidString(k):
			v.add(field, fmt.Sprintf("key %q: invalid UTF-8", k))
		}
		name := field + "[" + strconv.Quote(k) + "]"
		if valuesRequired {
			v.required(name, m[k])
		} else {
			v.text(name, m[k])
		}
	}
}

// location checks a location; field is its path, such as "related[2]".
func (v *validator) location(field string, l *Location) {
	if l.Path != "" {
		v.path(field, ".path", l.Path)
	}
	v.region(field, ".region", l.Region, l.Path != "")
	v.textAt(field, ".snippet", l.Snippet)
	v.textAt(field, ".resource", l.Resource)
	v.textAt(field, ".message", l.Message)
	if p := l.Package; p != nil {
		v.requiredAt(field, ".package.name", p.Name)
		v.textAt(field, ".package.version", p.Version)
		v.textAt(field, ".package.fixedVersion", p.FixedVersion)
		v.textAt(field, ".package.ecosystem", p.Ecosystem)
		v.textAt(field, ".package.purl", p.PURL)
		v.textAt(field, ".package.image", p.Image)
		v.textAt(field, ".package.layer", p.Layer)
	}
	if w := l.Web; w != nil {
		v.requiredAt(field, ".web.url", w.URL)
		v.textAt(field, ".web.method", w.Method)
		v.textAt(field, ".web.parameter", w.Parameter)
		v.textAt(field, ".web.evidence", w.Evidence)
	}
}

// path checks that p, which is not empty, is a normalized path as
// NormalizePath returns it; field+sub is its path.
func (v *validator) path(field, sub, p string) {
	clean := path.Clean(p)
	switch {
	case !utf8.ValidString(p):
		v.addAt(field, sub, "invalid UTF-8")
	case strings.Contains(p, `\`):
		v.addAt(field, sub, fmt.Sprintf("%q contains a backslash", p))
	case strings.HasPrefix(p, "/"):
		v.addAt(field, sub, fmt.Sprintf("%q is absolute", p))
	case isDrive(p):
		v.addAt(field, sub, fmt.Sprintf("%q has a drive letter", p))
	case clean == ".." || strings.HasPrefix(clean, "../"):
		v.addAt(field, sub, fmt.Sprintf("%q escapes the scan root", p))
	case clean == ".":
		v.addAt(field, sub, fmt.Sprintf("%q names the scan root itself", p))
	case clean != p:
		v.addAt(field, sub, fmt.Sprintf("%q is not clean (want %q)", p, clean))
	}
}

// region checks a region; field+sub is its path, and hasPath says whether
// its location has a path.
func (v *validator) region(field, sub string, r Region, hasPath bool) {
	if r.IsZero() {
		return
	}
	if !hasPath {
		v.addAt(field, sub, "set without a path")
	}
	neg := false
	for _, c := range []struct {
		name string
		n    int
	}{
		{"startLine", r.StartLine}, {"startColumn", r.StartColumn},
		{"endLine", r.EndLine}, {"endColumn", r.EndColumn},
	} {
		if c.n < 0 {
			v.add(field+sub+"."+c.name, fmt.Sprintf("negative (%d)", c.n))
			neg = true
		}
	}
	if neg {
		return
	}
	if r.StartLine == 0 {
		if r.EndLine > 0 {
			v.add(field+sub+".endLine", "set without startLine")
		}
		if r.StartColumn > 0 || r.EndColumn > 0 {
			v.addAt(field, sub, "columns set without startLine")
		}
		return
	}
	if r.EndLine > 0 && r.EndLine < r.StartLine {
		v.add(field+sub+".endLine", fmt.Sprintf("%d before startLine %d", r.EndLine, r.StartLine))
		return
	}
	sameLine := r.EndLine == 0 || r.EndLine == r.StartLine
	if sameLine && r.StartColumn > 0 && r.EndColumn > 0 && r.EndColumn < r.StartColumn {
		v.add(field+sub+".endColumn", fmt.Sprintf("%d before startColumn %d", r.EndColumn, r.StartColumn))
	}
}

// index returns "name[i]".
func index(name string, i int) string { return name + "[" + strconv.Itoa(i) + "]" }

// Clone returns a deep copy of f: it shares no slice, map or pointer with
// f. Clone of nil is nil.
func (f *Finding) Clone() *Finding {
	if f == nil {
		return nil
	}
	c := *f
	c.Rule.Tags = slices.Clone(f.Rule.Tags)
	c.CWEs = slices.Clone(f.CWEs)
	c.VulnIDs = slices.Clone(f.VulnIDs)
	c.Location = cloneLocation(f.Location)
	c.Related = cloneLocations(f.Related)
	if f.Flows != nil {
		c.Flows = make([]Flow, len(f.Flows))
		for i, fl := range f.Flows {
			c.Flows[i] = Flow{Message: fl.Message, Steps: cloneLocations(fl.Steps)}
		}
	}
	c.Fingerprints = maps.Clone(f.Fingerprints)
	c.Suppressions = slices.Clone(f.Suppressions)
	c.Properties = maps.Clone(f.Properties)
	if f.Also != nil {
		c.Also = make([]Report, len(f.Also))
		for i, r := range f.Also {
			r.Location = cloneLocation(r.Location)
			c.Also[i] = r
		}
	}
	return &c
}

func cloneLocations(ls []Location) []Location {
	if ls == nil {
		return nil
	}
	c := make([]Location, len(ls))
	for i, l := range ls {
		c[i] = cloneLocation(l)
	}
	return c
}

func cloneLocation(l Location) Location {
	if l.Package != nil {
		p := *l.Package
		l.Package = &p
	}
	if l.Web != nil {
		w := *l.Web
		l.Web = &w
	}
	return l
}
