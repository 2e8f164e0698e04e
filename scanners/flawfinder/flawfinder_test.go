package flawfinder_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
	"github.com/scanmux/scanmux/scanners/flawfinder"
)

// rec is Flawfinder 2.0.19's CSV of the real recordings' sample tree, run
// from the tree's root (see testdata/real/README.md).
const rec = "../../testdata/real/out/flawfinder/flawfinder-2.0.19-root-csv.csv"

func decode(t *testing.T, path string) (finding.Tool, []*finding.Finding) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var fs []*finding.Finding
	tool, err := flawfinder.Adapter{}.Decode(fh, path, &scanners.Options{}, func(f *finding.Finding) error {
		if err := f.Validate(); err != nil {
			t.Errorf("invalid finding: %v", err)
		}
		fs = append(fs, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tool, fs
}

func TestDecodeRealCSV(t *testing.T) {
	data, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	if !(flawfinder.Adapter{}).Detect(data) {
		t.Fatal("Detect does not claim Flawfinder's CSV")
	}
	tool, fs := decode(t, rec)
	if tool.Name != "flawfinder" || tool.Version != "2.0.19" || len(fs) != 9 {
		t.Fatalf("tool %+v, %d findings; want flawfinder 2.0.19, 9", tool, len(fs))
	}
	i := slices.IndexFunc(fs, func(f *finding.Finding) bool { return f.Rule.ID == "FF1014" })
	if i < 0 {
		t.Fatal("no FF1014 (gets)")
	}
	gets := fs[i]
	want := finding.Location{Path: "samples/c/vuln.c", Region: finding.Region{StartLine: 32, StartColumn: 5}, Snippet: "    gets(line);"}
	if gets.Location != want || gets.Severity != finding.SeverityHigh || gets.OriginalSeverity != "5" ||
		!slices.Equal(gets.CWEs, []int{20, 120}) || gets.Rule.Name != "buffer/gets" {
		t.Errorf("gets: %+v", gets)
	}
	i = slices.IndexFunc(fs, func(f *finding.Finding) bool { return f.Rule.ID == "FF1013" })
	if c := fs[i]; !slices.Equal(c.CWEs, []int{119, 120}) || c.Severity != finding.SeverityLow {
		t.Errorf("FF1013: CWEs %v severity %s, want [119 120] low", c.CWEs, c.Severity)
	}
}

func TestDecodeBadCSV(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ff.csv")
	os.WriteFile(p, []byte("File,Line,Column,DefaultLevel,Level,Category,Name,Warning,Suggestion,Note,CWEs,Context\na.c,1,1,4,high,buffer,gets,w,,,,\n"), 0o644)
	fh, _ := os.Open(p)
	defer fh.Close()
	_, err := flawfinder.Adapter{}.Decode(fh, p, nil, func(*finding.Finding) error { return nil })
	if !errors.Is(err, scanners.ErrFormat) || !strings.Contains(err.Error(), "row 2") || !strings.Contains(err.Error(), p) {
		t.Fatalf("got %v, want a format error naming the file and row 2", err)
	}
}
