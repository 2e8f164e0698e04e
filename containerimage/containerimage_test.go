package containerimage_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/scanmux/scanmux/containerimage"
	"github.com/scanmux/scanmux/containerimage/testimage"
	"github.com/scanmux/scanmux/finding"
)

var (
	buildOnce sync.Once
	built     v1.Image
	buildErr  error
)

// testImage builds the test image once for the package's tests.
func testImage(t *testing.T) v1.Image {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command builds the test image's Go binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scanmux-testimage-")
		if err != nil {
			buildErr = err
			return
		}
		defer os.RemoveAll(dir)
		built, buildErr = testimage.Build(context.Background(), dir)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

// inputs writes the test image in every form Open takes and returns them
// by kind; the registry is stopped when the test ends.
func inputs(t *testing.T) map[containerimage.Kind]string {
	t.Helper()
	img := testImage(t)
	dir := t.TempDir()
	archive := filepath.Join(dir, "vuln.tar")
	if err := testimage.WriteArchive(img, archive); err != nil {
		t.Fatal(err)
	}
	lay := filepath.Join(dir, "layout")
	if err := testimage.WriteLayout(img, lay); err != nil {
		t.Fatal(err)
	}
	ociArchive := filepath.Join(dir, "vuln-oci.tar")
	if err := testimage.WriteOCIArchive(img, ociArchive, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	reg, err := testimage.StartRegistry()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	ref, err := reg.Push(context.Background(), img, "scanmux/vuln-image:1")
	if err != nil {
		t.Fatal(err)
	}
	return map[containerimage.Kind]string{
		containerimage.DockerArchive: archive, containerimage.OCILayout: lay,
		containerimage.OCIArchive: ociArchive, containerimage.Registry: ref,
	}
}

// Every form of one image opens as the same image: one ID, the same
// layers (diff IDs and history), and a `docker save` archive the scanners
// read whose config is the image's; the manifest digest is known where a
// manifest is stored, and the same for the layout and the registry.
func TestOpenEveryForm(t *testing.T) {
	img := testImage(t)
	id, _ := img.ConfigName()
	digest, _ := img.Digest()
	cf, _ := img.ConfigFile()
	for kind, ref := range inputs(t) {
		t.Run(string(kind), func(t *testing.T) {
			im, err := containerimage.Open(context.Background(), ref, &containerimage.Options{TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer im.Close()
			if im.Kind != kind || im.ID != id.String() || im.OS != "linux" || im.Architecture != "amd64" {
				t.Errorf("kind %s, id %s, %s/%s; want %s, %s", im.Kind, im.ID, im.OS, im.Architecture, kind, id)
			}
			wantDigest := digest.String()
			if kind == containerimage.DockerArchive {
				wantDigest = ""
			}
			if im.Digest != wantDigest {
				t.Errorf("digest %q, want %q", im.Digest, wantDigest)
			}
			if len(im.Layers) != 3 {
				t.Fatalf("%d layers, want 3", len(im.Layers))
			}
			for i, l := range im.Layers {
				if l.Index != i || l.DiffID != cf.RootFS.DiffIDs[i].String() || l.CreatedBy == "" {
					t.Errorf("layer %d: %+v", i, l)
				}
				if (l.Digest == "") != (kind == containerimage.DockerArchive) {
					t.Errorf("layer %d: digest %q for a %s", i, l.Digest, kind)
				}
				if im.Layer(l.DiffID) != &im.Layers[i] || (l.Digest != "" && im.Layer(l.Digest) != &im.Layers[i]) {
					t.Errorf("layer %d not found by its digests", i)
				}
			}
			if im.Name == "" {
				t.Errorf("no name")
			}
			back, err := tarball.ImageFromPath(im.Archive, nil)
			if err != nil {
				t.Fatalf("the scanners' archive: %v", err)
			}
			if got, _ := back.ConfigName(); got != id {
				t.Errorf("the scanners' archive holds image %s, want %s", got, id)
			}
			if kind == containerimage.DockerArchive {
				if abs, _ := filepath.Abs(ref); im.Archive != abs {
					t.Errorf("a docker archive is read in place: %s, want %s", im.Archive, abs)
				}
				return
			}
			archive := im.Archive
			if err := im.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(archive); !os.IsNotExist(err) {
				t.Errorf("Close left %s: %v", archive, err)
			}
		})
	}
}

// A prefix forces the kind; a missing path, a directory that is not a
// layout and a file that is not an image archive are refused with what
// they are not, never pulled from a registry.
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notTar := filepath.Join(dir, "notes.tar")
	os.WriteFile(notTar, []byte("not a tar"), 0o644)
	emptyTar := filepath.Join(dir, "empty.tar")
	os.WriteFile(emptyTar, make([]byte, 1024), 0o644)
	for _, c := range []struct {
		ref  string
		want error
	}{
		{filepath.Join(dir, "missing.tar"), containerimage.ErrNotFound},
		{"./missing", containerimage.ErrNotFound},
		{dir, containerimage.ErrFormat},
		{notTar, containerimage.ErrFormat},
		{emptyTar, containerimage.ErrFormat},
		{"oci-dir:" + dir, containerimage.ErrFormat},
		{"docker-archive:" + notTar, containerimage.ErrFormat},
	} {
		_, err := containerimage.Open(context.Background(), c.ref, nil)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.ref, err, c.want)
		}
	}
	if _, err := containerimage.Open(context.Background(), "UPPER/Case:tag", nil); err == nil || !strings.Contains(err.Error(), "neither a file nor an image reference") {
		t.Errorf("an invalid reference: %v", err)
	}
}

// The test image's layers are attributed to the lines of its Dockerfile
// that added them, and a finding of each planted package is annotated
// with the image, its layer and that line.
func TestAnnotateTestImage(t *testing.T) {
	refs := inputs(t)
	im, err := containerimage.Open(context.Background(), refs[containerimage.Registry], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	df := &containerimage.Dockerfile{Path: "build/Dockerfile", Instructions: containerimage.ParseDockerfile([]byte(testimage.Dockerfile))}
	a := containerimage.NewAnnotator(im, df)
	for i, line := range testimage.DockerfileLines {
		if in := a.Instruction(i); in == nil || in.Line != line {
			t.Errorf("layer %d: %+v, want line %d", i, in, line)
		}
	}
	for _, v := range testimage.Vulnerabilities {
		l := im.Layers[v.Layer]
		f := &finding.Finding{Category: finding.CategoryDependency, Location: finding.Location{Path: v.Path,
			Package: &finding.Package{Name: v.Package, Version: v.Version, Layer: l.Digest}}}
		a.Annotate(f)
		p := f.Location.Package
		if f.Category != finding.CategoryContainer || p.Image != refs[containerimage.Registry] || p.Layer != l.DiffID ||
			f.Location.Path != "build/Dockerfile" || f.Location.Region.StartLine != testimage.DockerfileLines[v.Layer] ||
			f.Properties[containerimage.PropImageID] != im.ID || f.Properties[containerimage.PropImageDigest] != im.Digest ||
			f.Properties[containerimage.PropLayerDigest] != l.Digest || f.Properties[containerimage.PropLayerCreatedBy] != l.CreatedBy {
			t.Errorf("%s: %+v %+v %q", v.Package, f.Location, *p, f.Properties)
		}
	}
	// Without a Dockerfile a finding has no file: the SARIF writer
	// attaches it to the fallback.
	f := &finding.Finding{Location: finding.Location{Path: "app/package.json", Package: &finding.Package{Name: "lodash"}}}
	containerimage.NewAnnotator(im, nil).Annotate(f)
	if f.Location.Path != "" || f.Location.Package.Image == "" {
		t.Errorf("without a Dockerfile: %+v", f.Location)
	}
}
