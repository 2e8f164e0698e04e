package nikto

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
)

// TestLive runs the real nikto, when installed, against a local server that
// sends no security headers, and decodes its XML report.
func TestLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live nikto scan skipped in -short mode")
	}
	if _, err := exec.LookPath("nikto"); err != nil {
		t.Skip("nikto not installed: install with apt-get install -y nikto (Debian non-free) or from github.com/sullo/nikto")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "<html><body>hello</body></html>")
	})}
	go srv.Serve(ln)
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "nikto.xml")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nikto", "-h", "http://"+ln.Addr().String()+"/",
		"-Format", "xml", "-o", out, "-ask", "no", "-nointeractive", "-maxtime", "120s")
	if b, err := cmd.CombinedOutput(); err != nil {
		// Nikto exits non-zero when it finds items; only a missing report fails.
		if _, statErr := os.Stat(out); statErr != nil {
			t.Fatalf("nikto: %v\n%s", err, b)
		}
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	tool, err := Adapter{}.Decode(f, "nikto.xml", nil, func(x *finding.Finding) error {
		n++
		return x.Validate()
	})
	if err != nil {
		t.Fatal(err)
	}
	if tool.Name != "nikto" || n == 0 {
		t.Errorf("tool %+v, %d findings", tool, n)
	}
}
