package sarifjson

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// decodeOpts are the options of package sarif's reader.
var decodeOpts = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// sharedDir is the project's shared directory, a sibling of the
// repository root. Users' clones lack it; CI has it.
const sharedDir = "../../../../shared"

// corpusJSON returns the corpus's SARIF files that are JSON, or nil when
// the shared directory is missing.
func corpusJSON(t testing.TB) []string {
	t.Helper()
	fh, err := os.Open(filepath.Join(sharedDir, "corpus", "MANIFEST.tsv"))
	if err != nil {
		t.Logf("corpus not found under %s: testdata only", sharedDir)
		return nil
	}
	defer fh.Close()
	var out []string
	sc := bufio.NewScanner(fh)
	var col map[string]int
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if col == nil {
			col = map[string]int{}
			for i, n := range fs {
				col[n] = i
			}
			continue
		}
		get := func(n string) string {
			if i, ok := col[n]; ok && i < len(fs) {
				return fs[i]
			}
			return ""
		}
		if strings.HasPrefix(get("format"), "sarif") && get("parse") == "json" {
			out = append(out, filepath.Join(sharedDir, get("local_path")))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// unmarshalResult is the slow path of package sarif's decodeResults.
func unmarshalResult(raw []byte) (ReadResult, error) {
	var r ReadResult
	err := json.Unmarshal(raw, &r, decodeOpts...)
	return r, err
}

// checkFast compares fastResult with json.Unmarshal on raw, and reports
// whether the fast path took it.
func checkFast(t *testing.T, name string, raw []byte) bool {
	t.Helper()
	var fast ReadResult
	if !ParseResult(raw, &fast, nil, nil) {
		return false
	}
	slow, err := unmarshalResult(raw)
	if err != nil {
		t.Fatalf("%s: the fast path took a result json.Unmarshal rejects (%v):\n%s", name, err, raw)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s: fast path differs from json.Unmarshal on\n%s\nfast: %+v\nslow: %+v", name, raw, fast, slow)
	}
	return true
}

// TestFastResultMatchesUnmarshal decodes every result of the corpus and of
// testdata both ways: where the fast path takes a result, it must give
// what json.Unmarshal gives.
func TestFastResultMatchesUnmarshal(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "*.sarif"))
	files = append(files, corpusJSON(t)...)
	var total, fast int
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var log struct {
			Runs []struct {
				Results []jsontext.Value `json:"results"`
			} `json:"runs"`
		}
		if json.Unmarshal(data, &log, decodeOpts...) != nil {
			continue // a broken file: the reader's other tests cover it
		}
		for _, run := range log.Runs {
			for _, raw := range run.Results {
				total++
				if checkFast(t, file, raw) {
					fast++
				}
			}
		}
	}
	t.Logf("%d of %d results took the fast path", fast, total)
	if total > 0 && fast == 0 {
		t.Error("no result took the fast path")
	}
}

// TestFastResultEdgeCases covers what the corpus may not: escapes,
// duplicates, nulls, numbers and invalid UTF-8 either decode as
// json.Unmarshal does or fall back to it.
func TestFastResultEdgeCases(t *testing.T) {
	for _, raw := range []string{
		`{}`,
		` { "ruleId" : "a\"b\\u00e9\n" , "level":"error" } `,
		`{"ruleId":"a","ruleId":"b"}`,
		`{"ruleId":null}`,
		`{"ruleIndex":1.5}`,
		`{"ruleIndex":-3}`,
		`{"ruleIndex":12345678901}`,
		`{"message":{"text":"t","arguments":["x"]}}`,
		`{"message":{"text":"t","other":{"a":[1,{"b":"}"}]}}}`,
		`{"locations":[]}`,
		`{"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go","index":0},"region":{"startLine":3,"snippet":{"text":"x","rendered":{}}},"contextRegion":{"startLine":1}},"id":1}]}`,
		`{"locations":[{"logicalLocations":[{"name":"f"}]}]}`,
		`{"partialFingerprints":{"k":"v","k":"w"}}`,
		`{"partialFingerprints":{"k":1}}`,
		`{"properties":{"a":[1, 2],"b":{"c" : true},"d":null,"e":"s"}}`,
		"{\"ruleId\":\"\xff\"}",
		"{\"properties\":{\"\xff\":1}}",
		`{"codeFlows":[]}`,
		`{"unknown":[{"x":"]"}],"ruleId":"r"}`,
		`[1]`,
		`{"baselineState":5,"ruleId":"r"}`,
		`{"locations":[{"id":"x","physicalLocation":{"artifactLocation":{"uri":"a.go","description":"d"}}}]}`,
		`{"locations":[{"id":1.5,"physicalLocation":{"artifactLocation":{"description":{"text":1}}}}]}`,
	} {
		checkFast(t, raw, []byte(raw))
	}
}

// FuzzFastResultValid checks that ParseResultAt takes no text that
// jsontext rejects, and that where it takes a result, json.Unmarshal
// gives the same.
func FuzzFastResultValid(f *testing.F) {
	for _, s := range []string{
		`{"ruleId":"r","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":3}}}]}`,
		`{"properties":{"a":[1,-2.5e3,true,null,{"b":"\u00e9\n"}]},"partialFingerprints":{"k":"v"}}`,
		`{"ruleId":"r","ruleIndex":0} ,`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r ReadResult
		n, ok := ParseResultAt(b, &r, nil, nil)
		if !ok {
			return
		}
		if !jsontext.Value(b[:n]).IsValid(decodeOpts...) {
			t.Fatalf("ParseResultAt took %q, which is not valid JSON", b[:n])
		}
		checkFast(t, "fuzz", b[:n])
	})
}
