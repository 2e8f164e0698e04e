package sarif

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// unmarshalResult is the slow path of decodeResults.
func unmarshalResult(raw []byte) (xResult, error) {
	var r xResult
	err := json.Unmarshal(raw, &r, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	return r, err
}

// checkFast compares fastResult with json.Unmarshal on raw, and reports
// whether the fast path took it.
func checkFast(t *testing.T, name string, raw []byte) bool {
	t.Helper()
	var fast xResult
	if !fastResult(raw, &fast, nil, nil) {
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
	files, _ := filepath.Glob(filepath.Join("testdata", "*.sarif"))
	if _, err := os.Stat(filepath.Join(rdSharedDir, "corpus", "MANIFEST.tsv")); err == nil {
		for _, e := range rdReadManifest(t) {
			if strings.HasPrefix(e.format, "sarif") && e.parse == "json" {
				files = append(files, e.path)
			}
		}
	} else {
		t.Logf("corpus not found under %s: testdata only", rdSharedDir)
	}
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
		if json.Unmarshal(data, &log, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)) != nil {
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
	} {
		checkFast(t, raw, []byte(raw))
	}
}
