package sarif

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sarif/internal/gzipsize"
	"github.com/scanmux/scanmux/sarif/internal/sarifjson"
)

// trickyStrings exercise every escape of encoding/json.
var trickyStrings = []string{
	"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnl\ncr\rbs\bff\f",
	"\x00\x01\x1f\x7f", "line\u2028para\u2029", "bad \xff utf-8 \xc3", "é 中文 😀", "\xed\xa0\x80 surrogate",
	"trailing \\", "\u2028", "\xff",
}

func TestPathURI(t *testing.T) {
	for _, p := range []string{"a/b.go", "my file.go", "a:b/c.go", "b/a:c.go", "100%.go", "ü/x.go", "a+b,c;d=e@f$g&h'i(j)k*l!m.go", "//x", "a?b#c", "~user/x_y-z.go", ".github/workflows/dast.yml"} {
		if got, want := pathURI(p), (&url.URL{Path: p}).String(); got != want {
			t.Errorf("pathURI(%q) = %q, want %q", p, got, want)
		}
	}
}

// randomFinding returns a finding using every field the writer writes,
// with tricky strings.
func randomFinding(rng *rand.Rand) finding.Finding {
	str := func() string { return trickyStrings[rng.IntN(len(trickyStrings))] + fmt.Sprint(rng.IntN(100)) }
	loc := func() finding.Location {
		l := finding.Location{Message: str()}
		switch rng.IntN(4) {
		case 0:
			l.Path, l.Region = "cmd/app/main.go", finding.Region{StartLine: 1 + rng.IntN(20), StartColumn: rng.IntN(5), EndColumn: rng.IntN(50)}
			l.Snippet = str()
		case 1:
			l.Path = "dir with space/" + fmt.Sprint(rng.IntN(9)) + ".go"
		case 2:
			l.Package = &finding.Package{Name: str(), Version: "1.0", PURL: "pkg:x/y@1"}
		default:
			l.Web = &finding.Web{URL: "https://example.com/?q=" + str(), Method: "GET"}
		}
		if rng.IntN(2) == 0 {
			l.Resource = str()
		}
		return l
	}
	f := finding.Finding{
		Tool: finding.Tool{Name: "t"}, Rule: finding.Rule{ID: "R" + str()}, Message: str(),
		Category: finding.Categories[rng.IntN(len(finding.Categories))], Severity: finding.Severity(1 + rng.IntN(5)),
		OriginalSeverity: str(), Precision: []finding.Precision{"", "low", "high"}[rng.IntN(3)],
		Location: loc(), Baseline: []finding.BaselineState{"", "new"}[rng.IntN(2)],
	}
	for range rng.IntN(3) {
		f.CWEs = append(f.CWEs, 1+len(f.CWEs)*700+rng.IntN(700))
		f.VulnIDs = append(f.VulnIDs, "CVE-2024-"+fmt.Sprint(1000+rng.IntN(9000)))
		f.Related = append(f.Related, loc())
	}
	for range rng.IntN(3) {
		fl := finding.Flow{Message: str()}
		for range 1 + rng.IntN(3) {
			fl.Steps = append(fl.Steps, loc())
		}
		f.Flows = append(f.Flows, fl)
	}
	if rng.IntN(2) == 0 {
		f.Fingerprints = map[string]string{"b/v1": str(), "a": str(), finding.FingerprintLineHash: "x:1"}
		f.Properties = map[string]string{str(): str(), "k": "v", "<&>": "\u2028"}
	}
	if rng.IntN(2) == 0 {
		f.Suppressions = []finding.Suppression{{Kind: finding.SuppressionExternal, Justification: str(), Source: str()}, {Kind: finding.SuppressionInSource, Status: finding.SuppressionRejected}}
	}
	if rng.IntN(3) == 0 {
		f.Also = []finding.Report{{Tool: finding.Tool{Name: "u", Version: "2"}, RuleID: str(), Severity: finding.SeverityLow, Message: str(),
			Location: finding.Location{Path: "x.go", Region: finding.Region{StartLine: 3, EndLine: 4}, Package: &finding.Package{Name: "p"}, Web: &finding.Web{URL: "https://u"}}, Match: str()}}
	}
	return f
}

// TestWriteResultsMatchEncodingJSON checks that the hand-written result
// encoding (package internal/sarifjson) gives the bytes encoding/json
// gives for the results the writer builds, at the depth results have in a
// log.
func TestWriteResultsMatchEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, prof := range []Profile{ProfileGitHub, ProfileFull} {
		src, err := newSourceCache(srcDir)
		if err != nil {
			t.Fatal(err)
		}
		defer src.close()
		b := &resultBuilder{opts: &WriteOptions{Profile: prof, FallbackPath: "go.mod"}, lim: Limits{MaxLocationsPerResult: 2, MaxThreadFlowLocationsPerResult: 3}, src: src}
		a := new(sarifjson.Arena)
		n := 0
		for range 3000 {
			f := randomFinding(rng)
			a.Reset()
			res, _, _, ok := b.result(&f, a)
			if !ok {
				continue
			}
			n++
			ri := rng.IntN(3)
			res.RuleIndex = &ri
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("        ", "  ")
			if err := enc.Encode(res); err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(buf.String(), "\n")
			e := sarifjson.Encoder{Depth: 4}
			e.Result(&res)
			if got := string(e.Buf); got != want {
				t.Fatalf("profile %d: hand encoding differs from encoding/json:\ngot:\n%s\nwant:\n%s", prof, got, want)
			}
			compact := sarifjson.Encoder{Depth: 4, Compact: true}
			compact.Result(&res)
			wantCompact, err := marshalNoEscape(res)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(compact.Buf); got != wantCompact {
				t.Fatalf("profile %d: compact hand encoding differs from encoding/json:\ngot:\n%s\nwant:\n%s", prof, got, wantCompact)
			}
		}
		if n < 1000 {
			t.Errorf("profile %d: only %d results compared", prof, n)
		}
	}
}

// TestLimitGzipLarge cuts a log of several gzip blocks to a third of its
// compressed size: the result fits, is measured exactly and does not
// depend on the number of cores.
func TestLimitGzipLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	runs := benchRuns(4, 12000)
	_, full, _ := writeDecode(t, runs, &WriteOptions{Limits: &Limits{MaxGzipBytes: 1 << 40}})
	if full.Bytes < 3*gzipsize.BlockSize {
		t.Fatalf("log of %d bytes: too small to span several blocks", full.Bytes)
	}
	lim := &Limits{MaxGzipBytes: full.GzipBytes / 3}
	var outs [][]byte
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		_, sum, data := writeDecode(t, runs, &WriteOptions{Limits: lim})
		runtime.GOMAXPROCS(old)
		gz, err := gzipsize.Size(data)
		if err != nil {
			t.Fatal(err)
		}
		if gz > lim.MaxGzipBytes || sum.GzipBytes != gz || sum.Bytes != int64(len(data)) {
			t.Errorf("GOMAXPROCS %d: compressed %d (summary %d), limit %d", procs, gz, sum.GzipBytes, lim.MaxGzipBytes)
		}
		if sum.DroppedResults == 0 || gz < lim.MaxGzipBytes*99/100 {
			t.Errorf("GOMAXPROCS %d: dropped %d, compressed %d: want just under the limit %d", procs, sum.DroppedResults, gz, lim.MaxGzipBytes)
		}
		outs = append(outs, data)
	}
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Errorf("output depends on GOMAXPROCS")
		}
	}
}

// TestLimitGzipFile writes logs that fit, and logs cut to fit, to files:
// the files hold exactly the logs written to a buffer.
func TestLimitGzipFile(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	runs := benchRuns(4, 6000)
	_, full, _ := writeDecode(t, runs, &WriteOptions{Limits: &Limits{MaxGzipBytes: 1 << 40}})
	for _, lim := range []*Limits{
		{MaxGzipBytes: 1 << 40},                 // fits: the first measure is the log
		{MaxGzipBytes: full.GzipBytes / 3},      // cut: a measure of the fit is the log
		{MaxGzipBytes: full.GzipBytes / 100},    // cut to little
		{MaxGzipBytes: full.GzipBytes * 9 / 10}, // cut by little
	} {
		opts := &WriteOptions{Limits: lim}
		_, want, data := writeDecode(t, runs, opts)
		f, err := os.Create(filepath.Join(t.TempDir(), "out.sarif"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Write(f, runs, opts)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		written, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(written, data) || got.Bytes != want.Bytes || got.GzipBytes != want.GzipBytes || got.DroppedResults != want.DroppedResults {
			t.Errorf("limit %d: file of %d bytes (summary %d, %d compressed, %d dropped), want the buffer's %d bytes (%d, %d, %d); same bytes %v",
				lim.MaxGzipBytes, len(written), got.Bytes, got.GzipBytes, got.DroppedResults, len(data), want.Bytes, want.GzipBytes, want.DroppedResults, bytes.Equal(written, data))
		}
	}
}

// marshalNoEscape is json.Marshal without HTML escaping.
func marshalNoEscape(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}
