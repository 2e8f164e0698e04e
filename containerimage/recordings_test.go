package containerimage_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/containerimage"
	"github.com/scanmux/scanmux/containerimage/testimage"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/scanners/registry"
)

// recorded holds real scans of the test image by osv-scanner, trivy and
// grype, in JSON and SARIF, with the image's config, manifest and
// Dockerfile (testdata/real/image/record.sh).
const recorded = "../testdata/real/image"

type recording struct{ file, tool, format string }

// recordingProp names the recording a finding was read from, in tests.
const recordingProp = "test.recording"

func recordings(t *testing.T) []recording {
	t.Helper()
	f, err := os.Open(filepath.Join(recorded, "out", "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []recording
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		out = append(out, recording{file: c[0], tool: c[1], format: c[3]})
	}
	return out
}

// recordedImage is the recorded image with its Dockerfile's annotator.
func recordedImage(t *testing.T) (*containerimage.Image, *containerimage.Annotator, string) {
	t.Helper()
	root, err := filepath.Abs(recorded)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(root, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	man, err := os.ReadFile(filepath.Join(root, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	im, err := containerimage.FromConfig("vuln.tar", cfg, man)
	if err != nil {
		t.Fatal(err)
	}
	df, err := containerimage.ReadDockerfile(root, "Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	return im, containerimage.NewAnnotator(im, df), root
}

// scanSources reads each recording as the scan's image sources do: every
// finding annotated with the image.
func scanSources(t *testing.T, a *containerimage.Annotator, root string, keep func(recording) bool) []aggregate.Source {
	t.Helper()
	var out []aggregate.Source
	for _, r := range recordings(t) {
		if !keep(r) {
			continue
		}
		src := &registry.Source{Path: filepath.Join(root, "out", r.file), Root: root}
		out = append(out, aggregate.FuncSource(r.file, func(ctx context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
			return src.Run(ctx, func(f *finding.Finding) error {
				a.Annotate(f)
				f.Properties[recordingProp] = r.tool + " " + r.format
				return emit(f)
			})
		}))
	}
	return out
}

// plain is a version without a Go module's "v".
func plain(v string) string { return strings.TrimPrefix(v, "v") }

// The recorded JSON reports of the three scanners read with the same
// package (name, version, ecosystem, purl without qualifiers, fixed
// version), the same layer and Dockerfile line, and a shared advisory id
// for each planted vulnerability; trivy's SARIF with the same package
// name, version, fixed version and advisory.
func TestRecordedScansAgree(t *testing.T) {
	im, a, root := recordedImage(t)
	rep, err := aggregate.Run(context.Background(), scanSources(t, a, root, func(recording) bool { return true }),
		&aggregate.Options{Root: root, Dedup: aggregate.DedupOptions{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Sources {
		if !s.OK() {
			t.Errorf("%s: %s %s", s.Name, s.State, s.Err)
		}
	}
	for _, v := range testimage.Vulnerabilities {
		layer := im.Layers[v.Layer]
		seen := map[string]bool{}
		for _, f := range rep.Findings {
			p := f.Location.Package
			if p == nil || p.Name != v.Package || !slices.Contains(f.VulnIDs, v.CVE) {
				continue
			}
			from := f.Properties[recordingProp]
			seen[from] = true
			if plain(p.Version) != plain(v.Version) || p.FixedVersion != v.Fixed || p.Image != "vuln.tar" || f.Category != finding.CategoryContainer {
				t.Errorf("%s %s: package %+v, category %s", f.Tool.Name, v.Package, *p, f.Category)
			}
			if strings.HasSuffix(from, " sarif") {
				continue
			}
			purl, _, _ := strings.Cut(p.PURL, "?")
			if p.Ecosystem != v.Ecosystem || purl != v.PURL {
				t.Errorf("%s %s: ecosystem %q, purl %q; want %q, %q", f.Tool.Name, v.Package, p.Ecosystem, p.PURL, v.Ecosystem, v.PURL)
			}
			if p.Layer != layer.DiffID || f.Location.Path != "Dockerfile" || f.Location.Region.StartLine != testimage.DockerfileLines[v.Layer] {
				t.Errorf("%s %s: layer %s at %s:%d; want %s at Dockerfile:%d", f.Tool.Name, v.Package, p.Layer, f.Location.Path,
					f.Location.Region.StartLine, layer.DiffID, testimage.DockerfileLines[v.Layer])
			}
		}
		for _, want := range []string{"osv-scanner json", "trivy json", "trivy sarif", "grype json"} {
			if !seen[want] {
				t.Errorf("%s (%s): no finding from the recorded %s report (have %v)", v.Package, v.CVE, want, seen)
			}
		}
	}
}

// With deduplication, each planted vulnerability is one finding: the
// reports of osv-scanner, trivy and grype, JSON and SARIF, merge into it
// under aggregate's dependency rule (one package, one advisory), and it
// keeps its Dockerfile line.
func TestRecordedScansMerge(t *testing.T) {
	_, a, root := recordedImage(t)
	for _, c := range []struct {
		name  string
		keep  func(recording) bool
		tools []string
	}{
		{"trivy and osv-scanner", func(r recording) bool { return r.tool != "grype" }, []string{"osv-scanner", "trivy"}},
		{"all three", func(recording) bool { return true }, []string{"grype", "osv-scanner", "trivy"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srcs := scanSources(t, a, root, c.keep)
			rep, err := aggregate.Run(context.Background(), srcs, &aggregate.Options{Root: root})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range testimage.Vulnerabilities {
				var hits []*finding.Finding
				for _, f := range rep.Findings {
					if p := f.Location.Package; p != nil && p.Name == v.Package && slices.Contains(f.VulnIDs, v.CVE) {
						hits = append(hits, f)
					}
				}
				if len(hits) != 1 {
					t.Errorf("%s (%s): %d findings, want 1 merged", v.Package, v.CVE, len(hits))
					for _, f := range hits {
						t.Logf("  %s %s %v %+v at %s:%d; %d merged", f.Properties[recordingProp], f.Rule.ID, f.VulnIDs, *f.Location.Package, f.Location.Path, f.Location.Region.StartLine, len(f.Also))
					}
					continue
				}
				f := hits[0]
				tools := []string{f.Tool.Name}
				for _, r := range f.Also {
					tools = append(tools, r.Tool.Name)
				}
				if got := len(f.Also) + 1; got != 2*len(c.tools) {
					t.Errorf("%s: %d reports merged (%v), want %d: each tool's JSON and SARIF", v.Package, got, tools, 2*len(c.tools))
				}
				slices.Sort(tools)
				if !slices.Equal(slices.Compact(tools), c.tools) {
					t.Errorf("%s: merged %v, want %v", v.Package, tools, c.tools)
				}
				for _, r := range f.Also {
					if !strings.HasPrefix(r.Match, "same advisory:") {
						t.Errorf("%s: %s merged by %q", v.Package, r.Tool.Name, r.Match)
					}
				}
				if f.Location.Path != "Dockerfile" || f.Location.Region.StartLine != testimage.DockerfileLines[v.Layer] {
					t.Errorf("%s: merged at %s:%d, want Dockerfile:%d", v.Package, f.Location.Path, f.Location.Region.StartLine, testimage.DockerfileLines[v.Layer])
				}
			}
		})
	}
}
