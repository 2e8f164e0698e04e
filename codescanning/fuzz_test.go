package codescanning_test

import (
	"errors"
	"os"
	"testing"

	"github.com/scanmux/scanmux/codescanning"
)

// Check reads logs from anyone: whatever the bytes, it returns an error or
// a log ready to send, and never panics.
func FuzzCheck(f *testing.F) {
	if b, err := os.ReadFile("../report/testdata/vulnerable-app.sarif"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[{"id":"R","properties":{"security-severity":"7.5","tags":["a"]}}]}},"results":[{"ruleId":"R","locations":[{"physicalLocation":{"artifactLocation":{"uri":"git://x/a.go"}}}],"codeFlows":[{"threadFlows":[{"locations":[{"location":{}}]}]}]}],"automationDetails":{"id":"a/b"}}]}`,
		`{"version":"2.1.0","runs":null}`,
		`{"version":"2.1.0","runs":[{"results":{}}]}`,
		"\xef\xbb\xbf{}",
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, log []byte) {
		c, err := codescanning.Check(log, &codescanning.CheckOptions{CheckoutURI: "file:///src"})
		if err == nil && (c == nil || len(c.Gzip) == 0) {
			t.Fatal("no error and nothing to send")
		}
		var pe *codescanning.PreflightError
		if errors.As(err, &pe) && len(pe.Problems) == 0 {
			t.Fatal("a PreflightError without problems")
		}
	})
}
