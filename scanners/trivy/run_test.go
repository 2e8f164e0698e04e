package trivy

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners"
)

// trivy runs on a local database found where it looks itself, with every
// download and update check off, and a run that cannot reach its
// database says which option to set.
func TestImageArgsAndFailure(t *testing.T) {
	cache := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cache, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cache, "db", "trivy.db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TRIVY_CACHE_DIR", cache)
	args, err := ImageArgs("/tmp/img.tar", nil, "out.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--skip-db-update", "--skip-java-db-update", "--offline-scan", "--input"} {
		if !slices.Contains(args, want) {
			t.Errorf("args %q lack %s", args, want)
		}
	}
	if i := slices.Index(args, "--cache-dir"); i < 0 || args[i+1] != cache || args[0] != "image" || args[len(args)-1] != "/tmp/img.tar" {
		t.Errorf("args %q", args)
	}
	t.Setenv("TRIVY_CACHE_DIR", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	if args, err := ImageArgs("/tmp/img.tar", nil, "out.json"); err != nil || slices.Contains(args, "--skip-db-update") {
		t.Errorf("without a database trivy downloads its own: %q %v", args, err)
	}
	stderr := `FATAL	Fatal error	run error: init error: DB error: failed to download vulnerability DB: OCI artifact error: failed to download artifact from mirror.gcr.io/aquasec/trivy-db:2: OCI repository error: 1 error occurred:
	* Get "https://mirror.gcr.io/v2/": dial tcp: lookup mirror.gcr.io on 10.255.255.53:53: no such host`
	if err := Failed(stderr); err == nil || !strings.Contains(err.Error(), "trivy.db") {
		t.Errorf("the failure does not name trivy.db: %v", err)
	}
}

// trivy's report of an image scan (testdata/real/image): paths in the
// image stay out of Location, the layer is its diff ID (the digest beside
// it in a property), an Alpine package's ecosystem is OSV's.
func TestImageReport(t *testing.T) {
	f, err := os.Open("../../testdata/real/image/out/trivy-v0.74.0-image-json.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []*finding.Finding
	tool, err := Adapter{}.Decode(f, "image.json", &scanners.Options{Root: t.TempDir()}, func(f *finding.Finding) error {
		got = append(got, f)
		return nil
	})
	if err != nil || tool.Version != "" {
		t.Fatalf("%v; version %q (trivy built by go install says dev: unknown)", err, tool.Version)
	}
	eco := map[string]string{"zlib": "Alpine:v3.16", "lodash": "npm", "golang.org/x/net": "Go"}
	for _, f := range got {
		p := f.Location.Package
		if f.Category != finding.CategoryContainer || f.Location.Path != "" || p.Ecosystem != eco[p.Name] ||
			!strings.HasPrefix(p.Layer, "sha256:") || f.Properties["trivy.layerDigest"] == "" || p.Layer == f.Properties["trivy.layerDigest"] {
			t.Errorf("%s: %+v %+v %q", f.Rule.ID, f.Location, *p, f.Properties)
		}
		if p.Name != "zlib" && f.Properties["trivy.path"] == "" {
			t.Errorf("%s: the path in the image is lost: %q", f.Rule.ID, f.Properties)
		}
	}
	if len(got) != 6 {
		t.Errorf("%d findings, want 6", len(got))
	}
}
