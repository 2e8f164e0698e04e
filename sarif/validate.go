package sarif

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaJSON is the official OASIS SARIF 2.1.0 schema; see schema/README.md.
//
//go:embed schema/sarif-schema-2.1.0.json
var schemaJSON []byte

// Problem is one thing [Validate] found wrong with a log.
type Problem struct {
	// Path is the JSON pointer (RFC 6901) of the offending value, "" for
	// the whole log.
	Path string
	// Rule names the check: "SCHEMA" for the SARIF 2.1.0 JSON schema,
	// "SARIFnnnn" for the SARIF Multitool's specification rules and
	// "GHnnnn" for GitHub's upload rules (see [Validate]).
	Rule string
	// Message says what is wrong.
	Message string
	// Level is "error" (GitHub or the specification rejects it) or
	// "warning" (accepted, but shown badly or not at all).
	Level string
}

// String formats p as "LEVEL RULE PATH: MESSAGE".
func (p Problem) String() string {
	return fmt.Sprintf("%s %s %s: %s", p.Level, p.Rule, p.Path, p.Message)
}

// ErrNotJSON means the data given to [Validate] is not a JSON document.
var ErrNotJSON = errors.New("sarif: not JSON")

var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("sarif: embedded schema: %w", err)
	}
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("sarif: embedded schema: %w", err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("sarif: embedded schema: %w", err)
	}
	return s, nil
})

// Validate checks a SARIF log against the embedded SARIF 2.1.0 JSON schema,
// the specification rules of Microsoft's SARIF Multitool that are errors,
// and GitHub code scanning's upload rules and [GitHubLimits]. It returns
// the problems found, errors first, each group in document order; a log
// GitHub accepts has no problem of Level "error". The error is non-nil
// only when data cannot be checked at all ([ErrNotJSON]).
//
// The rules, with the Multitool's ids where it has one:
//
//	SCHEMA     error    the JSON schema (null where an object is required, enums, required properties)
//	GH1013     error    $schema absent or not a SARIF 2.1.0 schema
//	GH1015     error    a result without locations or without message.text
//	GH2012     error    a rule without shortDescription.text
//	SARIF1004  error    an originalUriBaseIds uri that does not end with "/"
//	SARIF1007  error    a region with no start, or that ends before it starts
//	SARIF1009  error    a ruleIndex beyond tool.driver.rules
//	SARIF1012  error    a message.id the rule does not define
//	GH1001     error    a result location without physicalLocation.artifactLocation.uri
//	GH1002     error    a threadFlowLocation that uses index
//	GH1005     error    a location URI with a scheme other than file
//	GH1004     error    an array over GitHubLimits; the file over 10 MB gzip-compressed
//	GH1004     warning  the file within GitHubLimits.GzipMargin of 10 MB gzip-compressed
//	GH1001     warning  a related location without a physical location
//	GH1003     warning  a location without region
//	GH1006     warning  an absolute file URI outside invocations[].workingDirectory
//	GH1007     warning  message.text with unfilled placeholders such as "{0}"
//	SARIF1010  warning  a ruleId that differs from rules[ruleIndex].id
//
// GH1001, GH1002, GH1005 and the limits are errors because GitHub rejects
// such files ("expected a physical location", "unrecognized SARIF location
// URI scheme", the documented limits), although Multitool 5.7.0's "Gh"
// rules do not report them.
func Validate(data []byte) ([]Problem, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotJSON, err)
	}
	s, err := compiledSchema()
	if err != nil {
		return nil, err
	}
	v := &validation{}
	if err := s.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, fmt.Errorf("sarif: schema validation: %w", err)
		}
		v.schemaProblems(ve)
	}
	v.log(doc, data)
	// Errors first, keeping document order within each level.
	var out []Problem
	for _, lvl := range []string{"error", "warning"} {
		for _, p := range v.problems {
			if p.Level == lvl {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// pointer builds a JSON pointer from reference tokens.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}
