package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scanmux/scanmux/containerimage/testimage"
)

// realDB holds the OSV records the image scanners' databases are made of.
const realDB = "../../testdata/real/db"

// imageResult is what a container result of scan's SARIF says.
type imageResult struct {
	Tool, Rule, Path string
	Line             int
	Package          struct {
		Name, Version, FixedVersion, Ecosystem, PURL, Image, Layer string
	}
	Props    map[string]string
	Also     []string // the tools whose reports merged into it
	Category string
}

// sarifResults reads the results of a scan's SARIF (as GitHub would: the
// JSON itself, not scanmux's reader).
func sarifResults(t *testing.T, path string) []imageResult {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct{ Name string }
			}
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
				Properties struct {
					Category string
					Package  json.RawMessage
					Also     []struct{ Tool string } `json:"scanmux/alsoReportedBy"`
					Tool     map[string]string       `json:"toolProperties"`
				}
			}
		}
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	var out []imageResult
	for _, run := range log.Runs {
		for _, r := range run.Results {
			ir := imageResult{Tool: run.Tool.Driver.Name, Rule: r.RuleID, Category: r.Properties.Category, Props: r.Properties.Tool}
			if len(r.Locations) > 0 {
				ir.Path = r.Locations[0].PhysicalLocation.ArtifactLocation.URI
				ir.Line = r.Locations[0].PhysicalLocation.Region.StartLine
			}
			if len(r.Properties.Package) > 0 {
				json.Unmarshal(r.Properties.Package, &ir.Package)
			}
			for _, a := range r.Properties.Also {
				ir.Also = append(ir.Also, a.Tool)
			}
			out = append(out, ir)
		}
	}
	return out
}

// imageFixture is the test image on disk with everything a scan of it
// needs offline.
type imageFixture struct {
	img     v1.Image
	archive string // `docker save` archive
	osvDB   string // osv-scanner's local database of the planted vulnerabilities
	repo    string // a repository holding the image's Dockerfile
}

func newImageFixture(t *testing.T) *imageFixture {
	t.Helper()
	work := t.TempDir()
	img, err := testimage.Build(context.Background(), work)
	if err != nil {
		t.Fatal(err)
	}
	fx := &imageFixture{img: img, archive: filepath.Join(work, "vuln.tar"), osvDB: filepath.Join(work, "osvdb"), repo: t.TempDir()}
	if err := testimage.WriteArchive(img, fx.archive); err != nil {
		t.Fatal(err)
	}
	if err := testimage.WriteOSVDB(fx.osvDB, realDB); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fx.repo, "Dockerfile"), []byte(testimage.Dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	return fx
}

// scanImage scans the fixture's repository and the image ref with
// scanners and the options in yaml (scanners.options lines), and returns
// the exit code, stderr and the SARIF's results, having validated it.
func (fx *imageFixture) scanImage(t *testing.T, ref, scanners, options string, extra ...string) (int, string, []imageResult) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "scanmux.yaml")
	if err := os.WriteFile(cfg, []byte("scanners:\n  options:\n"+options), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.sarif")
	args := append([]string{"scan", "--config", cfg, "--in-process", "--scanners", scanners, "--image", ref, "-o", out}, extra...)
	var stdout, stderr bytes.Buffer
	code := run(append(args, fx.repo), &stdout, &stderr)
	t.Logf("exit %d; stderr:\n%s", code, stderr.String())
	if _, err := os.Stat(out); err != nil {
		return code, stderr.String(), nil
	}
	validateSARIF(t, out)
	return code, stderr.String(), sarifResults(t, out)
}

// planted returns the container result of each planted vulnerability
// (by its CVE or OSV id among the rule and the merged reports), checking
// its package, layer, image and Dockerfile line.
func (fx *imageFixture) checkPlanted(t *testing.T, results []imageResult, image string, tools ...string) map[string]imageResult {
	t.Helper()
	cf, err := fx.img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]imageResult{}
	for _, v := range testimage.Vulnerabilities {
		var hits []imageResult
		for _, r := range results {
			if r.Package.Name == v.Package && (r.Rule == v.ID || r.Rule == v.CVE) {
				hits = append(hits, r)
			}
		}
		if len(hits) != 1 {
			t.Errorf("%s %s: %d results, want 1: %+v", v.Package, v.ID, len(hits), hits)
			continue
		}
		r := hits[0]
		got[v.Kind] = r
		purl, _, _ := strings.Cut(r.Package.PURL, "?")
		if r.Category != "container" || purl != v.PURL || strings.TrimPrefix(r.Package.Version, "v") != strings.TrimPrefix(v.Version, "v") ||
			r.Package.FixedVersion != v.Fixed || r.Package.Image != image || r.Package.Layer != cf.RootFS.DiffIDs[v.Layer].String() {
			t.Errorf("%s: %+v, want purl %s, layer %s, image %s", v.Package, r, v.PURL, cf.RootFS.DiffIDs[v.Layer], image)
		}
		if r.Path != "Dockerfile" || r.Line != testimage.DockerfileLines[v.Layer] {
			t.Errorf("%s: at %s:%d, want Dockerfile:%d", v.Package, r.Path, r.Line, testimage.DockerfileLines[v.Layer])
		}
		id, _ := fx.img.ConfigName()
		if r.Props["container.imageID"] != id.String() {
			t.Errorf("%s: image ID %q, want %s", v.Package, r.Props["container.imageID"], id)
		}
		all := append([]string{r.Tool}, r.Also...)
		for _, tool := range tools {
			if !slices.Contains(all, tool) {
				t.Errorf("%s: reported by %v, not by %s", v.Package, all, tool)
			}
		}
	}
	return got
}

// The acceptance scan of a container image, offline: osv-scanner (CI
// installs it) finds the three planted vulnerabilities of the test image
// (an Alpine package, an npm package, a Go binary's module) with their
// purls and layers, on the lines of the Dockerfile that added them, beside
// the Dockerfile's misconfigurations from the built-in IaC rules; the SARIF
// validates. The same image pulled from a registry on 127.0.0.1 gives the
// same findings.
func TestScanImageOSVScanner(t *testing.T) {
	if !installed("osv-scanner") {
		t.Skip("osv-scanner is not installed (CI builds it: see .ci/run)")
	}
	fx := newImageFixture(t)
	opts := fmt.Sprintf("    osv-scanner.db: %s\n    osv-scanner.offline: \"true\"\n", fx.osvDB)
	dockerfile := filepath.Join(fx.repo, "Dockerfile")

	code, _, archive := fx.scanImage(t, fx.archive, "osv-scanner,scanmux-iac", opts, "--dockerfile", dockerfile)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	fromArchive := fx.checkPlanted(t, archive, fx.archive, "osv-scanner")
	var iac []string
	for _, r := range archive {
		if r.Tool == "scanmux-iac" && r.Path == "Dockerfile" {
			iac = append(iac, r.Rule)
		}
	}
	if !slices.Contains(iac, "SMX-DOCKER-002") {
		t.Errorf("the Dockerfile's misconfigurations: %v, want SMX-DOCKER-002 (runs as root) beside the image's vulnerabilities", iac)
	}

	reg, err := testimage.StartRegistry()
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	ref, err := reg.Push(context.Background(), fx.img, "scanmux/vuln-image:1")
	if err != nil {
		t.Fatal(err)
	}
	code, _, pulled := fx.scanImage(t, ref, "osv-scanner", opts, "--dockerfile", dockerfile)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	fromRegistry := fx.checkPlanted(t, pulled, ref, "osv-scanner")
	for kind, a := range fromArchive {
		r := fromRegistry[kind]
		a.Package.Image, r.Package.Image = "", ""
		if a.Rule != r.Rule || a.Package != r.Package || a.Line != r.Line || r.Props["container.imageDigest"] == "" {
			t.Errorf("%s: from the registry %+v, from the archive %+v", kind, r, a)
		}
	}

	// Without --dockerfile the findings have no file of their own: the
	// SARIF attaches them to the fallback (here the Dockerfile at the root).
	_, _, plain := fx.scanImage(t, fx.archive, "osv-scanner", opts)
	for _, r := range plain {
		if r.Category == "container" && (r.Path != "Dockerfile" || r.Line > 1) {
			t.Errorf("without --dockerfile: %s at %s:%d", r.Rule, r.Path, r.Line)
		}
	}
}

// Without a local database and without network, osv-scanner's failure
// names the option to set; with osv-scanner.offline true and no database
// it fails before running.
func TestScanImageNoDatabase(t *testing.T) {
	if !installed("osv-scanner") {
		t.Skip("osv-scanner is not installed")
	}
	fx := newImageFixture(t)
	t.Setenv("OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	_, stderr, _ := fx.scanImage(t, fx.archive, "osv-scanner", "    osv-scanner.offline: \"true\"\n")
	if !strings.Contains(stderr, "osv-scanner.offline is true but no local database") || !strings.Contains(stderr, "osv-scanner.db") {
		t.Errorf("offline without a database: the failure does not name osv-scanner.db")
	}
}

// trivy and grype, where installed (with their small databases built by
// testdata/real/tools), scan the same image and their reports merge with
// osv-scanner's: one finding per planted vulnerability, reported by all.
func TestScanImageTrivyGrype(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the trivy and grype databases")
	}
	if !installed("osv-scanner") {
		t.Skip("osv-scanner is not installed")
	}
	fx := newImageFixture(t)
	opts := fmt.Sprintf("    osv-scanner.db: %s\n", fx.osvDB)
	scanners := []string{"osv-scanner"}
	tools := []string{"osv-scanner"}
	work := t.TempDir()
	if installed("trivy") {
		cache := filepath.Join(work, "trivycache")
		buildDB(t, "trivydb", "-db", mustAbs(t, realDB), "-out", cache)
		opts += fmt.Sprintf("    trivy.db: %s\n", cache)
		scanners, tools = append(scanners, "trivy"), append(tools, "trivy")
	}
	if installed("grype") {
		out := filepath.Join(work, "grypedb")
		buildDB(t, "grypedb", "-db", mustAbs(t, realDB), "-out", out)
		cache := filepath.Join(work, "grypecache")
		imp := exec.Command("grype", "db", "import", filepath.Join(out, "vulnerability.db"))
		imp.Env = append(os.Environ(), "GRYPE_DB_CACHE_DIR="+cache)
		if b, err := imp.CombinedOutput(); err != nil {
			t.Fatalf("grype db import: %v\n%s", err, b)
		}
		opts += fmt.Sprintf("    grype.db: %s\n", cache)
		scanners, tools = append(scanners, "grype"), append(tools, "grype")
	}
	if len(tools) == 1 {
		t.Skip("neither trivy nor grype is installed")
	}
	code, _, results := fx.scanImage(t, fx.archive, strings.Join(scanners, ","), opts, "--dockerfile", filepath.Join(fx.repo, "Dockerfile"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	fx.checkPlanted(t, results, fx.archive, tools...)
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// buildDB builds testdata/real/tools/NAME (a module of its own) and runs
// it with args.
func buildDB(t *testing.T, name string, args ...string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..", "testdata", "real", "tools", name)
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, b)
	}
	if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, b)
	}
}
