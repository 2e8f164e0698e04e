package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

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

// reservedPrefix starts the names of the rules Load adds to the policies:
// __scanmux_uN, a copy of decision rule N (a unit), and __scanmux_gN, its
// guard.
const reservedPrefix = "__scanmux_"

// DefaultCacheSize is the number of decisions a Policy caches per decision
// rule when Options.CacheSize is 0; the oldest go first.
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

	// Budget bounds the time the evaluations of each policy file take in
	// all, over every finding: an evaluation still running when its
	// file's budget is used up is stopped, and Apply fails with an error
	// wrapping [ErrBudget], as it does for every later finding. 0 means
	// DefaultBudget, a negative value no limit. Evaluations also stop
	// when the context given to Apply is done.
	Budget time.Duration

	// MemoryLimit bounds how much the heap may grow while one evaluation
	// runs: an evaluation that has run for 100ms is watched, and stopped
	// when the heap has grown by more than this since, with an error
	// wrapping [ErrMemory]. The heap is the process's, so other work may
	// count; a policy that decides on a finding's fields takes
	// microseconds and never reaches the watch. 0 means DefaultMemoryLimit,
	// a negative value no limit. Built-ins that generate large collections
	// at once are bounded apart (see [MaxExpand]).
	MemoryLimit int64
}

// DefaultMemoryLimit is Options.MemoryLimit when it is 0: 256 MiB.
const DefaultMemoryLimit = 256 << 20

// DefaultBudget is the evaluation time each policy file gets when
// Options.Budget is 0: plenty for policies that decide on a finding's
// fields (microseconds a finding), and a bound on the cost of one that
// does not.
const DefaultBudget = time.Minute

// Policy is a set of compiled Rego policies. It implements
// [aggregate.Filter]; Apply is safe for concurrent use.
type Policy struct {
	files []string
	ctx   *ast.Term
	units []*unit
	needs *need // what the policies read from input, for tests

	hasSuppress, hasSeverity, hasDeny bool
}

var _ aggregate.Filter = (*Policy)(nil)

// unit is one decision rule (a suppress, severity, severity_reason or deny
// rule of one file), evaluated through its copy __scanmux_uN. Units are
// evaluated and cached separately, each by the finding fields it reads
// (directly or through the rules and functions it calls), so that cache
// keys stay small. A unit may have a guard: the conditions of its body that
// have no variables and call only built-ins, e.g. input.finding.severity ==
// "critical". They are necessary for the body, read even fewer fields, and
// when they fail the unit is not evaluated.
type unit struct {
	kind      string // RuleSuppress, RuleSeverity, RuleSeverityReason or RuleDeny
	file      string
	line      int
	isDefault bool    // default severity := ...
	budget    *budget // of its file

	eval  evaluator
	guard *evaluator
}

// evaluator is one prepared query on one generated rule, with its decision
// cache keyed by the finding fields the rule reads.
type evaluator struct {
	u      *unit // whose rule (or guard) it evaluates
	query  rego.PreparedEvalQuery
	fields uint64 // fields of input.finding the rule reads
	cache  *decisionCache
	// constant is the decision of a cached rule that reads no field of
	// the finding (a guard on the context alone), once evaluated.
	constant atomic.Pointer[decision]
}

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
	boundedCapabilities(caps)
	limit, memory := opts.Budget, opts.MemoryLimit
	if limit == 0 {
		limit = DefaultBudget
	}
	if memory == 0 {
		memory = DefaultMemoryLimit
	}
	cached := deterministic(opts) && opts.CacheSize >= 0

	modules := make(map[string]*ast.Module, len(files))
	var errs Errors
	p := &Policy{files: files}
	for _, name := range files {
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
		bound(m)
		errs = append(errs, p.checkModule(name, m, cached, &budget{limit: limit, memory: memory})...)
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

	cv, err := ast.InterfaceToValue(opts.Context)
	if err != nil {
		return nil, fmt.Errorf("policy: context: %w", err)
	}
	if _, ok := cv.(ast.Null); ok {
		cv = ast.NewObject()
	}
	p.ctx = ast.NewTerm(cv)

	size := opts.CacheSize
	if size == 0 {
		size = DefaultCacheSize
	}
	p.needs = &need{}
	prepare := func(e *evaluator, rule string, multi bool) error {
		q := "x := [v | v := data." + Package + "." + rule + "]"
		if multi {
			q = "x := data." + Package + "." + rule
		}
		e.query, err = rego.New(append(boundedFunctions(),
			rego.Compiler(compiler),
			rego.Query(q),
			rego.Capabilities(caps),
			rego.SetRegoVersion(ast.RegoV1),
		)...).PrepareForEval(ctx)
		if err != nil {
			return fmt.Errorf("policy: preparing %s: %w", rule, err)
		}
		n := ruleNeeds(compiler, rule)
		p.needs.merge(n)
		fn, _ := n.get("finding")
		e.fields = fn.mask()
		if cached {
			e.cache = newDecisionCache(size)
		}
		return nil
	}
	for i, u := range p.units {
		u.eval.u = u
		if u.guard != nil {
			u.guard.u = u
		}
		multi := u.kind == RuleSuppress || u.kind == RuleDeny
		if err := prepare(&u.eval, unitRule(i), multi); err != nil {
			return nil, err
		}
		if u.guard != nil {
			if err := prepare(u.guard, guardRule(i), false); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

func unitRule(i int) string  { return fmt.Sprintf("%su%d", reservedPrefix, i) }
func guardRule(i int) string { return fmt.Sprintf("%sg%d", reservedPrefix, i) }

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
// adds a unit (and maybe a guard) for each decision rule.
func (p *Policy) checkModule(name string, m *ast.Module, guards bool, b *budget) Errors {
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
	var added []*ast.Rule
	for _, r := range m.Rules {
		ref := r.Head.Ref()
		v, ok := ref[0].Value.(ast.Var)
		if !ok {
			continue
		}
		kind := string(v)
		switch kind {
		case RuleSuppress, RuleDeny:
			if len(ref) != 1 || len(r.Head.Args) > 0 || r.Head.RuleKind() != ast.MultiValue || r.Default {
				at(r.Head.Location, ErrDecision, "%s must be a set of messages: %s contains msg if { ... }", kind, kind)
				continue
			}
			if kind == RuleSuppress {
				p.hasSuppress = true
			} else {
				p.hasDeny = true
			}
		case RuleSeverity, RuleSeverityReason:
			if len(ref) != 1 || len(r.Head.Args) > 0 || r.Head.RuleKind() != ast.SingleValue {
				at(r.Head.Location, ErrDecision, "%s must be a single string: %s := \"...\" if { ... }", kind, kind)
				continue
			}
			if kind == RuleSeverity {
				p.hasSeverity = true
			}
		default:
			if strings.HasPrefix(kind, reservedPrefix) {
				at(r.Head.Location, ErrDecision, "rule names starting with %s are reserved", reservedPrefix)
			}
			continue
		}
		i := len(p.units)
		u := &unit{kind: kind, file: name, line: r.Location.Row, isDefault: r.Default, budget: b}
		p.units = append(p.units, u)
		c := r.Copy()
		for e := c; e != nil; e = e.Else {
			e.Head.Name = ast.Var(unitRule(i))
			e.Head.Reference = ast.Ref{ast.VarTerm(unitRule(i))}
		}
		added = append(added, c)
		if g := guardOf(r, guardRule(i)); g != nil && guards {
			u.guard = &evaluator{}
			added = append(added, g)
		}
	}
	m.Rules = append(m.Rules, added...)
	return errs
}

// guardOf returns a rule "name if { ... }" whose body is the conditions of
// r's body that have no variables and call only built-ins, or nil if r has
// none (or has else branches, or is a default rule).
func guardOf(r *ast.Rule, name string) *ast.Rule {
	if r.Default || r.Else != nil {
		return nil
	}
	var body ast.Body
	for _, e := range r.Body {
		if closedExpr(e) {
			c := e.Copy()
			c.Index = len(body)
			body = append(body, c)
		}
	}
	if len(body) == 0 {
		return nil
	}
	g := r.Copy()
	g.Head = ast.NewHead(ast.Var(name), nil, ast.BooleanTerm(true))
	g.Head.Location = r.Head.Location
	g.Body = body
	g.Else = nil
	return g
}

// closedExpr reports whether e can be evaluated on its own: it has no
// variables, no with modifiers, and reads only input and constants.
func closedExpr(e *ast.Expr) bool {
	if len(e.With) > 0 {
		return false
	}
	switch t := e.Terms.(type) {
	case *ast.Term:
		return closedTerm(t)
	case []*ast.Term:
		return closedCall(t)
	}
	return false // some, every
}

func closedCall(call []*ast.Term) bool {
	op, ok := call[0].Value.(ast.Ref)
	if !ok {
		return false
	}
	if _, ok := ast.BuiltinMap[op.String()]; !ok {
		return false
	}
	for _, a := range call[1:] {
		if !closedTerm(a) {
			return false
		}
	}
	return true
}

func closedTerm(t *ast.Term) bool {
	switch v := t.Value.(type) {
	case ast.String, ast.Number, ast.Boolean, ast.Null:
		return true
	case ast.Ref:
		if !v[0].Equal(ast.InputRootDocument) {
			return false
		}
		for _, x := range v[1:] {
			if !closedTerm(x) {
				return false
			}
		}
		return true
	case ast.Call:
		return closedCall(v)
	case *ast.Array:
		ok := true
		v.Foreach(func(x *ast.Term) { ok = ok && closedTerm(x) })
		return ok
	case ast.Set:
		ok := true
		v.Foreach(func(x *ast.Term) { ok = ok && closedTerm(x) })
		return ok
	case ast.Object:
		ok := true
		v.Foreach(func(k, x *ast.Term) { ok = ok && closedTerm(k) && closedTerm(x) })
		return ok
	}
	return false
}

// Name returns "policy".
func (p *Policy) Name() string { return "policy" }

// Files returns the policy files Load compiled, in order.
func (p *Policy) Files() []string { return slices.Clone(p.files) }

var noMetrics = metrics.NoOp()

// result is what one evaluator gave for one input: the elements of a
// multi-value rule, or the value of a single-value rule (0 or 1 elements).
type result struct {
	vals []any
	err  error
}

// decision is a cached result.
type decision = result

// run evaluates e on f, through its cache. key is scratch space.
func (p *Policy) run(ctx context.Context, e *evaluator, f *finding.Finding, k *cacheKey) ([]any, error) {
	switch {
	case e.cache == nil:
	case e.fields == 0:
		if d := e.constant.Load(); d != nil {
			return d.vals, d.err
		}
	default:
		if !k.ok || k.fields != e.fields {
			// Units often read the same fields (a severity and its
			// reason): the key serves them all.
			w := walker{key: k.key[:0]}
			w.finding(f, e.fields)
			k.key, k.fields, k.ok = w.key, e.fields, true
		}
		if d := e.cache.get(k.key); d != nil {
			return d.vals, d.err
		}
	}
	fin := ast.NewTerm(ast.NewObject())
	if e.fields != 0 {
		b := walker{build: true}
		fin = b.finding(f, e.fields)
	}
	input := ast.NewObject([2]*ast.Term{kFinding, fin}, [2]*ast.Term{kContext, p.ctx})
	rs, err := e.eval(ctx, input)
	var d result
	switch {
	case err != nil:
		d.err = err
	case len(rs) != 1:
		d.err = fmt.Errorf("policy: query gave %d results, want 1", len(rs))
	default:
		d.vals, _ = rs[0].Bindings["x"].([]any)
	}
	switch {
	case e.cache == nil || d.err != nil:
	case e.fields == 0:
		e.constant.Store(&d)
	default:
		e.cache.put(k.key, &d)
	}
	return d.vals, d.err
}

// budget is the evaluation time of one policy file.
type budget struct {
	limit  time.Duration // < 0: none
	memory int64         // Options.MemoryLimit; < 0: none
	spent  atomic.Int64  // nanoseconds
	// overMemory is set once an evaluation of the file went over the
	// memory limit: the others would too, each adding its garbage.
	overMemory atomic.Bool
}

// The causes of an evaluation's context when its file's budget ran out or
// the heap grew too much.
var (
	errOverBudget = errors.New("over budget")
	errOverMemory = errors.New("over memory")
)

// expandKey is the context key of the *ExpandError a bounded built-in
// refused with, which OPA's error does not keep.
type expandKey struct{}

// eval evaluates e's query on input, within its file's budget and ctx.
// Its errors read "policy: FILE:LINE: ...", the place of e's decision
// rule, then what went wrong.
func (e *evaluator) eval(ctx context.Context, input ast.Value) (rego.ResultSet, error) {
	u, b := e.u, e.u.budget
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("policy: %s:%d: %s rule not evaluated: %w", u.file, u.line, u.kind, err)
	}
	left := time.Duration(-1)
	if b.limit >= 0 {
		if left = b.limit - time.Duration(b.spent.Load()); left <= 0 {
			return nil, fmt.Errorf("policy: %s:%d: %s rule not evaluated: %w (%s for the file)", u.file, u.line, u.kind, ErrBudget, b.limit)
		}
	}
	if b.overMemory.Load() {
		return nil, fmt.Errorf("policy: %s:%d: %s rule not evaluated: %w (an evaluation of this file grew the heap by more than %d MiB)",
			u.file, u.line, u.kind, ErrMemory, b.memory>>20)
	}
	var xe *ExpandError
	ectx, cancel := context.WithCancelCause(context.WithValue(ctx, expandKey{}, &xe))
	defer cancel(nil)
	w := watch(left, b.memory, cancel)
	start := time.Now()
	rs, err := e.query.Eval(ectx, rego.EvalParsedInput(input), rego.EvalMetrics(noMetrics))
	w.stop()
	took := time.Since(start)
	b.spent.Add(int64(took))
	if err == nil {
		return rs, nil
	}
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("policy: %s:%d: %s rule stopped after %s: %w", u.file, u.line, u.kind, took.Round(time.Millisecond), ctx.Err())
	case context.Cause(ectx) == errOverBudget:
		return nil, fmt.Errorf("policy: %s:%d: %s rule stopped: %w (%s for the file)", u.file, u.line, u.kind, ErrBudget, b.limit)
	case context.Cause(ectx) == errOverMemory:
		b.overMemory.Store(true)
		return nil, fmt.Errorf("policy: %s:%d: %s rule stopped after %s: %w (the heap grew by more than %d MiB)",
			u.file, u.line, u.kind, took.Round(time.Millisecond), ErrMemory, b.memory>>20)
	case xe != nil:
		// OPA's error names the call's place and the bounded copy.
		var te *topdown.Error
		at := fmt.Sprintf("%s:%d", u.file, u.line)
		if errors.As(err, &te) && te.Location != nil {
			at = fmt.Sprintf("%s:%d", te.Location.File, te.Location.Row)
		}
		return nil, fmt.Errorf("policy: %s: %w", at, xe)
	}
	return nil, fmt.Errorf("policy: %s:%d: %s rule failed: %w", u.file, u.line, u.kind, err)
}

// keyBufs holds the buffers Apply builds cache keys in.
var keyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// cacheKey is the decision cache key of the fields of one finding that
// the last evaluator read.
type cacheKey struct {
	key    []byte
	fields uint64
	ok     bool
}

// Apply evaluates the policies on f and returns their decisions: a
// suppression (kind external, source "policy:FILE"), a new severity, and
// deny messages.
func (p *Policy) Apply(ctx context.Context, f *finding.Finding) (aggregate.Verdict, error) {
	var v aggregate.Verdict
	kp := keyBufs.Get().(*[]byte)
	defer keyBufs.Put(kp)
	key := cacheKey{key: (*kp)[:0]}
	defer func() { *kp = key.key[:0] }()
	var (
		reasons, sources []string
		status           = finding.SuppressionRejected
		sev, sevDefault  *unitValue
		why, whyDefault  *unitValue
	)
	for _, u := range p.units {
		if u.guard != nil {
			ok, err := p.run(ctx, u.guard, f, &key)
			if err != nil {
				return aggregate.Verdict{}, err
			}
			if len(ok) == 0 {
				continue
			}
		}
		vals, err := p.run(ctx, &u.eval, f, &key)
		if err != nil {
			return aggregate.Verdict{}, err
		}
		if len(vals) == 0 {
			continue
		}
		switch u.kind {
		case RuleSuppress:
			for _, x := range vals {
				reason, st, err := suppressReason(x)
				if err != nil {
					return aggregate.Verdict{}, fmt.Errorf("policy: %s:%d: %w", u.file, u.line, err)
				}
				if !slices.Contains(reasons, reason) {
					reasons = append(reasons, reason)
				}
				if src := filepath.ToSlash(u.file); !slices.Contains(sources, src) {
					sources = append(sources, src)
				}
				status = strongest(status, st)
			}
		case RuleDeny:
			for _, x := range vals {
				msg, ok := x.(string)
				if !ok {
					return aggregate.Verdict{}, fmt.Errorf("policy: %s:%d: %s contains %v, want strings", u.file, u.line, RuleDeny, x)
				}
				v.Deny = append(v.Deny, msg)
			}
		case RuleSeverity, RuleSeverityReason:
			slot, slotDefault := &sev, &sevDefault
			if u.kind == RuleSeverityReason {
				slot, slotDefault = &why, &whyDefault
			}
			if u.isDefault {
				slot = slotDefault
			}
			if err := setOnce(slot, u, vals[0]); err != nil {
				return aggregate.Verdict{}, err
			}
		}
	}
	if len(reasons) > 0 {
		v.Suppress = &finding.Suppression{
			Kind:          finding.SuppressionExternal,
			Status:        status,
			Justification: strings.Join(reasons, "; "),
			Source:        "policy:" + strings.Join(sources, ","),
		}
	}
	if sev == nil {
		sev = sevDefault
	}
	if sev != nil {
		name, _ := sev.val.(string)
		s, known := severityByName[name]
		if !known {
			return aggregate.Verdict{}, fmt.Errorf("policy: %s:%d: %s is %v, want one of critical, high, medium, low, info",
				sev.u.file, sev.u.line, RuleSeverity, sev.val)
		}
		v.Severity = s
		if why == nil {
			why = whyDefault
		}
		if why != nil {
			reason, ok := why.val.(string)
			if !ok {
				return aggregate.Verdict{}, fmt.Errorf("policy: %s:%d: %s is %v, want a string",
					why.u.file, why.u.line, RuleSeverityReason, why.val)
			}
			v.SeverityReason = reason
		}
	}
	if len(v.Deny) > 1 {
		slices.Sort(v.Deny)
		v.Deny = slices.Compact(v.Deny)
	}
	return v, nil
}

// unitValue is the value a single-value unit gave.
type unitValue struct {
	u   *unit
	val any
}

// setOnce records u's value in *slot, or fails like OPA when two rules give
// different values for one complete document.
func setOnce(slot **unitValue, u *unit, val any) error {
	if *slot == nil {
		*slot = &unitValue{u, val}
		return nil
	}
	if prev := *slot; !reflect.DeepEqual(prev.val, val) {
		return fmt.Errorf("policy: %s:%d: eval_conflict_error: %s is %v here and %v at %s:%d",
			u.file, u.line, u.kind, val, prev.val, prev.u.file, prev.u.line)
	}
	return nil
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

// decisionCache maps the key of the finding fields an evaluator reads to
// its result: a cache of golang-lru, safe for concurrent use. Cached
// results are shared: Apply only reads them. A lookup is a Peek, under
// the cache's shared lock, and does not move the entry to the front: so
// the oldest entries go first rather than the least recently used, and
// sources applying the policy at once do not queue for the exclusive lock
// that Get takes for every hit (lookups took 0.48 s of CPU a run of the
// pipeline benchmark with Get, 0.29 s with Peek: bench/ab-aggregate.md).
type decisionCache struct {
	lru *lru.Cache[string, *decision]
}

// newDecisionCache returns a cache of at most max entries.
func newDecisionCache(max int) *decisionCache {
	c, err := lru.New[string, *decision](max)
	if err != nil {
		panic(err) // max > 0: Load checked it
	}
	return &decisionCache{lru: c}
}

// get returns the decision cached for key, or nil.
func (c *decisionCache) get(key []byte) *decision {
	d, _ := c.lru.Peek(string(key))
	return d
}

// put caches d for key.
func (c *decisionCache) put(key []byte, d *decision) {
	dc := *d
	c.lru.Add(string(key), &dc)
}

// len returns the number of cached decisions.
func (c *decisionCache) len() int { return c.lru.Len() }
