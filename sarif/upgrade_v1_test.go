package sarif

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"

	"github.com/scanmux/scanmux/finding"
)

// upgradeRoslynV1 is the corpus's real SARIF 1.0 log: the C# compiler's
// /errorlog of a small ASP.NET project, 37 results.
const upgradeRoslynV1 = "../../shared/corpus/roslyn/roslyn-errorlog-sarif-v1.0.0.sarif"

// upgradeRoslynRoot is the directory the Roslyn log's file URIs are under.
const upgradeRoslynRoot = "file:///Users/adrianosantos/Trybe/Aceleracao/ProjetoFinal/GeoPet2/GeoPet"

// upgradeFile upgrades the SARIF 1.0 log at path.
func upgradeFile(t *testing.T, path string) []byte {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && strings.HasPrefix(path, "../../shared/") {
			t.Skipf("%s is missing: the corpus lives in ../shared beside the repository root, which only CI checks out; skipping", path)
		}
		t.Fatal(err)
	}
	defer fh.Close()
	out, err := UpgradeV1(fh, path)
	if err != nil {
		t.Fatalf("UpgradeV1(%s): %v", path, err)
	}
	return out
}

// writeTemp writes b to a file named name in a test's temporary directory.
func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUpgradeV1Roslyn upgrades the corpus's real SARIF 1.0 log and reads
// it with the reader: the same 37 results, rules, paths, lines and
// suppression as the 1.0 log, and a log the SARIF Multitool's validator
// passes. Where the Multitool is installed (sarif-validate installs it),
// its own conversion of the log must say the same (see
// compareWithMultitool).
func TestUpgradeV1Roslyn(t *testing.T) {
	head, err := os.ReadFile(upgradeRoslynV1)
	if err != nil {
		upgradeFile(t, upgradeRoslynV1) // skips without the corpus
		t.Fatal(err)
	}
	if !IsV1(head) {
		t.Error("IsV1 is false for the Roslyn 1.0 log")
	}
	out := upgradeFile(t, upgradeRoslynV1)
	if IsV1(out) {
		t.Error("IsV1 is true for the upgraded log")
	}
	runs, err := Read(bytes.NewReader(out), "upgraded.sarif", &ReadOptions{Root: upgradeRoslynRoot})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Fatalf("%d runs", len(runs))
	}
	run := runs[0]
	if run.Tool.Name != "roslyn" || run.Tool.FullName != "Microsoft (R) Visual C# Compiler" || run.Tool.Version != "4.4.0.0" {
		t.Errorf("tool %+v", run.Tool)
	}
	fs := run.Findings
	if len(fs) != 37 {
		t.Fatalf("%d findings, want 37", len(fs))
	}
	counts := map[string]int{}
	for _, f := range fs {
		counts[f.Rule.ID]++
	}
	if want := map[string]int{"CS8618": 22, "CS8602": 5, "CS8603": 4, "CA1050": 2, "CA1822": 2, "CS1998": 1, "CS8625": 1}; !reflect.DeepEqual(counts, want) {
		t.Errorf("findings per rule %v, want %v", counts, want)
	}

	// Each finding has the rule, path and lines of its 1.0 result, in order.
	var v1 struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Message   string `json:"message"`
				Locations []struct {
					ResultFile struct {
						URI    string                                                   `json:"uri"`
						Region struct{ StartLine, StartColumn, EndLine, EndColumn int } `json:"region"`
					} `json:"resultFile"`
				} `json:"locations"`
				SuppressionStates []string `json:"suppressionStates"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(head, &v1, json.MatchCaseInsensitiveNames(true)); err != nil {
		t.Fatal(err)
	}
	for i, r := range v1.Runs[0].Results {
		f := fs[i]
		loc := r.Locations[0].ResultFile
		rg := loc.Region
		wantSev := map[string]finding.Severity{"warning": finding.SeverityMedium, "note": finding.SeverityLow}[r.Level]
		// Most URIs are absolute file URIs under the project; the Razor
		// generator's files are relative.
		wantPath, _ := strings.CutPrefix(loc.URI, upgradeRoslynRoot+"/")
		if f.Rule.ID != r.RuleID || f.Message != r.Message || f.Severity != wantSev || f.Location.Path != wantPath ||
			f.Location.Region != (finding.Region{StartLine: rg.StartLine, StartColumn: rg.StartColumn, EndLine: rg.EndLine, EndColumn: rg.EndColumn}) ||
			f.Suppressed() != slices.Contains(r.SuppressionStates, "suppressedInSource") {
			t.Errorf("finding %d: %s %s %+v %v, 1.0 result %+v", i, f.Rule.ID, f.Location.Path, f.Location.Region, f.Severity, r)
		}
	}
	// Spot checks with the values written out.
	first := fs[0]
	if first.Rule.ID != "CS8618" || first.Location.Path != "Controllers/TypesReq/ReqUser.cs" ||
		first.Location.Region != (finding.Region{StartLine: 8, StartColumn: 19, EndLine: 8, EndColumn: 23}) ||
		first.Rule.HelpURI != "https://msdn.microsoft.com/query/roslyn.query?appId=roslyn&k=k(CS8618)" ||
		len(first.Related) != 1 || first.Related[0].Region.StartLine != 8 {
		t.Errorf("first finding: %+v", first)
	}
	var suppressed []*finding.Finding
	for _, f := range fs {
		if f.Suppressed() {
			suppressed = append(suppressed, f)
		}
	}
	if len(suppressed) != 1 || suppressed[0].Rule.ID != "CS1998" || suppressed[0].Suppressions[0].Kind != finding.SuppressionInSource {
		t.Errorf("suppressed findings: %v", suppressed)
	}
	for _, f := range fs {
		if f.Rule.ID == "CA1050" && (f.Severity != finding.SeverityLow || f.Rule.ShortDescription != "Declare types in namespaces") {
			t.Errorf("CA1050: %+v", f)
		}
	}

	path := writeTemp(t, "roslyn-upgraded.sarif", out)
	t.Run("validator", func(t *testing.T) {
		if n := runValidator(t, path)[path]; n != 0 {
			t.Errorf("%d errors from the SARIF Multitool's validator", n)
		}
	})
	t.Run("multitool", func(t *testing.T) {
		mt := multitool(t)
		ref := filepath.Join(t.TempDir(), "multitool.sarif")
		abs, err := filepath.Abs(upgradeRoslynV1)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(mt, "rewrite", abs, "--sarif-output-version", "Current", "-o", ref, "--log", "ForceOverwrite")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("Multitool rewrite: %v\n%s", err, b)
		}
		want, err := os.ReadFile(ref)
		if err != nil {
			t.Fatal(err)
		}
		compareWithMultitool(t, out, want)
	})
}

// TestUpgradeV1Features upgrades testdata/upgrade_v1/features-v1.sarif, a
// SARIF 1.0 log written by hand to hold what the Roslyn log lacks (files,
// logical locations, formatted messages, rule keys, pass and
// notApplicable results, baseline states, code flows, stacks, fixes,
// notifications), and checks the result against the SARIF Multitool
// 5.7.0's conversion of it (features-v1.multitool-5.7.0.sarif), the reader
// and the validator.
func TestUpgradeV1Features(t *testing.T) {
	in := "testdata/upgrade_v1/features-v1.sarif"
	head, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	if !IsV1(head) {
		t.Error("IsV1 false")
	}
	out := upgradeFile(t, in)
	want, err := os.ReadFile("testdata/upgrade_v1/features-v1.multitool-5.7.0.sarif")
	if err != nil {
		t.Fatal(err)
	}
	compareWithMultitool(t, out, want)

	runs, err := Read(bytes.NewReader(out), "features.sarif", &ReadOptions{Root: "/home/dev/project"})
	if err != nil {
		t.Fatal(err)
	}
	fs := runs[0].Findings
	if len(fs) != 4 {
		t.Fatalf("%d findings, want 4", len(fs))
	}
	// The formatted message is resolved through the rule's messageFormats.
	if f := fs[0]; f.Message != `Variable "ptr" was used without being initialized. It was declared {here} at line 12.` ||
		f.Location.Path != "src/collections/list.h" || f.Location.Region.StartLine != 15 || f.Severity != finding.SeverityHigh ||
		!f.Suppressed() || f.Suppressions[0].Kind != finding.SuppressionExternal ||
		f.Location.Snippet != "add_core(ptr, offset, val);" || len(f.Flows) != 1 || len(f.Flows[0].Steps) != 3 {
		t.Errorf("C2001: %+v", f)
	}
	if f := fs[1]; f.Rule.ID != "C2002" || f.Properties["sarif.kind"] != "pass" || f.Location.Path != "src/notes.txt" {
		t.Errorf("pass: %+v", f)
	}
	if f := fs[2]; f.Properties["sarif.kind"] != "notApplicable" {
		t.Errorf("notApplicable: %+v", f)
	}
	if f := fs[3]; f.Location.Path != "src/collections/list.h" || f.Location.Region.StartLine != 40 || f.Location.Region.EndLine != 42 ||
		f.Suppressions[0].Kind != finding.SuppressionInSource {
		t.Errorf("SRCROOT result: %+v", f)
	}
	// The reader does not read baselineState; the log has it.
	var log struct {
		Runs []struct {
			Results []struct {
				BaselineState string `json:"baselineState"`
			} `json:"results"`
			Invocations []struct {
				ExecutableLocation struct {
					URI string `json:"uri"`
				} `json:"executableLocation"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, r := range log.Runs[0].Results {
		states = append(states, r.BaselineState)
	}
	if !slices.Equal(states, []string{"unchanged", "", "new", "absent"}) {
		t.Errorf("baseline states %q", states)
	}
	t.Run("validator", func(t *testing.T) {
		path := writeTemp(t, "features-upgraded.sarif", out)
		if n := runValidator(t, path)[path]; n != 0 {
			t.Errorf("%d errors from the SARIF Multitool's validator", n)
		}
	})
}

// multitool returns the SARIF Multitool that sarif-validate installs, or
// skips the test.
func multitool(t *testing.T) string {
	t.Helper()
	home := os.Getenv("SARIF_MULTITOOL_HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			t.Skip("no home directory to find the SARIF Multitool in")
		}
		home = filepath.Join(h, ".cache", "sarif-multitool")
	}
	mt := filepath.Join(home, "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool")
	if _, err := os.Stat(mt); err != nil {
		t.Skipf("SARIF Multitool not installed at %s (%s installs it)", mt, validatorPath)
	}
	return mt
}

// compareWithMultitool checks that got, UpgradeV1's log, says what want,
// the SARIF Multitool's conversion of the same 1.0 log, says. It ignores
// where the two differ by design (see UpgradeV1's documentation): the
// explicit level "warning", the resolved text of formatted messages, the
// rules' help and the fullDescription copied from shortDescription,
// artifact indices, a default level "note" the Multitool drops, the
// invocation's paths made file URIs, and the $schema; times are compared
// as written by 1.0 ("...Z" against "...000Z").
func compareWithMultitool(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	normalizeUpgrade(g, w)
	var diffs []string
	jsonDiff("$", g, w, &diffs)
	for i, d := range diffs {
		if i == 20 {
			t.Errorf("... and %d more differences", len(diffs)-20)
			break
		}
		t.Error(d)
	}
}

// normalizeUpgrade removes from g (UpgradeV1's log) and w (the
// Multitool's) what compareWithMultitool ignores.
func normalizeUpgrade(g, w any) {
	for _, v := range []any{g, w} {
		delete(v.(map[string]any), "$schema")
		walk(v, func(m map[string]any) {
			for _, k := range []string{"timeUtc", "startTimeUtc", "endTimeUtc"} {
				if s, ok := m[k].(string); ok {
					m[k] = strings.Replace(s, ".000Z", "Z", 1)
				}
			}
		})
	}
	walk(w, func(m map[string]any) {
		for _, k := range []string{"executableLocation", "workingDirectory"} {
			if l, ok := m[k].(map[string]any); ok {
				if uri, ok := l["uri"].(string); ok {
					l["uri"] = filePathURI(uri)
				}
			}
		}
	})
	walk(g, func(m map[string]any) {
		if al, ok := m["artifactLocation"].(map[string]any); ok {
			delete(al, "index")
		}
		if al, ok := m["analysisTarget"].(map[string]any); ok {
			delete(al, "index")
		}
	})
	gRuns, _ := g.(map[string]any)["runs"].([]any)
	wRuns, _ := w.(map[string]any)["runs"].([]any)
	for i := range min(len(gRuns), len(wRuns)) {
		gr, wr := gRuns[i].(map[string]any), wRuns[i].(map[string]any)
		gRules, _ := dig(gr, "tool", "driver", "rules").([]any)
		wRules, _ := dig(wr, "tool", "driver", "rules").([]any)
		for j := range min(len(gRules), len(wRules)) {
			gm, wm := gRules[j].(map[string]any), wRules[j].(map[string]any)
			delete(gm, "help")
			if _, ok := wm["fullDescription"]; !ok {
				delete(gm, "fullDescription")
			}
			if dc, ok := gm["defaultConfiguration"].(map[string]any); ok && dc["level"] == "note" && wm["defaultConfiguration"] == nil {
				delete(gm, "defaultConfiguration")
			}
		}
		gResults, _ := gr["results"].([]any)
		wResults, _ := wr["results"].([]any)
		for j := range min(len(gResults), len(wResults)) {
			gm, wm := gResults[j].(map[string]any), wResults[j].(map[string]any)
			if _, ok := wm["level"]; !ok && gm["level"] == "warning" {
				delete(gm, "level")
			}
			gMsg, _ := gm["message"].(map[string]any)
			wMsg, _ := wm["message"].(map[string]any)
			if _, ok := wMsg["text"]; !ok && gMsg != nil && gMsg["id"] != nil {
				delete(gMsg, "text")
			}
		}
	}
}

// walk calls fn on every object in v.
func walk(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, e := range x {
			walk(e, fn)
		}
	case []any:
		for _, e := range x {
			walk(e, fn)
		}
	}
}

// dig returns the value at the path of keys in v, or nil.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// jsonDiff appends to diffs a line per place where got and want differ.
func jsonDiff(path string, got, want any, diffs *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: got %v, Multitool %v", path, got, want))
			return
		}
		keys := map[string]bool{}
		for k := range g {
			keys[k] = true
		}
		for k := range w {
			keys[k] = true
		}
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range keys {
				if !yield(k) {
					return
				}
			}
		}) {
			jsonDiff(path+"."+k, g[k], w[k], diffs)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			*diffs = append(*diffs, fmt.Sprintf("%s: got %v, Multitool %v", path, got, want))
			return
		}
		for i := range w {
			jsonDiff(fmt.Sprintf("%s[%d]", path, i), g[i], w[i], diffs)
		}
	default:
		if !reflect.DeepEqual(got, want) {
			*diffs = append(*diffs, fmt.Sprintf("%s: got %v, Multitool %v", path, got, want))
		}
	}
}

func ExampleUpgradeV1() {
	v1 := `{
  "$schema": "http://json.schemastore.org/sarif-1.0.0",
  "version": "1.0.0",
  "runs": [{
    "tool": {"name": "csc", "version": "4.4.0.0"},
    "rules": {"CS8618": {"id": "CS8618", "shortDescription": "Non-nullable field is uninitialized.", "defaultLevel": "warning"}},
    "results": [{
      "ruleId": "CS8618", "level": "warning",
      "message": "Non-nullable property 'Name' must contain a non-null value when exiting constructor.",
      "locations": [{"resultFile": {"uri": "file:///src/app/User.cs", "region": {"startLine": 8, "startColumn": 19, "endLine": 8, "endColumn": 23}}}]
    }]
  }]
}`
	fmt.Println(IsV1([]byte(v1)))
	log, err := UpgradeV1(strings.NewReader(v1), "errorlog.sarif")
	if err != nil {
		fmt.Println(err)
		return
	}
	runs, err := Read(bytes.NewReader(log), "errorlog.sarif", &ReadOptions{Root: "/src/app"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range runs[0].Findings {
		fmt.Println(f.Rule.ID, f.Severity, f.Location.Path, f.Location.Region.StartLine, f.Location.Region.StartColumn)
	}
	// Output:
	// true
	// CS8618 medium User.cs 8 19
}

func TestIsV1(t *testing.T) {
	for _, tc := range []struct {
		head string
		want bool
	}{
		{`{"$schema":"http://json.schemastore.org/sarif-1.0.0","version":"1.0.0","runs":[]}`, true},
		{"\ufeff {\"version\": \"1.0.0\", \"runs\": [{\"tool\":{\"name\":\"x\"", true},
		{`{"$schema":"http://json.schemastore.org/sarif-1.0.0","runs":[{"results":[{"ruleId":"CS8618","mess`, true}, // cut before a version
		{`{"version":"1.0.0-beta.5","runs":[]}`, true},
		{`{"$schema":"https://schemastore.azurewebsites.net/schemas/json/sarif-schema-1.0.0.json","version":"1.0.0"}`, true},
		{`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","version":"1.0.0"}}}]}`, false},
		{`{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[]}`, false},
		{`{"name":"left-pad","version":"1.0.0","main":"index.js"}`, false}, // package.json
		{`{"version":"1.0.0"}`, false},
		{`[{"version":"1.0.0","runs":[]}]`, false},
		{`{"version":1,"runs":[]}`, false},
		{``, false},
		{`{"vers`, false},
	} {
		if got := IsV1([]byte(tc.head)); got != tc.want {
			t.Errorf("IsV1(%.60q) = %v, want %v", tc.head, got, tc.want)
		}
	}
	// No 2.1.0 log of the repository's testdata is SARIF 1.0.
	files, err := filepath.Glob("testdata/*/*.sarif")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.Contains(f, "upgrade_v1") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if IsV1(b) {
			t.Errorf("IsV1(%s) is true", f)
		}
	}
}

func TestUpgradeV1Errors(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		want error
	}{
		"not json":   {`SARIF`, ErrInvalidLog},
		"array":      {`[]`, ErrInvalidLog},
		"2.1.0":      {`{"version":"2.1.0","runs":[]}`, ErrUnsupportedVersion},
		"no version": {`{"runs":[]}`, ErrInvalidLog},
		"no runs":    {`{"version":"1.0.0"}`, ErrInvalidLog},
		"null run":   {`{"version":"1.0.0","runs":[null]}`, ErrInvalidLog},
		"bad rules":  {`{"version":"1.0.0","runs":[{"rules":[]}]}`, ErrInvalidLog},
		"truncated":  {`{"version":"1.0.0","runs":[{"results":[`, ErrInvalidLog},
	} {
		_, err := UpgradeV1(strings.NewReader(tc.in), "in.sarif")
		var de *DecodeError
		if !errors.Is(err, tc.want) || !errors.As(err, &de) || de.File != "in.sarif" {
			t.Errorf("%s: error %v, want a *DecodeError naming the file wrapping %v", name, err, tc.want)
		}
	}
}

// TestUpgradeV1Minimal checks the smallest logs: no results, and a result
// without message, rule or location, which 2.1.0 requires a message for.
func TestUpgradeV1Minimal(t *testing.T) {
	out, err := UpgradeV1(strings.NewReader(`{"version":"1.0.0","runs":[{"tool":{"name":"t"},"results":[{"ruleId":"R1"}]},{"tool":{"name":"u"}}]}`), "min.sarif")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := Read(bytes.NewReader(out), "min.sarif", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || len(runs[0].Findings) != 1 || runs[0].Findings[0].Message != "R1" || len(runs[1].Findings) != 0 {
		t.Errorf("runs %+v", runs)
	}
}

func TestFormatMessage(t *testing.T) {
	for _, tc := range []struct{ format, want string }{
		{"Variable {0} at {1}.", "Variable x at 7."},
		{"{{literal}} {0}", "{literal} x"},
		{"{2} missing, {0:N} formatted, {1,5} aligned", "{2} missing, x formatted, 7 aligned"},
		{"unclosed {0", "unclosed {0"},
		{"}} alone", "} alone"},
	} {
		if got := formatMessage(tc.format, []string{"x", "7"}); got != tc.want {
			t.Errorf("formatMessage(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}

// FuzzUpgradeV1 checks that UpgradeV1 never panics, and that whatever it
// returns without an error the reader reads without an error.
func FuzzUpgradeV1(f *testing.F) {
	seed, err := os.ReadFile("testdata/upgrade_v1/features-v1.sarif")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"version":"1.0.0","runs":[{"tool":{"name":"t"},"results":[{"ruleId":"R","locations":[{"resultFile":{"uri":"a.c","region":{"startLine":3,"endLine":1,"startColumn":-2}}}]}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		IsV1(b)
		out, err := UpgradeV1(bytes.NewReader(b), "fuzz.sarif")
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		if _, err := Read(bytes.NewReader(out), "upgraded.sarif", nil); err != nil {
			t.Fatalf("the upgraded log does not read: %v\n%s", err, out)
		}
	})
}
