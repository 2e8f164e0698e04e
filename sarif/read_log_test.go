package sarif

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/scanmux/scanmux/finding"
)

// decodeEvents decodes data as Decode does, reading results itself or
// leaving them to jsontext (slow), and returns what the handler got (each
// finding, and "end" with the run's tool when a run ends) and the error.
func decodeEvents(data []byte, slow bool, wrap func(*bytes.Reader) io.Reader) ([]any, error) {
	var events []any
	var r io.Reader = bytes.NewReader(data)
	if wrap != nil {
		r = wrap(bytes.NewReader(data))
	}
	d := newLogDecoder(r, "t.sarif", &ReadOptions{retain: true}, func(run *Run, f *finding.Finding) error {
		if f == nil {
			events = append(events, "end "+run.Tool.Name+fmt.Sprint(run.Invocation))
			return nil
		}
		events = append(events, f)
		return nil
	})
	d.slow = slow
	err := d.decodeLog()
	return events, err
}

// Ways to read: whole, half of each read, one byte per read.
var (
	readHalf = func(r *bytes.Reader) io.Reader { return iotest.HalfReader(r) }
	readByte = func(r *bytes.Reader) io.Reader { return iotest.OneByteReader(r) }
)

// checkSameDecode decodes data both ways, reading it whole and with each
// of wraps, and fails unless the findings and errors are the same.
func checkSameDecode(t *testing.T, name string, data []byte, wraps ...func(*bytes.Reader) io.Reader) {
	t.Helper()
	for _, wrap := range append([]func(*bytes.Reader) io.Reader{nil}, wraps...) {
		want, wantErr := decodeEvents(data, true, wrap)
		got, err := decodeEvents(data, false, wrap)
		if sameError(err) != sameError(wantErr) {
			t.Fatalf("%s: error\n got %v\nwant %v", name, err, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: findings differ: got %d events, want %d", name, len(got), len(want))
		}
	}
}

var (
	escapeRE = regexp.MustCompile("(invalid escape sequence|invalid character) (`[^`]*`|\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*')")
	// The path down to a run's member and, in an array such as results,
	// its element.
	pathHead = regexp.MustCompile(`^\$(\.runs\[\d+\])?(\.[A-Za-z$]+)?(\[\d+\])?`)
)

// sameError is the text of err without what jsontext gives as it can:
// as much of a bad escape or character as it has read, which it quotes,
// and the names of members below a run's member in its path. With
// duplicate names allowed, jsontext does not track names: it gives them
// as far as its buffer still holds them, so the same input read in other
// pieces can give "" or another name there. The byte offset, compared
// whole, pins the place.
func sameError(err error) string {
	var de *DecodeError
	if !errors.As(err, &de) {
		return fmt.Sprint(err)
	}
	path := pathHead.FindString(de.Path)
	return de.File + ": " + path + ": " + escapeRE.ReplaceAllString(de.Err.Error(), "$1")
}

// TestDecodeResultsSameAsJSONText checks that reading results without
// jsontext gives the findings and errors that jsontext gives, on the
// reader's test logs, the corpus, and broken copies of the small ones
// (cut short, or with one byte changed), with results straddling reads.
func TestDecodeResultsSameAsJSONText(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.sarif"))
	more, _ := filepath.Glob(filepath.Join("testdata", "reader", "*.sarif"))
	files = append(files, more...)
	if _, err := os.Stat(filepath.Join(rdSharedDir, "corpus", "MANIFEST.tsv")); err == nil {
		for _, e := range rdReadManifest(t) {
			if strings.HasPrefix(e.format, "sarif") {
				files = append(files, e.path)
			}
		}
	} else {
		t.Logf("corpus not found under %s: testdata only", rdSharedDir)
	}
	var docs [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, data)
		if len(data) <= 1<<20 {
			checkSameDecode(t, f, data, readHalf, readByte)
		} else {
			checkSameDecode(t, f, data, readHalf)
		}
	}
	// Edge cases of the results array itself.
	head := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"a"}},"results":[]},{"tool":{"driver":{"name":"b"}},"results":`
	res := `{"ruleId":"r","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":3}}}]}`
	for _, tail := range []string{
		`[]}]}`, `[ ]}]}`, `[` + res + `]}]}`, `[` + res + `,` + res + ` ] , "invocations":[{"executionSuccessful":false}]}]}`,
		`[` + res + `,]}]}`, `[,` + res + `]}]}`, `[` + res + res + `]}]}`, `[` + res + `}]}`, `[` + res,
		`[` + res + `,`, `[null]}]}`, `[1]}]}`, `[` + res + `,{"ruleId":"r","message":{"text":"\ud83d\ude00 \u00e9\/"}}]}]}`,
		`[{"ruleId":"r","message":{"text":"m"},"codeFlows":[]}]}]}`, `[{"ruleId":"r","message":{"text":"` + "\x01" + `"}}]}]}`,
		`[{"ruleId":"r","message":{"text":"m"},"properties":{"n":-0.5e+3,"x":[true,false,null,{}]}}]}]}`,
		`[{"ruleId":"r","message":{"text":"m"},"properties":{"n":01}}]}]}`, `[{"ruleId":"r","message":{"text":"m"},"properties":{"n":1.}}]}]}`,
		`[{"ruleId":"r","message":{"text":"m"},"properties":{"n":tru}}]}]}`, `[{"ruleId":"r","message":{"text":"\x"}}]}]}`,
		`[{"ruleId":"r","message":{"text":"\u12"}}]}]}`, `[{"ruleId":"r","ruleIndex":007,"message":{"text":"m"}}]}]}`,
		`[` + strings.Repeat(res+",", 300) + res + `]}]}`,
	} {
		data := []byte(head + tail)
		docs = append(docs, data)
		checkSameDecode(t, tail, data, readHalf, readByte)
	}
	// Broken copies of the small logs, read whole and one byte per read
	// or half of each read in turn.
	wraps := []func(*bytes.Reader) io.Reader{readHalf, readByte}
	n := 0
	for _, data := range docs {
		if len(data) > 32<<10 {
			continue
		}
		step := max(1, len(data)/30)
		for i := step / 2; i < len(data); i += step {
			n++
			checkSameDecode(t, fmt.Sprintf("cut at %d", i), data[:i], wraps[n%2])
			for _, c := range []byte{'}', ']', ',', '"', '\\', 0x01, '0', '['} {
				b := bytes.Clone(data)
				b[i] = c
				n++
				checkSameDecode(t, fmt.Sprintf("byte %d set to %q", i, c), b, wraps[n%2])
			}
		}
	}
}

// TestDecodeResultsReadError checks that a read error in a results array
// is reported as one, as jsontext reports it.
func TestDecodeResultsReadError(t *testing.T) {
	res := `{"ruleId":"r","message":{"text":"m"}},`
	data := []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"a"}},"results":[` + strings.Repeat(res, 2000) + res[:len(res)-1] + `]}]}`)
	boom := errors.New("boom")
	for _, n := range []int{100, 5000, 70000} {
		wrap := func(r *bytes.Reader) io.Reader {
			return io.MultiReader(io.LimitReader(r, int64(n)), errReader{boom})
		}
		for _, slow := range []bool{true, false} {
			_, err := decodeEvents(data, slow, wrap)
			var de *DecodeError
			if !errors.As(err, &de) || !errors.Is(err, boom) || !strings.HasPrefix(de.Path, "$.runs[0].results") {
				t.Errorf("error after %d bytes (slow %v): got %v, want a *DecodeError in $.runs[0].results wrapping the read error", n, slow, err)
			}
		}
	}
}

// FuzzDecodeResults checks that reading results without jsontext gives
// the findings and errors that jsontext gives, on any input.
func FuzzDecodeResults(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "reader", "*.sarif"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":"r","message":{"text":"m"}}, {"ruleId":"s","message":{"text":"n"},"properties":{"a":[1.5e3]}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSameDecode(t, "fuzz", data, readByte)
	})
}
