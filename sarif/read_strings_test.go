package sarif

import (
	"bytes"
	"strings"
	"testing"
)

// A SARIF log with a 20 MB message is read with the message cut to
// MaxStringBytes and a note.
func TestDecodeHugeString(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":"r","message":{"text":"`)
	b.WriteString(strings.Repeat("a", 20<<20))
	b.WriteString(`"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":1}}}]}]}]}`)
	runs, err := Read(&b, "huge.sarif", nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := runs[0].Findings[0].Message
	if len(msg) > MaxStringBytes+100 || !strings.HasSuffix(msg, "[... cut by scanmux: the string had 20971520 bytes]") {
		t.Errorf("message of %d bytes ending %q", len(msg), msg[max(0, len(msg)-80):])
	}
}
