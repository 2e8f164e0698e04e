package wapiti

import (
	"context"
	"flag"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
)

var update = flag.Bool("update", false, "rewrite testdata/wapiti-3.0.4.json from a live wapiti run")

// vulnerableApp is a tiny web application with flaws Wapiti finds: a page
// that reflects its "q" parameter unescaped (XSS), fails with a server
// error on a quote (an anomaly), sets a cookie without Secure and HttpOnly,
// and sends no security headers.
func vulnerableApp() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc123", Path: "/"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>demo</title></head><body>
<a href="/search?q=hello">search</a>
<form action="/search" method="GET"><input type="text" name="q" value="x"><input type="submit"></form>
</body></html>`)
	})
	mux.HandleFunc("/search", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		if strings.ContainsAny(q, `'"`) && !strings.Contains(q, "<") {
			http.Error(w, "Internal Server Error: unterminated quoted string", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The flaw on purpose: q is written unescaped.
		fmt.Fprintf(w, "<html><body><p>Results for %s</p><a href=\"/\">%s</a></body></html>", q, html.EscapeString("home"))
	})
	return mux
}

// runWapiti serves vulnerableApp on 127.0.0.1 and runs wapiti against it,
// returning the path of its JSON report. It uses only modules that stay on
// the target host, keeps wapiti's session and configuration in temporary
// directories and bounds the scan in time.
func runWapiti(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: vulnerableApp(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	out := filepath.Join(dir, "wapiti.json")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "wapiti",
		"-u", "http://"+ln.Addr().String()+"/",
		"--scope", "folder",
		"-m", "xss,http_headers,csp,cookieflags,sql,exec,file,crlf,redirect",
		"--flush-session", "--no-bugreport", "-v", "0",
		"--max-scan-time", "60", "--max-attack-time", "20",
		"--store-session", filepath.Join(dir, "session"),
		"--store-config", filepath.Join(dir, "config"),
		"-f", "json", "-o", out)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wapiti: %v\n%s", err, b)
	}
	return out
}

// TestLive runs the real wapiti, when installed, against vulnerableApp and
// decodes its report.
func TestLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live wapiti scan skipped in -short mode")
	}
	if _, err := exec.LookPath("wapiti"); err != nil {
		t.Skip("wapiti not installed: install with apt-get install -y wapiti (Debian 12 ships 3.0.4)")
	}
	out := runWapiti(t)
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []*finding.Finding
	tool, err := Adapter{}.Decode(f, "wapiti.json", nil, func(x *finding.Finding) error {
		if err := x.Validate(); err != nil {
			return err
		}
		got = append(got, x)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tool.Name != "wapiti" || tool.Version == "" {
		t.Errorf("tool %+v", tool)
	}
	rules := map[string]bool{}
	for _, x := range got {
		rules[x.Rule.ID] = true
	}
	for _, want := range []string{"Cross Site Scripting", "Content Security Policy Configuration"} {
		if !rules[want] {
			t.Errorf("no %q finding; rules found: %v", want, rules)
		}
	}
	if *update {
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "wapiti-3.0.4.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
