package policy

import (
	"fmt"
	"math/big"
	"net"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/builtins"
)

// MaxExpand is the most elements a built-in that generates a collection
// from a few numbers may generate: numbers.range, numbers.range_step (a
// range of 2^16 numbers) and net.cidr_expand (a /16 network of IPv4, a
// /112 of IPv6). A call asking for more stops the evaluation with an
// error wrapping [ErrExpand]: count(numbers.range(1, 300000000)) or
// net.cidr_expand("10.0.0.0/4") would otherwise take gigabytes.
const MaxExpand = 1 << 16

// boundedBuiltin is a built-in that expands without bound, replaced in the
// policies by a copy that refuses to expand more than MaxExpand elements.
type boundedBuiltin struct {
	name string                                  // OPA's name, e.g. numbers.range
	size func(args []*ast.Term) (*big.Int, bool) // elements a call generates; false when OPA is to report bad arguments
	decl *ast.Builtin                            // its declaration, under its own name
	ref  ast.Ref                                 // its own name as a ref
}

// boundedBuiltins are the built-ins of OPA that expand without bound, by
// their names.
var boundedBuiltins = func() map[string]*boundedBuiltin {
	m := map[string]*boundedBuiltin{}
	for _, b := range []*boundedBuiltin{
		{name: ast.NumbersRange.Name, size: rangeSize},
		{name: ast.NumbersRangeStep.Name, size: rangeSize},
		{name: ast.NetCIDRExpand.Name, size: cidrSize},
	} {
		orig := ast.BuiltinMap[b.name]
		own := reservedPrefix + strings.ReplaceAll(b.name, ".", "_")
		b.decl = &ast.Builtin{Name: own, Decl: orig.Decl}
		b.ref = ast.Ref{ast.VarTerm(own)}
		m[b.name] = b
	}
	return m
}()

// rangeSize is the length of numbers.range(a, b) and of
// numbers.range_step(a, b, step).
func rangeSize(args []*ast.Term) (*big.Int, bool) {
	a, err1 := builtins.BigIntOperand(args[0].Value, 1)
	b, err2 := builtins.BigIntOperand(args[1].Value, 2)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	n := new(big.Int).Sub(b, a)
	n.Abs(n)
	if len(args) == 3 {
		step, err := builtins.BigIntOperand(args[2].Value, 3)
		if err != nil || step.Sign() <= 0 {
			return nil, false
		}
		n.Quo(n, step)
	}
	return n.Add(n, big.NewInt(1)), true
}

// cidrSize is the number of addresses net.cidr_expand(cidr) lists.
func cidrSize(args []*ast.Term) (*big.Int, bool) {
	s, ok := args[0].Value.(ast.String)
	if !ok {
		return nil, false
	}
	_, ipnet, err := net.ParseCIDR(string(s))
	if err != nil {
		return nil, false
	}
	ones, bits := ipnet.Mask.Size()
	return new(big.Int).Lsh(big.NewInt(1), uint(bits-ones)), true
}

// ExpandError reports a call to a built-in that would have generated more
// than [MaxExpand] elements.
type ExpandError struct {
	Builtin  string // OPA's name of the built-in
	Elements string // how many elements the call asked for
}

func (e *ExpandError) Error() string {
	return fmt.Sprintf("%s would generate %s elements, more than the %d a policy may: refused", e.Builtin, e.Elements, MaxExpand)
}

// Unwrap returns ErrExpand.
func (e *ExpandError) Unwrap() error { return ErrExpand }

// call runs the built-in when it stays within MaxExpand.
func (b *boundedBuiltin) call(bctx rego.BuiltinContext, args []*ast.Term) (*ast.Term, error) {
	// args may end with the term the result goes into.
	if n, ok := b.size(args[:len(b.decl.Decl.FuncArgs().Args)]); ok && n.Cmp(big.NewInt(MaxExpand)) > 0 {
		xe := &ExpandError{Builtin: b.name, Elements: n.String()}
		if p, ok := bctx.Context.Value(expandKey{}).(**ExpandError); ok {
			*p = xe // OPA's error keeps only its text
		}
		return nil, rego.NewHaltError(xe)
	}
	var out *ast.Term
	err := topdown.GetBuiltin(b.name)(bctx, args, func(t *ast.Term) error { out = t; return nil })
	return out, err
}

// boundedCapabilities adds the bounded built-ins to caps in place of
// OPA's.
func boundedCapabilities(caps *ast.Capabilities) {
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if _, ok := boundedBuiltins[b.Name]; !ok {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	for _, b := range boundedBuiltins {
		caps.Builtins = append(caps.Builtins, b.decl)
	}
}

// boundedFunctions returns the rego options that implement the bounded
// built-ins.
func boundedFunctions() []func(*rego.Rego) {
	var opts []func(*rego.Rego)
	for _, b := range boundedBuiltins {
		opts = append(opts, rego.FunctionDyn(&rego.Function{Name: b.decl.Name, Decl: b.decl.Decl}, b.call))
	}
	return opts
}

// bound makes m's calls to built-ins that expand without bound call their
// bounded copies.
func bound(m *ast.Module) {
	rename := func(call []*ast.Term) {
		if ref, ok := call[0].Value.(ast.Ref); ok {
			if b, ok := boundedBuiltins[ref.String()]; ok {
				loc := call[0].Location
				call[0] = ast.NewTerm(b.ref.Copy())
				call[0].Location = loc
			}
		}
	}
	ast.WalkExprs(m, func(e *ast.Expr) bool {
		if call, ok := e.Terms.([]*ast.Term); ok && len(call) > 0 {
			rename(call)
		}
		return false
	})
	ast.WalkTerms(m, func(t *ast.Term) bool {
		if call, ok := t.Value.(ast.Call); ok && len(call) > 0 {
			rename(call)
		}
		return false
	})
}
