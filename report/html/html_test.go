package html_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	reporthtml "github.com/scanmux/scanmux/report/html"
	"github.com/scanmux/scanmux/report/internal/reporttest"
)

func write(t *testing.T, r *aggregate.Report, o *report.Options) []byte {
	t.Helper()
	f, err := report.Lookup("html")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestVulnerableApp(t *testing.T) {
	r, o := reporttest.VulnerableApp(t)
	page := write(t, r, o)
	reporttest.Golden(t, "vulnerable-app.html", page)
	s := string(page)

	// Every finding is a tbody of its own, with its state.
	if n := strings.Count(s, `<tbody class="finding `); n != len(r.Findings) {
		t.Errorf("%d findings in the page, the report has %d", n, len(r.Findings))
	}
	if n := strings.Count(s, `data-state="suppressed"`); n != r.Counts.Suppressed {
		t.Errorf("%d suppressed in the page, Counts.Suppressed %d", n, r.Counts.Suppressed)
	}
	if n := strings.Count(s, `data-state="new"`); n != r.Counts.New {
		t.Errorf("%d new in the page, Counts.New %d", n, r.Counts.New)
	}
	for _, want := range []string{
		"base image pinned by the platform team &lt;see SEC-12&gt;", // the suppression's reason, escaped
		`<span class="ln hit"><span class="no">29</span>`,           // a snippet line of main.go
		"<dt>also reported by</dt><dd>scanmux-iac",                  // a merged report
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The fake token of main.go is in no snippet.
	src, err := os.ReadFile(filepath.Join(reporttest.AppRoot(), "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	token := regexp.MustCompile(`ghp_[A-Za-z0-9]{20,}`).Find(src)
	if token == nil {
		t.Fatal("no token in main.go")
	}
	if strings.Contains(s, string(token)) {
		t.Error("the page shows the secret of main.go")
	}
	if !strings.Contains(s, `var githubToken = &#34;REDACTED&#34;`) {
		t.Error("the secret's snippet is not shown redacted")
	}
	// Nothing is fetched: no src, no stylesheet links, no URL in CSS.
	for _, re := range []string{`(?i)<(img|script|iframe|link|object|embed|video|audio|source)[^>]*\s(src|href)=`, `(?i)url\(`, `(?i)@import`} {
		if m := regexp.MustCompile(re).FindString(s); m != "" {
			t.Errorf("the page would fetch: %q", m)
		}
	}

	browse(t, page, len(r.Findings), r)
}

// chromium finds Debian's chromium (or Chrome), skipping without it.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (apt-get install chromium): the headless rendering check runs in CI")
	return ""
}

// browse opens the page in headless Chromium: the console has no errors
// (uncaught exceptions and CSP violations are logged there), the script
// ran over every finding, the filters in the URL's fragment work, and a
// screenshot is taken (kept with SCANMUX_HTML_SCREENSHOT=FILE).
func browse(t *testing.T, page []byte, findings int, r *aggregate.Report) {
	bin := chromium(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (stdout, stderr string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
			"--disable-extensions", "--disable-background-networking", "--user-data-dir=" + filepath.Join(dir, "profile"),
			"--enable-logging=stderr", "--v=0"}
		cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, e.String())
		}
		return o.String(), e.String()
	}
	console := func(stderr string) (lines []string) {
		for _, l := range strings.Split(stderr, "\n") {
			if strings.Contains(l, "CONSOLE") || strings.Contains(l, "Content Security Policy") || strings.Contains(l, "Uncaught") {
				lines = append(lines, l)
			}
		}
		return lines
	}
	consoleErrors := func(stderr string) {
		t.Helper()
		for _, l := range console(stderr) {
			t.Errorf("console: %s", l)
		}
	}
	// The check sees errors: a page with an uncaught exception and a
	// fetch that its policy blocks logs both.
	bad := filepath.Join(dir, "bad.html")
	if err := os.WriteFile(bad, []byte(`<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'"><body><script>undefinedFn()</script><img src="http://127.0.0.1:9/x.png"></body>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr := run("--dump-dom", "file://"+bad); len(console(stderr)) < 2 {
		t.Fatalf("chromium's console shows no errors for a broken page: the check cannot work; stderr:\n%s", stderr)
	}

	shot := filepath.Join(dir, "report.png")
	if keep := os.Getenv("SCANMUX_HTML_SCREENSHOT"); keep != "" {
		shot = keep
	}
	_, stderr := run("--screenshot="+shot, "--window-size=1400,2400", "--hide-scrollbars", "file://"+file)
	consoleErrors(stderr)
	if ink := inked(t, shot); ink < 0.03 {
		t.Errorf("screenshot %s is %.1f%% ink: the page did not render", shot, ink*100)
	} else {
		t.Logf("screenshot %s: %.1f%% ink", shot, ink*100)
	}

	// The DOM after the script ran: every finding is there, and
	// data-ready says the script went over them all.
	dom, stderr := run("--dump-dom", "file://"+file)
	consoleErrors(stderr)
	if n := strings.Count(dom, `<tbody class="finding`); n != findings {
		t.Errorf("%d findings in the DOM, want %d", n, findings)
	}
	if !strings.Contains(dom, fmt.Sprintf(`data-ready="%d"`, findings)) || !strings.Contains(dom, fmt.Sprintf(`data-shown="%d"`, findings)) {
		t.Errorf("the script did not run over the %d findings (body: %s)", findings, regexp.MustCompile(`<body[^>]*>`).FindString(dom))
	}
	// Sorted by severity: the first row is the most severe.
	first := regexp.MustCompile(`<tbody class="finding[^"]*"[^>]*data-severity="([a-z]+)"`).FindStringSubmatch(dom)
	if first == nil || first[1] != "critical" {
		t.Errorf("first row after sorting: %v", first)
	}

	// A finding opened from the fragment shows its code.
	dom, stderr = run("--dump-dom", "file://"+file+"#open=12")
	consoleErrors(stderr)
	if !regexp.MustCompile(`<tbody class="finding[^"]* open" id="f12"`).MatchString(dom) {
		t.Error("#open=12 did not open finding 12")
	}

	// Sorting from the fragment: by rule, ascending and descending.
	for _, frag := range []string{"sort=rule", "sort=-rule"} {
		dom, stderr := run("--dump-dom", "file://"+file+"#"+frag)
		consoleErrors(stderr)
		var rules []string
		for _, m := range regexp.MustCompile(`<tbody class="finding[^>]* data-rule="([^"]*)"`).FindAllStringSubmatch(dom, -1) {
			rules = append(rules, m[1])
		}
		if len(rules) != findings {
			t.Fatalf("#%s: %d rows", frag, len(rules))
		}
		sorted := slices.IsSortedFunc(rules, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
		if frag == "sort=-rule" {
			sorted = slices.IsSortedFunc(rules, func(a, b string) int { return strings.Compare(strings.ToLower(b), strings.ToLower(a)) })
		}
		if !sorted || !strings.Contains(dom, `data-sort="rule" aria-sort=`) {
			t.Errorf("#%s: rows not sorted by rule: %v", frag, rules)
		}
	}

	// Filters from the fragment: tool and state.
	for _, tc := range []struct{ frag, tool, state string }{
		{"tool=gosec", "gosec", ""},
		{"state=suppressed", "", "suppressed"},
		{"tool=scanmux-iac&state=unchanged", "scanmux-iac", "unchanged"},
	} {
		want := 0
		for _, f := range r.Findings {
			tools := map[string]bool{f.Tool.Name: true}
			for _, a := range f.Also {
				tools[a.Tool.Name] = true
			}
			st := "open"
			switch {
			case f.Suppressed():
				st = "suppressed"
			case f.Baseline != "":
				st = string(f.Baseline)
			}
			if (tc.tool == "" || tools[tc.tool]) && (tc.state == "" || st == tc.state) {
				want++
			}
		}
		dom, stderr := run("--dump-dom", "file://"+file+"#"+tc.frag)
		consoleErrors(stderr)
		if !strings.Contains(dom, fmt.Sprintf(`data-shown="%d"`, want)) || want == 0 {
			t.Errorf("#%s: want %d shown; body %s", tc.frag, want, regexp.MustCompile(`<body[^>]*>`).FindString(dom))
		}
		if hidden := strings.Count(dom, `hidden=""`); hidden != findings-want {
			t.Errorf("#%s: %d rows hidden, want %d", tc.frag, hidden, findings-want)
		}
	}
}

// inked is the share of the PNG's pixels that are not near white.
func inked(t *testing.T, path string) float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	b := img.Bounds()
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xE000 || g < 0xE000 || bl < 0xE000 {
				ink++
			}
		}
	}
	return float64(ink) / float64(b.Dx()*b.Dy())
}

// A hostile finding stays text: no element, attribute or script of its
// own, and a javascript: help link is dropped.
func TestEscaping(t *testing.T) {
	evil := `</script><script>alert(1)</script><img src=x onerror=alert(2)>"'&`
	f := &finding.Finding{Tool: finding.Tool{Name: evil}, Rule: finding.Rule{ID: evil, HelpURI: "javascript:alert(3)", ShortDescription: evil},
		Message: evil, Severity: finding.SeverityHigh, Category: finding.CategorySAST,
		Location:     finding.Location{Path: evil + ".go", Region: finding.Region{StartLine: 1}},
		Suppressions: []finding.Suppression{{Justification: evil, Source: evil}}}
	r := &aggregate.Report{Findings: []*finding.Finding{f}, Counts: aggregate.Counts{Findings: 0, Suppressed: 1}}
	page := string(write(t, r, &report.Options{Root: t.TempDir()}))
	for _, bad := range []string{"<script>alert", "<img", "javascript:", "onerror=alert(2)>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if strings.Count(page, "<script>") != 1 {
		t.Errorf("%d script elements", strings.Count(page, "<script>"))
	}
	_ = reporthtml.Write
}
