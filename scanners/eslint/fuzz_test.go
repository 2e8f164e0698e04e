package eslint_test

import (
	"os"
	"testing"

	"github.com/scanmux/scanmux/scanners/eslint"
	"github.com/scanmux/scanmux/scanners/internal/corpustest"
)

// FuzzDecode checks that the adapter neither panics nor emits invalid
// findings on any input, and fails only with format errors.
func FuzzDecode(f *testing.F) {
	seed, err := os.ReadFile("testdata/eslint-9.39.1.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`[{"filePath":"/src/a.js","messages":[{"ruleId":"no-secrets/no-secrets","severity":2,"message":"m : \"abc\"","line":1,"column":2,"endLine":1,"endColumn":5},{"ruleId":null,"fatal":true,"severity":2,"message":"p","line":1}],"suppressedMessages":[{"ruleId":"x","severity":1,"message":"m","line":1,"column":1,"suppressions":[{"kind":"directive","justification":"j"}]}],"source":"abc\r\n"}]`))
	f.Fuzz(func(t *testing.T, b []byte) { corpustest.Fuzz(t, b, eslint.Adapter{}) })
}
