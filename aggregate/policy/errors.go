package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Sentinel errors that callers can test with errors.Is on an error returned
// by [Load] or, for ErrExpand, ErrBudget and ErrMemory, by [Policy.Apply].
var (
	// ErrForbiddenBuiltin means a policy calls a built-in that reaches the
	// network, the clock or a source of randomness, and the [Options] do not
	// allow it.
	ErrForbiddenBuiltin = errors.New("forbidden built-in")
	// ErrPackage means a policy file is not in package scanmux.
	ErrPackage = errors.New("policy must be in package scanmux")
	// ErrDecision means a decision rule (suppress, severity, severity_reason,
	// deny) has the wrong form.
	ErrDecision = errors.New("bad decision rule")
	// ErrNoPolicy means no policy files were found.
	ErrNoPolicy = errors.New("no policy files")
	// ErrExpand means a policy called a built-in that would have generated
	// more than [MaxExpand] elements (see [ExpandError]); the evaluation
	// was stopped.
	ErrExpand = errors.New("built-in expands too much")
	// ErrBudget means a policy file used up its evaluation time
	// ([Options].Budget); the evaluation was stopped.
	ErrBudget = errors.New("policy time budget used up")
	// ErrMemory means the heap grew by more than [Options].MemoryLimit
	// while an evaluation ran; the evaluation was stopped.
	ErrMemory = errors.New("policy evaluation took too much memory")
)

// Error is one problem in a policy file, located at File:Line.
type Error struct {
	File    string // path of the policy file, as given to Load
	Line    int    // 1-based line, 0 if unknown
	Column  int    // 1-based column, 0 if unknown
	Code    string // OPA's error code, e.g. "rego_parse_error", or "scanmux"
	Message string

	kind error // sentinel returned by Unwrap, or nil
}

// Error formats the problem as "FILE:LINE: message".
func (e *Error) Error() string {
	switch {
	case e.File == "":
		return e.Message
	case e.Line == 0:
		return e.File + ": " + e.Message
	default:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	}
}

// Unwrap returns the sentinel error describing the kind of problem, if any.
func (e *Error) Unwrap() error { return e.kind }

// Errors is the list of problems [Load] found, sorted by file and line.
type Errors []*Error

// Error returns one problem per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, so errors.Is and errors.As see each of them.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// fromAST converts OPA's errors, which carry locations, to Errors, naming
// forbidden built-ins and dropping duplicates (the shadow rules Load adds
// repeat their originals' locations).
func fromAST(errs ast.Errors, forbidden map[string]string) Errors {
	var out Errors
	seen := map[string]bool{}
	for _, e := range errs {
		pe := &Error{Code: e.Code, Message: e.Message}
		if e.Location != nil {
			pe.File, pe.Line, pe.Column = e.Location.File, e.Location.Row, e.Location.Col
		}
		if name, ok := strings.CutPrefix(e.Message, "undefined function "); ok {
			if why, ok := forbidden[name]; ok {
				pe.Message = fmt.Sprintf("built-in %s is not allowed: %s", name, why)
				pe.kind = ErrForbiddenBuiltin
			}
		}
		k := pe.Error()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, pe)
	}
	out.sort()
	return out
}

func (es Errors) sort() {
	slices.SortStableFunc(es, func(a, b *Error) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
}
