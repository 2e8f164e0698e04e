package testimage

import (
	"archive/tar"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// WriteArchive writes img as `docker save` does, tagged [Tag].
func WriteArchive(img v1.Image, path string) error {
	tag, err := name.NewTag(Tag)
	if err != nil {
		return err
	}
	return tarball.WriteToFile(path, tag, img)
}

// WriteLayout writes img as an OCI image layout in dir, its index entry
// annotated with the ref name [Tag].
func WriteLayout(img v1.Image, dir string) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": Tag}))
}

// WriteOCIArchive writes img as an OCI archive: the tar of its OCI layout.
func WriteOCIArchive(img v1.Image, path, work string) error {
	dir := filepath.Join(work, "oci-archive-layout")
	if err := WriteLayout(img, dir); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		h, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if fi.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if fi.IsDir() {
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		_, err = io.Copy(tw, in)
		return err
	})
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Registry is go-containerregistry's in-process registry, served on
// 127.0.0.1 (plain HTTP, as go-containerregistry uses for loopback).
type Registry struct {
	// Host is its host:port.
	Host string
	srv  *httptest.Server
}

// StartRegistry starts a registry on 127.0.0.1; Close stops it.
func StartRegistry() (*Registry, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}}
	srv.Start()
	return &Registry{Host: ln.Addr().String(), srv: srv}, nil
}

// Close stops the registry.
func (r *Registry) Close() { r.srv.Close() }

// Push pushes img as repo:tag (e.g. "scanmux/vuln-image:1") and returns its
// reference, host included.
func (r *Registry) Push(ctx context.Context, img v1.Image, repoTag string) (string, error) {
	ref, err := name.ParseReference(r.Host + "/" + repoTag)
	if err != nil {
		return "", err
	}
	if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
		return "", err
	}
	return ref.String(), nil
}
