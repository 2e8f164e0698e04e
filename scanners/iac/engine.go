package iac

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/scanmux/scanmux/finding"
)

// rulesFS holds the Rego rules and their tests (*_test.rego).
//
//go:embed rules/*.rego
var rulesFS embed.FS

// query is what the scanner evaluates for every input.
const query = "data.scanmux.iac.findings"

// ErrRules means the embedded rules are broken: they do not compile, a
// rule's metadata is incomplete, or a rule returned a malformed result. It
// is a bug in the scanner, not in the scanned files.
var ErrRules = errors.New("iac: bad rule")

// engine is the compiled rule set: one prepared query and the catalog.
type engine struct {
	query   rego.PreparedEvalQuery
	catalog []finding.Rule
	rules   map[string]*ruleInfo
}

// ruleInfo is what a finding takes from its rule's metadata.
type ruleInfo struct {
	rule      finding.Rule
	severity  finding.Severity
	original  string
	precision finding.Precision
	cwes      []int
}

// loadModules parses the embedded Rego files, with their tests if tests is
// set, keeping their METADATA annotations.
func loadModules(tests bool) (map[string]*ast.Module, error) {
	names, err := fs.Glob(rulesFS, "rules/*.rego")
	if err != nil {
		return nil, err
	}
	modules := make(map[string]*ast.Module, len(names))
	for _, name := range names {
		if !tests && strings.HasSuffix(name, "_test.rego") {
			continue
		}
		src, err := rulesFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{
			RegoVersion:       ast.RegoV1,
			ProcessAnnotation: true,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrRules, err)
		}
		modules[name] = m
	}
	return modules, nil
}

var noMetrics = metrics.NoOp()

// newEngine compiles the embedded rules and prepares the query.
func newEngine(ctx context.Context) (*engine, error) {
	modules, err := loadModules(false)
	if err != nil {
		return nil, err
	}
	e := &engine{rules: map[string]*ruleInfo{}}
	if err := e.buildCatalog(modules); err != nil {
		return nil, err
	}
	compiler := ast.NewCompiler().WithDefaultRegoVersion(ast.RegoV1)
	if compiler.Compile(modules); compiler.Failed() {
		return nil, fmt.Errorf("%w: %w", ErrRules, compiler.Errors)
	}
	e.query, err = rego.New(
		rego.Compiler(compiler),
		rego.Query(query),
		rego.SetRegoVersion(ast.RegoV1),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: preparing %s: %w", ErrRules, query, err)
	}
	return e, nil
}

// buildCatalog reads the rule catalog from the rules' METADATA: every
// annotation with a custom "id" is one rule.
func (e *engine) buildCatalog(modules map[string]*ast.Module) error {
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range modules {
			if !yield(n) {
				return
			}
		}
	})
	for _, n := range names {
		for _, a := range modules[n].Annotations {
			if _, ok := a.Custom["id"]; !ok {
				continue
			}
			ri, err := ruleFromAnnotation(a)
			if err != nil {
				return fmt.Errorf("%w: %s:%d: %w", ErrRules, n, a.Location.Row, err)
			}
			if _, dup := e.rules[ri.rule.ID]; dup {
				return fmt.Errorf("%w: %s:%d: rule id %s used twice", ErrRules, n, a.Location.Row, ri.rule.ID)
			}
			e.rules[ri.rule.ID] = ri
			e.catalog = append(e.catalog, ri.rule)
		}
	}
	slices.SortFunc(e.catalog, func(a, b finding.Rule) int { return strings.Compare(a.ID, b.ID) })
	return nil
}

// ruleFromAnnotation builds a rule's catalog entry from its METADATA.
func ruleFromAnnotation(a *ast.Annotations) (*ruleInfo, error) {
	str := func(key string) string { s, _ := a.Custom[key].(string); return strings.TrimSpace(s) }
	id, name, help := str("id"), str("name"), str("help")
	switch {
	case id == "":
		return nil, errors.New("custom.id is not a string")
	case a.Title == "" || a.Description == "":
		return nil, fmt.Errorf("%s: title or description missing", id)
	case name == "" || help == "":
		return nil, fmt.Errorf("%s: custom.name or custom.help missing", id)
	}
	sev, err := finding.ParseSeverity(str("severity"))
	if err != nil {
		return nil, fmt.Errorf("%s: custom.severity: %w", id, err)
	}
	ri := &ruleInfo{severity: sev, original: str("severity"), precision: finding.Precision(str("precision"))}
	switch ri.precision {
	case finding.PrecisionLow, finding.PrecisionMedium, finding.PrecisionHigh, finding.PrecisionVeryHigh:
	default:
		return nil, fmt.Errorf("%s: custom.precision %q is not low, medium, high or very-high", id, ri.precision)
	}
	if raw, ok := a.Custom["cwe"]; ok {
		list, ok := raw.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: custom.cwe is not a list", id)
		}
		for _, c := range list {
			n, err := toInt(c)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("%s: custom.cwe: %v is not a CWE number", id, c)
			}
			ri.cwes = append(ri.cwes, n)
		}
		slices.Sort(ri.cwes)
		ri.cwes = slices.Compact(ri.cwes)
	}
	tags := []string{"security"}
	if raw, ok := a.Custom["tags"].([]any); ok {
		for _, t := range raw {
			if s, ok := t.(string); ok && s != "" {
				tags = append(tags, s)
			}
		}
	}
	for _, c := range ri.cwes {
		tags = append(tags, fmt.Sprintf("external/cwe/cwe-%d", c))
	}
	desc := oneLine(a.Description)
	var md strings.Builder
	fmt.Fprintf(&md, "**%s**\n\n%s\n\n**How to fix:** %s\n", a.Title, desc, oneLine(help))
	var uri string
	for i, r := range a.RelatedResources {
		if i == 0 {
			uri = r.Ref.String()
			md.WriteString("\n**References:**\n\n")
		}
		d := r.Description
		if d == "" {
			d = r.Ref.String()
		}
		fmt.Fprintf(&md, "- [%s](%s)\n", d, r.Ref.String())
	}
	if len(ri.cwes) > 0 && uri == "" {
		uri = fmt.Sprintf("https://cwe.mitre.org/data/definitions/%d.html", ri.cwes[0])
	}
	for _, c := range ri.cwes {
		fmt.Fprintf(&md, "- [CWE-%d](https://cwe.mitre.org/data/definitions/%d.html)\n", c, c)
	}
	ri.rule = finding.Rule{
		ID:               id,
		Name:             name,
		ShortDescription: a.Title,
		FullDescription:  desc,
		HelpText:         oneLine(help),
		HelpMarkdown:     md.String(),
		HelpURI:          uri,
		Tags:             tags,
	}
	return ri, nil
}

// oneLine joins the lines of a folded YAML string.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// result is one finding as a rule returned it.
type result struct {
	ID       string
	Message  string
	Line     int    // 0 when the rule gave a pointer
	Pointer  string // "" when the rule gave a line
	Resource string
	Path     string // set by cluster-wide rules
	Snippet  string // a redacted snippet, if the rule gave one
}

// eval evaluates the rules on one input.
func (e *engine) eval(ctx context.Context, input ast.Value) ([]result, error) {
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(input), rego.EvalMetrics(noMetrics))
	if err != nil {
		return nil, fmt.Errorf("iac: evaluating rules: %w", err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, nil
	}
	set, ok := rs[0].Expressions[0].Value.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s is %T, not a set", ErrRules, query, rs[0].Expressions[0].Value)
	}
	out := make([]result, 0, len(set))
	for _, v := range set {
		r, err := e.decodeResult(v)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// decodeResult checks and converts one object a rule returned.
func (e *engine) decodeResult(v any) (result, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return result{}, fmt.Errorf("%w: result %v is not an object", ErrRules, v)
	}
	var r result
	r.ID, _ = obj["id"].(string)
	r.Message, _ = obj["message"].(string)
	r.Pointer, _ = obj["pointer"].(string)
	r.Resource, _ = obj["resource"].(string)
	r.Path, _ = obj["path"].(string)
	r.Snippet, _ = obj["snippet"].(string)
	if l, ok := obj["line"]; ok {
		n, err := toInt(l)
		if err != nil {
			return result{}, fmt.Errorf("%w: %s: line %v: %w", ErrRules, r.ID, l, err)
		}
		r.Line = n
	}
	switch {
	case e.rules[r.ID] == nil:
		return result{}, fmt.Errorf("%w: result with unknown id %q", ErrRules, r.ID)
	case r.Message == "":
		return result{}, fmt.Errorf("%w: %s: result without a message", ErrRules, r.ID)
	case r.Line <= 0 && r.Pointer == "":
		return result{}, fmt.Errorf("%w: %s: result without a line or pointer", ErrRules, r.ID)
	case r.Path != "" && path.Clean(r.Path) != r.Path:
		return result{}, fmt.Errorf("%w: %s: path %q is not clean", ErrRules, r.ID, r.Path)
	}
	return r, nil
}

// toInt converts a JSON number to an int.
func toInt(v any) (int, error) {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.Atoi(n.String())
		if err != nil {
			return 0, err
		}
		return i, nil
	case int:
		return n, nil
	case int64:
		return int(n), nil
	case float64:
		if n != float64(int(n)) {
			return 0, fmt.Errorf("%v is not an integer", n)
		}
		return int(n), nil
	}
	return 0, fmt.Errorf("%v (%T) is not a number", v, v)
}
