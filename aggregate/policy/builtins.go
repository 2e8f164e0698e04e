package policy

import (
	"github.com/open-policy-agent/opa/v1/ast"
)

// Built-ins that make a policy's decision depend on something other than its
// input: the network, the clock, randomness or the OPA runtime. They are
// removed from the capabilities the policies are compiled with, so using one
// is a compile error at Load, before anything is evaluated.
var (
	// networkBuiltins reach the network; allowed by Options.AllowNetwork.
	networkBuiltins = []string{
		ast.HTTPSend.Name,
		ast.NetLookupIPAddr.Name,
	}
	// clockBuiltins read the clock (the verifying ones when given no time
	// constraint); allowed by Options.AllowClock.
	clockBuiltins = []string{
		ast.NowNanos.Name,
		ast.JWTDecodeVerify.Name,
		ast.CryptoX509ParseAndVerifyCertificates.Name,
		ast.CryptoX509ParseAndVerifyCertificatesWithOptions.Name,
	}
)

// forbidden returns the built-ins the policies may not use, each with the
// reason given in the compile error, and the capabilities without them. Every
// built-in OPA marks nondeterministic (rand.intn, uuid.rfc4122,
// io.jwt.encode_sign, opa.runtime and any added later) is forbidden unless
// it is a network or clock built-in that opts allows.
func forbidden(opts *Options) (map[string]string, *ast.Capabilities) {
	why := map[string]string{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if b.Nondeterministic {
			why[b.Name] = "its result is not determined by the input"
		}
	}
	for _, n := range networkBuiltins {
		why[n] = "it reaches the network (Options.AllowNetwork enables it)"
		if opts.AllowNetwork {
			delete(why, n)
		}
	}
	for _, n := range clockBuiltins {
		why[n] = "it reads the clock (use input.context.now, or Options.AllowClock)"
		if opts.AllowClock {
			delete(why, n)
		}
	}
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if _, bad := why[b.Name]; !bad {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	return why, caps
}

// deterministic reports whether the policies' decisions depend only on the
// input, so that equal inputs may share a cached decision.
func deterministic(opts *Options) bool { return !opts.AllowNetwork && !opts.AllowClock }
