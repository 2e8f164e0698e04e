package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
)

// Package is the Rego package every policy file must declare.
const Package = "scanmux"

// Names of the decision rules read from package scanmux.
const (
	RuleSuppress       = "suppress"
	RuleSeverity       = "severity"
	RuleSeverityReason = "severity_reason"
	RuleDeny           = "deny"
)

// shadowSuppress is the rule Load adds next to each "suppress contains R"
// rule of file number I, as "shadowSuppress contains [I, R]", so that a
// suppression can name the file it came from.
const shadowSuppress = "__scanmux_suppress_by_file"

// DefaultCacheSize is the number of decisions a Policy caches when
// Options.CacheSize is 0.
const DefaultCacheSize = 1 << 16

// Options configures [Load]. The zero value is a deterministic policy: no
// network, no clock, an empty context.
type Options struct {
	// Context is the context document, available to policies as
	// input.context: the environment, the branch, who is on call, an outage
	// flag, newly published vulnerabilities, the time as
	// input.context.now... Anything that converts to JSON; it is converted
	// once, by Load.
	Context any

	// AllowNetwork lets policies call http.send and net.lookup_ip_addr.
	AllowNetwork bool

	// AllowClock lets policies read the clock (time.now_ns, and
	// io.jwt.decode_verify and crypto.x509.parse_and_verify_certificates
	// without a time). Policies should compare with input.context.now
	// instead, which makes their decisions reproducible.
	AllowClock bool

	// CacheSize bounds the number of cached decisions: findings whose fields
	// read by the policies are equal share a decision. 0 means
	// DefaultCacheSize, a negative value disables the cache. The cache is
	// off when AllowNetwork or AllowClock is set.
	CacheSize int
}

// Policy is a set of compiled Rego policies. It implements
// [aggregate.Filter]; Apply is safe for concurrent use.
type Policy struct {
	files   []string
	query   rego.PreparedEvalQuery
	ctx     *ast.Term
	needs   *need // what the policies read from input
	finding *need // what they read from input.finding; nil: nothing
	cache   *decisionCache

	hasSuppress, hasSeverity, hasReason, hasDeny bool
}

var _ aggregate.Filter = (*Policy)(nil)

// Load reads the Rego files at paths (a directory stands for the .rego files
// below it, except tests, *_test.rego), checks that they are in package
// scanmux and compiles them once. Problems are reported as [Errors], each
// reading "FILE:LINE: message".
func Load(ctx context.Context, paths []string, opts *Options) (*Policy, error) {
	if opts == nil {
		opts = &Options{}
	}
	files, err := policyFiles(paths)
	if err != nil {
		return nil, err
	}
	why, caps := forbidden(opts)

	modules := make(map[string]*ast.Module, len(files))
	var errs Errors
	p := &Policy{files: files}
	for i, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
		m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{
			RegoVersion:       ast.RegoV1,
			Capabilities:      caps,
			ProcessAnnotation: true,
		})
		if err != nil {
			var aerrs ast.Errors
			if errors.As(err, &aerrs) {
				errs = append(errs, fromAST(aerrs, why)...)
			} else {
				errs = append(errs, &Error{File: name, Message: err.Error()})
			}
			continue
		}
		errs = append(errs, p.checkModule(i, name, m)...)
		modules[name] = m
	}
	if len(errs) > 0 {
		errs.sort()
		return nil, errs
	}
	if !p.hasSuppress && !p.hasSeverity && !p.hasDeny {
		return nil, fmt.Errorf("policy: %w: no rule %s, %s or %s in %s",
			ErrDecision, RuleSuppress, RuleSeverity, RuleDeny, strings.Join(files, ", "))
	}

	compiler := ast.NewCompiler().
		WithCapabilities(caps).
		WithDefaultRegoVersion(ast.RegoV1).
		WithSchemas(inputSchemas())
	if compiler.Compile(modules); compiler.Failed() {
		return nil, fromAST(compiler.Errors, why)
	}

	p.query, err = rego.New(
		rego.Compiler(compiler),
		rego.Query(p.queryText()),
		rego.Capabilities(caps),
		rego.SetRegoVersion(ast.RegoV1),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("policy: preparing query: %w", err)
	}

	cv, err := ast.InterfaceToValue(opts.Context)
	if err != nil {
		return nil, fmt.Errorf("policy: context: %w", err)
	}
	if _, ok := cv.(ast.Null); ok {
		cv = ast.NewObject()
	}
	p.ctx = ast.NewTerm(cv)
	p.needs = inputNeeds(compiler.Modules)
	p.finding, _ = p.needs.get("finding")

	size := opts.CacheSize
	if size == 0 {
		size = DefaultCacheSize
	}
	if size > 0 && deterministic(opts) {
		p.cache = &decisionCache{m: map[string]*decision{}, max: size}
	}
	return p, nil
}

// policyFiles expands directories and returns the files, in order, without
// duplicates.
func policyFiles(paths []string) ([]string, error) {
	var files []string
	seen := map[string]bool{}
	add := func(f string) {
		f = filepath.Clean(f)
		if !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	for _, root := range paths {
		fi, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
		if !fi.IsDir() {
			add(root)
			continue
		}
		var found []string
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if !d.IsDir() && strings.HasSuffix(name, ".rego") && !strings.HasSuffix(name, "_test.rego") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
		slices.Sort(found)
		for _, f := range found {
			add(f)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("policy: %w in %s", ErrNoPolicy, strings.Join(paths, ", "))
	}
	return files, nil
}

// checkModule checks m's package and the form of its decision rules, and
// adds the shadow of each suppress rule.
func (p *Policy) checkModule(index int, name string, m *ast.Module) Errors {
	var errs Errors
	at := func(loc *ast.Location, kind error, format string, args ...any) {
		e := &Error{File: name, Code: "scanmux", Message: fmt.Sprintf(format, args...), kind: kind}
		if loc != nil {
			e.Line, e.Column = loc.Row, loc.Col
		}
		errs = append(errs, e)
	}
	want := ast.Ref{ast.DefaultRootDocument, ast.StringTerm(Package)}
	if !m.Package.Path.Equal(want) {
		at(m.Package.Location, ErrPackage, "package %s: policies must be in package %s",
			strings.TrimPrefix(m.Package.Path.String(), "data."), Package)
		return errs
	}
	var shadows []*ast.Rule
	for _, r := range m.Rules {
		ref := r.Head.Ref()
		v, ok := ref[0].Value.(ast.Var)
		if !ok {
			continue
		}
		switch name := string(v); name {
		case RuleSuppress, RuleDeny:
			if len(ref) != 1 || len(r.Head.Args) > 0 || r.Head.RuleKind() != ast.MultiValue || r.Default {
				at(r.Head.Location, ErrDecision, "%s must be a set of messages: %s contains msg if { ... }", name, name)
				continue
			}
			if name == RuleSuppress {
				p.hasSuppress = true
				s := r.Copy()
				s.Head.Name = ast.Var(shadowSuppress)
				s.Head.Reference = ast.Ref{ast.VarTerm(shadowSuppress)}
				s.Head.Key = ast.ArrayTerm(ast.IntNumberTerm(index), r.Head.Key)
				shadows = append(shadows, s)
			} else {
				p.hasDeny = true
			}
		case RuleSeverity, RuleSeverityReason:
			if len(ref) != 1 || len(r.Head.Args) > 0 || r.Head.RuleKind() != ast.SingleValue {
				at(r.Head.Location, ErrDecision, "%s must be a single string: %s := \"...\" if { ... }", name, name)
				continue
			}
			if name == RuleSeverity {
				p.hasSeverity = true
			} else {
				p.hasReason = true
			}
		case shadowSuppress:
			at(r.Head.Location, ErrDecision, "rule name %s is reserved", name)
		}
	}
	m.Rules = append(m.Rules, shadows...)
	return errs
}

// queryText is the one query evaluated per finding: it reads every decision
// the policies define. Single-value rules go through comprehensions, so that
// an undefined severity does not make the whole query undefined.
func (p *Policy) queryText() string {
	var parts []string
	pkg := "data." + Package + "."
	if p.hasSuppress {
		parts = append(parts, "s := "+pkg+shadowSuppress)
	}
	if p.hasDeny {
		parts = append(parts, "d := "+pkg+RuleDeny)
	}
	if p.hasSeverity {
		parts = append(parts, "v := [x | x := "+pkg+RuleSeverity+"]")
		if p.hasReason {
			parts = append(parts, "r := [x | x := "+pkg+RuleSeverityReason+"]")
		}
	}
	return strings.Join(parts, "; ")
}

// Name returns "policy".
func (p *Policy) Name() string { return "policy" }

// Files returns the policy files Load compiled, in order.
func (p *Policy) Files() []string { return slices.Clone(p.files) }

// Apply evaluates the policies on f and returns their decisions: a
// suppression (kind external, source "policy:FILE"), a new severity, and
// deny messages.
func (p *Policy) Apply(ctx context.Context, f *finding.Finding) (aggregate.Verdict, error) {
	var w walker
	if p.cache != nil && p.finding != nil {
		w.key = make([]byte, 0, 128)
		w.finding(f, p.finding)
		if d := p.cache.get(w.key); d != nil {
			return d.verdict()
		}
	} else if p.cache != nil {
		w.key = []byte{}
		if d := p.cache.get(w.key); d != nil {
			return d.verdict()
		}
	}
	d := p.eval(ctx, f)
	if p.cache != nil && d.err == nil {
		p.cache.put(w.key, d)
	}
	return d.verdict()
}

var noMetrics = metrics.NoOp()

// eval evaluates the query on f's input document.
func (p *Policy) eval(ctx context.Context, f *finding.Finding) *decision {
	fin := ast.NewTerm(ast.NewObject())
	if p.finding != nil {
		b := walker{build: true}
		fin = b.finding(f, p.finding)
	}
	input := ast.NewObject([2]*ast.Term{kFinding, fin}, [2]*ast.Term{kContext, p.ctx})
	rs, err := p.query.Eval(ctx, rego.EvalParsedInput(input), rego.EvalMetrics(noMetrics))
	if err != nil {
		return &decision{err: evalError(err)}
	}
	if len(rs) != 1 {
		return &decision{err: fmt.Errorf("policy: query gave %d results, want 1", len(rs))}
	}
	return p.decide(rs[0].Bindings)
}

// decision is the outcome of evaluating the policies on one input; cached
// decisions are shared, so verdict copies it.
type decision struct {
	v   aggregate.Verdict
	err error
}

func (d *decision) verdict() (aggregate.Verdict, error) {
	if d.err != nil {
		return aggregate.Verdict{}, d.err
	}
	v := d.v
	if v.Suppress != nil {
		s := *v.Suppress
		v.Suppress = &s
	}
	v.Deny = slices.Clone(v.Deny)
	return v, nil
}

// decide turns the query's bindings into a verdict.
func (p *Policy) decide(b rego.Vars) *decision {
	var v aggregate.Verdict
	fail := func(format string, args ...any) *decision {
		return &decision{err: fmt.Errorf("policy: "+format, args...)}
	}
	if s, _ := b["s"].([]any); len(s) > 0 {
		var reasons, sources []string
		status := finding.SuppressionRejected
		for _, x := range s {
			pair, _ := x.([]any)
			if len(pair) != 2 {
				return fail("internal: bad suppress entry %v", x)
			}
			i, err := pair[0].(json.Number).Int64()
			if err != nil || i < 0 || int(i) >= len(p.files) {
				return fail("internal: bad suppress file %v", pair[0])
			}
			reason, st, err := suppressReason(pair[1])
			if err != nil {
				return fail("%s: %w", p.files[i], err)
			}
			if !slices.Contains(reasons, reason) {
				reasons = append(reasons, reason)
			}
			if src := filepath.ToSlash(p.files[i]); !slices.Contains(sources, src) {
				sources = append(sources, src)
			}
			status = strongest(status, st)
		}
		v.Suppress = &finding.Suppression{
			Kind:          finding.SuppressionExternal,
			Status:        status,
			Justification: strings.Join(reasons, "; "),
			Source:        "policy:" + strings.Join(sources, ","),
		}
	}
	if vs, _ := b["v"].([]any); len(vs) > 0 {
		name, ok := vs[0].(string)
		sev, known := severityByName[name]
		if !ok || !known {
			return fail("%s is %v, want one of critical, high, medium, low, info", RuleSeverity, vs[0])
		}
		v.Severity = sev
		if rs, _ := b["r"].([]any); len(rs) > 0 {
			reason, ok := rs[0].(string)
			if !ok {
				return fail("%s is %v, want a string", RuleSeverityReason, rs[0])
			}
			v.SeverityReason = reason
		}
	}
	if ds, _ := b["d"].([]any); len(ds) > 0 {
		for _, x := range ds {
			msg, ok := x.(string)
			if !ok {
				return fail("%s contains %v, want strings", RuleDeny, x)
			}
			v.Deny = append(v.Deny, msg)
		}
	}
	return &decision{v: v}
}

var severityByName = func() map[string]finding.Severity {
	m := map[string]finding.Severity{}
	for _, s := range finding.Severities {
		m[s.String()] = s
	}
	return m
}()

// suppressReason reads one element of suppress: a string, or an object
// {"reason": string, "status": "accepted"|"underReview"|"rejected"}.
func suppressReason(x any) (string, finding.SuppressionStatus, error) {
	switch x := x.(type) {
	case string:
		return x, finding.SuppressionAccepted, nil
	case map[string]any:
		reason, ok := x["reason"].(string)
		if !ok {
			return "", "", fmt.Errorf("%s entry %v has no string reason", RuleSuppress, x)
		}
		st := finding.SuppressionAccepted
		if s, present := x["status"]; present {
			str, _ := s.(string)
			st = finding.SuppressionStatus(str)
			switch st {
			case finding.SuppressionAccepted, finding.SuppressionUnderReview, finding.SuppressionRejected:
			default:
				return "", "", fmt.Errorf("%s entry %v: status must be accepted, underReview or rejected", RuleSuppress, x)
			}
		}
		return reason, st, nil
	default:
		return "", "", fmt.Errorf("%s entry %v: want a string or {reason, status}", RuleSuppress, x)
	}
}

// strongest returns the status that wins when several reasons suppress one
// finding: accepted, then underReview, then rejected.
func strongest(a, b finding.SuppressionStatus) finding.SuppressionStatus {
	rank := func(s finding.SuppressionStatus) int {
		switch s {
		case finding.SuppressionAccepted:
			return 2
		case finding.SuppressionUnderReview:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// decisionCache maps the key of a finding's fields read by the policies to
// the decision. It stops growing at max entries.
type decisionCache struct {
	mu  sync.RWMutex
	m   map[string]*decision
	max int
}

func (c *decisionCache) get(key []byte) *decision {
	c.mu.RLock()
	d := c.m[string(key)]
	c.mu.RUnlock()
	return d
}

func (c *decisionCache) put(key []byte, d *decision) {
	c.mu.Lock()
	if len(c.m) < c.max {
		c.m[string(key)] = d
	}
	c.mu.Unlock()
}
