// Package containerimage loads the container images scanmux scans
// (`scanmux scan --image REF`) without a container daemon, and turns what
// image scanners report about them into container findings.
//
// # Inputs
//
// [Open] takes what a user passes to --image:
//
//   - an image archive as `docker save` writes it (a tar with manifest.json);
//   - an OCI image archive (a tar of an OCI image layout: oci-layout,
//     index.json, blobs/);
//   - an OCI image layout directory;
//   - a registry reference (registry.example.com/team/app:1.2,
//     app@sha256:…), pulled with go-containerregistry's remote package:
//     daemonless, with the credentials of the Docker config (docker login,
//     credential helpers), over plain HTTP for localhost, loopback and
//     private addresses, as go-containerregistry does.
//
// A prefix forces the kind: docker-archive:PATH, oci-archive:PATH,
// oci-dir:PATH, registry:REF. Without one, an existing path is read as a
// file or directory, and anything that looks like a path but names nothing
// (./x, a/b.tar) is an error rather than a reference to pull. A
// multi-platform image resolves to linux on the machine's architecture
// unless [Options.Platform] says otherwise.
//
// Every scanner reads the same bytes: an image that is not already a
// `docker save` archive is written as one ([Image.Archive], with
// go-containerregistry's tarball package) into a temporary directory that
// [Image.Close] removes. The image's identity is kept: its ID (the config
// digest), its manifest digest when it has one (a registry's or an OCI
// layout's; a `docker save` archive stores none), and each layer's diff ID
// (the digest of its uncompressed tar, the same whatever the image came as)
// and, when known, its compressed digest.
//
// # Findings
//
// An [Annotator] makes a scanner's findings on an image container findings
// of that image (see [Annotator.Annotate]): the image as the user named
// it, its ID and digest, the layer that added the package (as a diff ID),
// and, with the Dockerfile that built the image ([ReadDockerfile]), a
// location on the line of the FROM, RUN, COPY or ADD instruction that
// added the layer, where the image's history tells it.
package containerimage

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Kind is the kind of an image input.
type Kind string

const (
	// DockerArchive is a `docker save` archive.
	DockerArchive Kind = "docker-archive"
	// OCIArchive is a tar of an OCI image layout.
	OCIArchive Kind = "oci-archive"
	// OCILayout is an OCI image layout directory.
	OCILayout Kind = "oci-dir"
	// Registry is a reference to an image in a registry.
	Registry Kind = "registry"
)

// Errors of [Open], wrapped with the input and the cause.
var (
	// ErrNotFound means a path given as an image does not exist.
	ErrNotFound = errors.New("no such image file or directory")
	// ErrFormat means a file or directory is not an image archive or
	// layout.
	ErrFormat = errors.New("not a container image archive or OCI layout")
)

// Options tune [Open]. The zero value (or nil) is valid.
type Options struct {
	// TempDir is where an image that is not a `docker save` archive is
	// written as one, in a directory of its own. Default: os.TempDir().
	TempDir string
	// Platform picks the image of a multi-platform index. Default: linux
	// on runtime.GOARCH.
	Platform *v1.Platform
	// Transport carries registry requests. Default: http.DefaultTransport.
	Transport http.RoundTripper
}

// Image is an image ready to scan.
type Image struct {
	// Ref is the input as the user gave it, without a kind prefix.
	Ref string
	// Kind is what Ref is.
	Kind Kind
	// Name is the repository and tag the image is known as (a registry
	// reference, the tag a `docker save` archive records, an OCI layout's
	// ref.name annotation), or "".
	Name string
	// ID is the image ID: the digest of its config, "sha256:…".
	ID string
	// Digest is the digest of its manifest ("sha256:…") for an image from
	// a registry or an OCI layout; "" for a `docker save` archive, which
	// stores no manifest.
	Digest string
	// OS and Architecture are the config's.
	OS, Architecture string
	// Layers are the image's layers, base first.
	Layers []Layer
	// Archive is a `docker save` archive of the image on disk, for the
	// scanners: the input itself when it is one, else a file Close
	// removes.
	Archive string

	tmp string // directory to remove on Close
}

// Layer is one layer of an image.
type Layer struct {
	// Index is its position, 0 for the base.
	Index int
	// DiffID is the digest of its uncompressed tar ("sha256:…"), as the
	// config's rootfs.diff_ids lists it.
	DiffID string
	// Digest is the digest of the layer as the manifest stores it
	// (compressed), or "" when the image has no manifest.
	Digest string
	// CreatedBy is the image history's command for it (BuildKit writes
	// "RUN /bin/sh -c … # buildkit"), or "" when the history does not say.
	CreatedBy string
}

// Close removes the archive Open wrote, if any.
func (im *Image) Close() error {
	if im.tmp == "" {
		return nil
	}
	err := os.RemoveAll(im.tmp)
	im.tmp = ""
	return err
}

// Layer returns the layer whose diff ID or digest is d, or nil.
func (im *Image) Layer(d string) *Layer {
	if d == "" {
		return nil
	}
	for i := range im.Layers {
		if l := &im.Layers[i]; l.DiffID == d || l.Digest == d {
			return l
		}
	}
	return nil
}

// Open loads the image ref names (see the package documentation for what
// it may be) and makes sure a `docker save` archive of it is on disk. The
// caller must Close the image.
func Open(ctx context.Context, ref string, opts *Options) (*Image, error) {
	if opts == nil {
		opts = &Options{}
	}
	kind, rest := splitKind(ref)
	im := &Image{Ref: rest}
	if kind == "" {
		var err error
		if kind, err = detect(rest); err != nil {
			return nil, fmt.Errorf("image %s: %w", ref, err)
		}
	}
	im.Kind = kind
	img, err := im.load(ctx, opts)
	if err != nil {
		im.Close()
		return nil, fmt.Errorf("image %s: %w", ref, err)
	}
	if err := im.describe(img); err != nil {
		im.Close()
		return nil, fmt.Errorf("image %s: %w", ref, err)
	}
	if im.Archive == "" {
		if err := im.writeArchive(img, opts); err != nil {
			im.Close()
			return nil, fmt.Errorf("image %s: writing it as an archive: %w", ref, err)
		}
	}
	return im, nil
}

// splitKind splits "oci-dir:PATH" into its kind and the rest; a string
// without a known prefix has no kind.
func splitKind(ref string) (Kind, string) {
	for _, k := range []Kind{DockerArchive, OCIArchive, OCILayout, Registry} {
		if rest, ok := strings.CutPrefix(ref, string(k)+":"); ok {
			return k, rest
		}
	}
	return "", ref
}

// detect tells what an input without a prefix is.
func detect(ref string) (Kind, error) {
	st, err := os.Stat(ref)
	switch {
	case err == nil && st.IsDir():
		if _, err := os.Stat(filepath.Join(ref, "oci-layout")); err != nil {
			return "", fmt.Errorf("%w: directory without an oci-layout file", ErrFormat)
		}
		return OCILayout, nil
	case err == nil:
		return archiveKind(ref)
	case looksLikePath(ref):
		return "", fmt.Errorf("%w (%v)", ErrNotFound, err)
	}
	if _, err := name.ParseReference(ref); err != nil {
		return "", fmt.Errorf("neither a file nor an image reference: %v", err)
	}
	return Registry, nil
}

// looksLikePath reports whether s is meant as a file: it starts with "."
// or "/", or ends in .tar, .tar.gz or .tgz.
func looksLikePath(s string) bool {
	if strings.HasPrefix(s, ".") || filepath.IsAbs(s) || strings.HasPrefix(s, "/") {
		return true
	}
	for _, ext := range []string{".tar", ".tar.gz", ".tgz"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}

// archiveKind reads a tar's member names: manifest.json makes a `docker
// save` archive (Docker 25 and later also write an OCI layout beside it),
// oci-layout without it an OCI archive.
func archiveKind(p string) (Kind, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	oci := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%w: reading it as a tar: %v", ErrFormat, err)
		}
		switch path.Clean(h.Name) {
		case "manifest.json":
			return DockerArchive, nil
		case "oci-layout":
			oci = true
		}
	}
	if oci {
		return OCIArchive, nil
	}
	return "", fmt.Errorf("%w: a tar with neither manifest.json nor oci-layout", ErrFormat)
}

// platform returns the platform to pick from an index.
func (o *Options) platform() v1.Platform {
	if o.Platform != nil {
		return *o.Platform
	}
	return v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
}

// load opens the image.
func (im *Image) load(ctx context.Context, opts *Options) (v1.Image, error) {
	switch im.Kind {
	case DockerArchive:
		img, err := tarball.ImageFromPath(im.Ref, nil)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		abs, err := filepath.Abs(im.Ref)
		if err != nil {
			return nil, err
		}
		im.Archive = abs
		im.Name = archiveTag(im.Ref)
		return img, nil
	case OCIArchive:
		dir, err := im.tempDir(opts)
		if err != nil {
			return nil, err
		}
		lay := filepath.Join(dir, "layout")
		if err := untar(im.Ref, lay); err != nil {
			return nil, err
		}
		return im.fromLayout(lay, opts)
	case OCILayout:
		return im.fromLayout(im.Ref, opts)
	case Registry:
		r, err := name.ParseReference(im.Ref)
		if err != nil {
			return nil, err
		}
		im.Name = r.Name()
		ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithPlatform(opts.platform())}
		if opts.Transport != nil {
			ropts = append(ropts, remote.WithTransport(opts.Transport))
		}
		img, err := remote.Image(r, ropts...)
		if err != nil {
			return nil, fmt.Errorf("pulling it: %w", err)
		}
		return img, nil
	}
	return nil, fmt.Errorf("unknown kind %q", im.Kind)
}

// archiveTag returns the first tag a `docker save` archive records.
func archiveTag(p string) string {
	m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(p) })
	if err != nil || len(m) == 0 || len(m[0].RepoTags) == 0 {
		return ""
	}
	return m[0].RepoTags[0]
}

// fromLayout picks the image of an OCI layout: the only one, else the one
// for the platform (looking into nested indexes).
func (im *Image) fromLayout(dir string, opts *Options) (v1.Image, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	want := opts.platform()
	var pick func(idx v1.ImageIndex, depth int) (v1.Image, error)
	pick = func(idx v1.ImageIndex, depth int) (v1.Image, error) {
		m, err := idx.IndexManifest()
		if err != nil {
			return nil, err
		}
		var images []v1.Descriptor
		for _, d := range m.Manifests {
			if d.MediaType.IsImage() {
				images = append(images, d)
			}
		}
		for _, d := range images {
			if len(images) == 1 || d.Platform == nil || d.Platform.Satisfies(want) {
				if n := d.Annotations["org.opencontainers.image.ref.name"]; n != "" && im.Name == "" {
					im.Name = n
				}
				return idx.Image(d.Digest)
			}
		}
		if depth < 4 {
			for _, d := range m.Manifests {
				if d.MediaType.IsIndex() {
					child, err := idx.ImageIndex(d.Digest)
					if err != nil {
						return nil, err
					}
					if img, err := pick(child, depth+1); err == nil {
						return img, nil
					}
				}
			}
		}
		return nil, fmt.Errorf("no image for %s in the layout's index", want.String())
	}
	return pick(idx, 0)
}

// describe reads the image's identity and layers.
func (im *Image) describe(img v1.Image) error {
	id, err := img.ConfigName()
	if err != nil {
		return fmt.Errorf("reading its config: %w", err)
	}
	im.ID = id.String()
	cf, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("reading its config: %w", err)
	}
	im.OS, im.Architecture = cf.OS, cf.Architecture
	var digests []string
	if im.Kind != DockerArchive {
		d, err := img.Digest()
		if err != nil {
			return fmt.Errorf("reading its manifest: %w", err)
		}
		im.Digest = d.String()
		m, err := img.Manifest()
		if err != nil {
			return fmt.Errorf("reading its manifest: %w", err)
		}
		for _, l := range m.Layers {
			digests = append(digests, l.Digest.String())
		}
	}
	im.Layers = layers(cf, digests)
	return nil
}

// layers lists an image's layers from its config (diff IDs, history) and
// the compressed digests of its manifest, if any.
func layers(cf *v1.ConfigFile, digests []string) []Layer {
	var created []string // the history's commands of the layers, when they add up
	for _, h := range cf.History {
		if !h.EmptyLayer {
			created = append(created, h.CreatedBy)
		}
	}
	if len(created) != len(cf.RootFS.DiffIDs) {
		created = nil
	}
	out := make([]Layer, len(cf.RootFS.DiffIDs))
	for i, d := range cf.RootFS.DiffIDs {
		out[i] = Layer{Index: i, DiffID: d.String()}
		if i < len(digests) && len(digests) == len(cf.RootFS.DiffIDs) {
			out[i].Digest = digests[i]
		}
		if created != nil {
			out[i].CreatedBy = created[i]
		}
	}
	return out
}

// FromConfig describes an image from its config file (and its manifest,
// when known) without its layers' content: for annotating findings of
// reports made elsewhere on that image. Ref names it; the image has no
// Archive.
func FromConfig(ref string, config, manifest []byte) (*Image, error) {
	cf, err := v1.ParseConfigFile(bytes.NewReader(config))
	if err != nil {
		return nil, fmt.Errorf("image config: %w", err)
	}
	h, _, err := v1.SHA256(bytes.NewReader(config))
	if err != nil {
		return nil, err
	}
	im := &Image{Ref: ref, Kind: DockerArchive, ID: h.String(), OS: cf.OS, Architecture: cf.Architecture}
	var digests []string
	if len(manifest) > 0 {
		m, err := v1.ParseManifest(bytes.NewReader(manifest))
		if err != nil {
			return nil, fmt.Errorf("image manifest: %w", err)
		}
		d, _, _ := v1.SHA256(bytes.NewReader(manifest))
		im.Digest, im.Kind = d.String(), OCILayout
		for _, l := range m.Layers {
			digests = append(digests, l.Digest.String())
		}
	}
	im.Layers = layers(cf, digests)
	return im, nil
}

// tempDir makes the image's temporary directory.
func (im *Image) tempDir(opts *Options) (string, error) {
	if im.tmp != "" {
		return im.tmp, nil
	}
	dir, err := os.MkdirTemp(opts.TempDir, "scanmux-image-")
	if err != nil {
		return "", err
	}
	im.tmp = dir
	return dir, nil
}

// writeArchive writes the image as a `docker save` archive for the
// scanners, under its name (or a name derived from its ID).
func (im *Image) writeArchive(img v1.Image, opts *Options) error {
	dir, err := im.tempDir(opts)
	if err != nil {
		return err
	}
	var ref name.Reference
	if im.Name != "" {
		ref, err = name.ParseReference(im.Name)
	}
	if ref == nil || err != nil {
		hex := strings.TrimPrefix(im.ID, "sha256:")
		if len(hex) > 12 {
			hex = hex[:12]
		}
		ref, err = name.NewTag("scanmux.local/image:" + hex)
		if err != nil {
			return err
		}
	}
	p := filepath.Join(dir, "image.tar")
	if err := tarball.WriteToFile(p, ref, img); err != nil {
		return err
	}
	im.Archive = p
	return nil
}

// untar extracts an OCI archive into dir, refusing members that would land
// outside it and keeping only directories and regular files.
func untar(archive, dir string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: reading it as a tar: %v", ErrFormat, err)
		}
		rel := path.Clean("/" + h.Name)[1:]
		if rel == "" {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(out, tr)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}
