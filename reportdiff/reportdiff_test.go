package reportdiff_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/reportdiff"
	"github.com/scanmux/scanmux/sarif"
)

const recording = "../report/testdata/vulnerable-app.sarif"

// The recorded scan against itself: everything unchanged. Against the
// same log without tfsec's run: tfsec's findings are fixed (old to new)
// or new (new to old).
func TestCompareRecording(t *testing.T) {
	res, err := reportdiff.Compare(recording, recording, "")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := sarif.ReadFile(recording, nil)
	if err != nil {
		t.Fatal(err)
	}
	total, tfsec := 0, 0
	var keep []sarif.Run
	for _, r := range runs {
		total += len(r.Findings)
		if r.Tool.Name == "tfsec" {
			tfsec = len(r.Findings)
			continue
		}
		keep = append(keep, r)
	}
	if len(res.Unchanged) != total || len(res.Added)+len(res.Fixed)+len(res.Updated) != 0 {
		t.Fatalf("log against itself: %s, want %d unchanged", res.Summary(), total)
	}
	var buf bytes.Buffer
	if _, err := sarif.Write(&buf, keep, &sarif.WriteOptions{Profile: sarif.ProfileFull, Limits: &sarif.Limits{}}); err != nil {
		t.Fatal(err)
	}
	without := filepath.Join(t.TempDir(), "without-tfsec.sarif")
	if err := os.WriteFile(without, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = reportdiff.Compare(recording, without, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fixed) != tfsec || len(res.Added) != 0 || len(res.Unchanged) != total-tfsec || tfsec == 0 {
		t.Errorf("without tfsec: %s, want %d fixed", res.Summary(), tfsec)
	}
	for _, f := range res.Fixed {
		if f.Tool.Name != "tfsec" {
			t.Errorf("fixed: %s %s", f.Tool.Name, f.Rule.ID)
		}
	}
	res, err = reportdiff.Compare(without, recording, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != tfsec || len(res.Fixed) != 0 {
		t.Errorf("with tfsec again: %s, want %d new", res.Summary(), tfsec)
	}
	// Most severe first.
	for i := 1; i < len(res.Added); i++ {
		if res.Added[i].Severity > res.Added[i-1].Severity {
			t.Errorf("not sorted by severity at %d", i)
		}
	}

	// The three outputs agree.
	var tbl, md, js bytes.Buffer
	if err := res.WriteTable(&tbl, false); err != nil {
		t.Fatal(err)
	}
	if err := res.WriteMarkdown(&md, false); err != nil {
		t.Fatal(err)
	}
	if err := res.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(tbl.String(), "\nnew "); n != tfsec {
		t.Errorf("table: %d new rows, want %d:\n%s", n, tfsec, tbl.String())
	}
	if !strings.Contains(md.String(), "### new (") || strings.Count(md.String(), "\n| ") != tfsec+1 {
		t.Errorf("markdown:\n%s", md.String())
	}
	var doc reportdiff.JSON
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Counts["new"] != tfsec || len(doc.Added) != tfsec || len(doc.Unchanged) != total-tfsec || doc.Added[0].Severity != finding.SeverityCritical.String() {
		t.Errorf("json counts %v, first %+v", doc.Counts, doc.Added[0])
	}
}

func TestCompareErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.sarif")
	if err := os.WriteFile(bad, []byte(`{"version":"2.1.0","runs":[{]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range [][2]string{{bad, recording}, {recording, bad}, {"missing.sarif", recording}, {recording, "missing.sarif"}} {
		_, err := reportdiff.Compare(tc[0], tc[1], "")
		if err == nil {
			t.Errorf("Compare(%s, %s) succeeded", tc[0], tc[1])
			continue
		}
		named := tc[0]
		if named == recording {
			named = tc[1]
		}
		if !strings.Contains(err.Error(), named) {
			t.Errorf("error %q does not name %s", err, named)
		}
	}
}
