package shellcheck_test

import (
	"os"
	"testing"

	"github.com/scanmux/scanmux/scanners/internal/corpustest"
	"github.com/scanmux/scanmux/scanners/shellcheck"
)

// FuzzDecode checks that the adapter neither panics nor emits invalid
// findings on any input, and fails only with format errors.
func FuzzDecode(f *testing.F) {
	seed, err := os.ReadFile("testdata/vuln-0.9.0.json1")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`[{"file":"/src/a.sh","line":2,"endLine":2,"column":3,"endColumn":5,"level":"error","code":1000,"message":"m","fix":{"replacements":[]}}]`))
	f.Fuzz(func(t *testing.T, b []byte) { corpustest.Fuzz(t, b, shellcheck.Adapter{}) })
}
