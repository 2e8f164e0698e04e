// Package testimage builds scanmux's test container image in Go, from a
// tiny root filesystem, with go-containerregistry's mutate and tarball
// packages: no daemon, no registry, no network.
//
// The image holds three planted vulnerabilities, one of each kind a
// container scanner reads, each added by its own layer as the image's
// Dockerfile ([Dockerfile]) would add it:
//
//   - layer 0 (FROM alpine:3.16): an Alpine 3.16.0 root with an apk
//     database (/lib/apk/db/installed) listing zlib 1.2.12-r1, affected by
//     CVE-2022-37434 (ALPINE-CVE-2022-37434, fixed in 1.2.12-r2), beside
//     musl and busybox;
//   - layer 1 (COPY app/ /app/): a Node.js application whose
//     package-lock.json and node_modules/lodash/package.json name lodash
//     4.17.20, affected by GHSA-35jh-r3h4-6jhm (CVE-2021-23337, fixed in
//     4.17.21);
//   - layer 2 (COPY --from=build): a Go binary, /usr/local/bin/server,
//     built by the go command here, whose build information names
//     golang.org/x/net v0.7.0, affected by GO-2024-3333 (CVE-2024-45338,
//     fixed in 0.33.0).
//
// The Go binary is really built ([Build] runs "go build"), but against a
// stand-in for golang.org/x/net v0.7.0 (one small html package) served from
// a file GOPROXY into a private module cache: the build needs no network
// and never touches the user's module cache, and the binary's build
// information records the module path and version as a real build would,
// which is all a scanner reads.
//
// The vulnerability records the scanners need are in testdata/real/db
// (osv/alpine, osv/npm, govulndb); [WriteOSVDB] makes osv-scanner's local
// database of the three planted ones.
package testimage

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Tag is the reference the image is written under in archives.
const Tag = "scanmux.test/vuln-image:1"

// Created is the time every file, layer and the image carry, so that the
// image's digests depend only on its content.
var Created = time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC)

// Planted is one vulnerability planted in the image.
type Planted struct {
	// Kind is "os", "npm" or "go".
	Kind string
	// Package, Version and Fixed name the package, its installed version
	// and the first fixed one.
	Package, Version, Fixed string
	// Ecosystem is the OSV ecosystem.
	Ecosystem string
	// ID is the OSV id; CVE its CVE.
	ID, CVE string
	// PURL is the package URL without qualifiers.
	PURL string
	// Layer is the index of the layer that adds it.
	Layer int
	// Path is where in the image the scanners find it.
	Path string
	// Record is the path of its OSV record under testdata/real/db.
	Record string
}

// Vulnerabilities lists the planted vulnerabilities, in layer order.
var Vulnerabilities = []Planted{
	{Kind: "os", Package: "zlib", Version: "1.2.12-r1", Fixed: "1.2.12-r2", Ecosystem: "Alpine:v3.16",
		ID: "ALPINE-CVE-2022-37434", CVE: "CVE-2022-37434", PURL: "pkg:apk/alpine/zlib@1.2.12-r1", Layer: 0,
		Path: "lib/apk/db/installed", Record: "osv/alpine/ALPINE-CVE-2022-37434.json"},
	{Kind: "npm", Package: "lodash", Version: "4.17.20", Fixed: "4.17.21", Ecosystem: "npm",
		ID: "GHSA-35jh-r3h4-6jhm", CVE: "CVE-2021-23337", PURL: "pkg:npm/lodash@4.17.20", Layer: 1,
		Path: "app/package-lock.json", Record: "osv/npm/GHSA-35jh-r3h4-6jhm.json"},
	{Kind: "go", Package: "golang.org/x/net", Version: "v0.7.0", Fixed: "0.33.0", Ecosystem: "Go",
		ID: "GO-2024-3333", CVE: "CVE-2024-45338", PURL: "pkg:golang/golang.org/x/net@v0.7.0", Layer: 2,
		Path: "usr/local/bin/server", Record: "govulndb/ID/GO-2024-3333.json"},
}

// Dockerfile is the recipe the image's layers follow, line for line: its
// history names these instructions as BuildKit writes them.
const Dockerfile = `# The recipe of scanmux's test image (containerimage/testimage builds the
# same layers in Go). Deliberately vulnerable and run as root: never ship it.
FROM golang:1.26 AS build
WORKDIR /src
COPY server/ ./
RUN CGO_ENABLED=0 go build -o /out/server .

FROM alpine:3.16
COPY app/ /app/
COPY --from=build /out/server /usr/local/bin/server
EXPOSE 8080
CMD ["/usr/local/bin/server"]
`

// DockerfileLines are the lines of [Dockerfile] that add each layer.
var DockerfileLines = []int{8, 9, 10}

// history is the image's history as BuildKit writes it: the base image's
// entries, then one per instruction of the last stage.
var history = []v1.History{
	{CreatedBy: "/bin/sh -c #(nop) ADD file:8e81116368669ed3dd361bc898d61bff249f524139a239fdaf3ec46869a39921 in / "},
	{CreatedBy: `/bin/sh -c #(nop)  CMD ["/bin/sh"]`, EmptyLayer: true},
	{CreatedBy: "COPY app/ /app/ # buildkit", Comment: "buildkit.dockerfile.v0"},
	{CreatedBy: "COPY /out/server /usr/local/bin/server # buildkit", Comment: "buildkit.dockerfile.v0"},
	{CreatedBy: "EXPOSE map[8080/tcp:{}]", Comment: "buildkit.dockerfile.v0", EmptyLayer: true},
	{CreatedBy: `CMD ["/usr/local/bin/server"]`, Comment: "buildkit.dockerfile.v0", EmptyLayer: true},
}

// Build builds the image. It runs the go command (found on PATH) in a
// directory of its own under work, which it leaves for the caller to
// remove.
func Build(ctx context.Context, work string) (v1.Image, error) {
	server, err := buildServer(ctx, work)
	if err != nil {
		return nil, err
	}
	base, err := layer(alpineRoot())
	if err != nil {
		return nil, err
	}
	app, err := layer(appFiles())
	if err != nil {
		return nil, err
	}
	bin, err := layer([]file{{name: "usr/"}, {name: "usr/local/"}, {name: "usr/local/bin/"},
		{name: "usr/local/bin/server", data: server, mode: 0o755}})
	if err != nil {
		return nil, err
	}
	cfg := &v1.ConfigFile{
		Architecture: "amd64", OS: "linux", Created: v1.Time{Time: Created},
		Config: v1.Config{
			Env:          []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			Cmd:          []string{"/usr/local/bin/server"},
			ExposedPorts: map[string]struct{}{"8080/tcp": {}},
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
	img, err := mutate.ConfigFile(empty.Image, cfg)
	if err != nil {
		return nil, err
	}
	adds := []mutate.Addendum{
		{Layer: base, History: history[0]},
		{Layer: app, History: history[2]},
		{Layer: bin, History: history[3]},
	}
	img, err = mutate.Append(img, adds...)
	if err != nil {
		return nil, err
	}
	// Append gives each layer one history entry; the full history has the
	// empty-layer entries between them.
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.History = nil
	for _, h := range history {
		h.Created = v1.Time{Time: Created}
		cf.History = append(cf.History, h)
	}
	return mutate.ConfigFile(img, cf)
}

// file is one entry of a layer: a directory when name ends with "/".
type file struct {
	name string
	data []byte
	mode int64
	link string // a symbolic link's target
}

// layer makes a gzip-compressed layer of files, in order, with fixed
// owners and times.
func layer(files []file) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, ModTime: Created, Mode: f.mode, Format: tar.FormatPAX}
		switch {
		case strings.HasSuffix(f.name, "/"):
			h.Typeflag = tar.TypeDir
			if h.Mode == 0 {
				h.Mode = 0o755
			}
		case f.link != "":
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, f.link, 0o777
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
			if h.Mode == 0 {
				h.Mode = 0o644
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(f.data); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
}

// apkPackage is one package of the apk database.
type apkPackage struct {
	name, version, origin, desc, url, license string
	files                                     map[string][]string // directory -> files
}

var apkPackages = []apkPackage{
	{name: "musl", version: "1.2.3-r0", origin: "musl", desc: "the musl c library (libc) implementation",
		url: "https://musl.libc.org/", license: "MIT", files: map[string][]string{"lib": {"ld-musl-x86_64.so.1", "libc.musl-x86_64.so.1"}}},
	{name: "busybox", version: "1.35.0-r13", origin: "busybox", desc: "Size optimized toolbox of many common UNIX utilities",
		url: "https://busybox.net/", license: "GPL-2.0-only", files: map[string][]string{"bin": {"busybox", "sh"}}},
	{name: "zlib", version: "1.2.12-r1", origin: "zlib", desc: "A compression/decompression Library",
		url: "https://zlib.net/", license: "Zlib", files: map[string][]string{"lib": {"libz.so.1", "libz.so.1.2.12"}}},
}

// apkInstalled writes the apk database in apk's format: one paragraph of
// "K:value" lines per package, files under their directory ("F:", "R:").
func apkInstalled() []byte {
	var b strings.Builder
	for _, p := range apkPackages {
		fmt.Fprintf(&b, "C:Q1%s=\nP:%s\nV:%s\nA:x86_64\nS:%d\nI:%d\nT:%s\nU:%s\nL:%s\no:%s\nm:Natanael Copa <ncopa@alpinelinux.org>\nt:%d\n",
			strings.Repeat("A", 27), p.name, p.version, 1000+len(p.name), 4096*len(p.name), p.desc, p.url, p.license, p.origin, Created.Unix())
		dirs := make([]string, 0, len(p.files))
		for d := range p.files {
			dirs = append(dirs, d)
		}
		sort.Strings(dirs)
		for _, d := range dirs {
			fmt.Fprintf(&b, "F:%s\n", d)
			for _, f := range p.files[d] {
				fmt.Fprintf(&b, "R:%s\na:0:0:755\nZ:Q1%s=\n", f, strings.Repeat("B", 27))
			}
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// alpineRoot is the base layer: an Alpine 3.16.0 root, tiny.
func alpineRoot() []file {
	osRelease := `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.16.0
PRETTY_NAME="Alpine Linux v3.16"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`
	files := []file{
		{name: "bin/"}, {name: "etc/"}, {name: "lib/"}, {name: "lib/apk/"}, {name: "lib/apk/db/"},
		{name: "tmp/", mode: 0o1777}, {name: "usr/"}, {name: "usr/lib/"},
		{name: "etc/alpine-release", data: []byte("3.16.0\n")},
		{name: "etc/apk/"}, {name: "etc/apk/arch", data: []byte("x86_64\n")},
		{name: "etc/apk/repositories", data: []byte("https://dl-cdn.alpinelinux.org/alpine/v3.16/main\nhttps://dl-cdn.alpinelinux.org/alpine/v3.16/community\n")},
		{name: "etc/os-release", data: []byte(osRelease)},
		{name: "lib/apk/db/installed", data: apkInstalled()},
	}
	for _, p := range apkPackages {
		for d, names := range p.files {
			for _, n := range names {
				switch n {
				case "sh":
					files = append(files, file{name: path.Join(d, n), link: "/bin/busybox"})
				default:
					files = append(files, file{name: path.Join(d, n), data: []byte("placeholder for " + p.name + "\n"), mode: 0o755})
				}
			}
		}
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files
}

// appFiles is the Node.js application's layer: /app with its lock file
// and its installed modules.
func appFiles() []file {
	pkg := `{
  "name": "scanmux-test-app",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "lodash": "4.17.20"
  }
}
`
	lock := `{
  "name": "scanmux-test-app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "scanmux-test-app",
      "version": "1.0.0",
      "dependencies": {
        "lodash": "4.17.20"
      }
    },
    "node_modules/lodash": {
      "version": "4.17.20",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz",
      "integrity": "sha512-PlhdFcillOINfeV7Ni6oF1TAEayyZBoZ8bcshTHqOYJYlrqzRK5hagpagky5o4HfCzzd1TRkXPMFq6cKk9rGmA=="
    }
  }
}
`
	// npm (7 and later) writes the packages it installed into
	// node_modules/.package-lock.json, which osv-scanner reads in images.
	hidden := `{
  "name": "scanmux-test-app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "node_modules/lodash": {
      "version": "4.17.20",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz",
      "integrity": "sha512-PlhdFcillOINfeV7Ni6oF1TAEayyZBoZ8bcshTHqOYJYlrqzRK5hagpagky5o4HfCzzd1TRkXPMFq6cKk9rGmA=="
    }
  }
}
`
	lodash := `{
  "name": "lodash",
  "version": "4.17.20",
  "description": "Lodash modular utilities.",
  "license": "MIT",
  "main": "lodash.js"
}
`
	return []file{
		{name: "app/"},
		{name: "app/index.js", data: []byte("const _ = require('lodash');\nconsole.log(_.template('hello <%= user %>')({ user: process.argv[2] }));\n")},
		{name: "app/node_modules/"},
		{name: "app/node_modules/.package-lock.json", data: []byte(hidden)},
		{name: "app/node_modules/lodash/"},
		{name: "app/node_modules/lodash/lodash.js", data: []byte("module.exports = {};\n")},
		{name: "app/node_modules/lodash/package.json", data: []byte(lodash)},
		{name: "app/package-lock.json", data: []byte(lock)},
		{name: "app/package.json", data: []byte(pkg)},
	}
}

// The stand-in for golang.org/x/net v0.7.0 and the program that uses it.
const (
	xnetMod  = "module golang.org/x/net\n\ngo 1.17\n"
	xnetHTML = `// Package html is a stand-in for golang.org/x/net/html v0.7.0 in
// scanmux's test image: only what the test program calls.
package html

import "io"

// Node is a parsed node.
type Node struct{ Data string }

// Parse reads a document.
func Parse(r io.Reader) (*Node, error) {
	b, err := io.ReadAll(r)
	return &Node{Data: string(b)}, err
}
`
	serverMod  = "module example.com/server\n\ngo 1.22\n\nrequire golang.org/x/net v0.7.0\n"
	serverMain = `package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/net/html"
)

func main() {
	doc, err := html.Parse(strings.NewReader(strings.Join(os.Args[1:], " ")))
	if err != nil {
		os.Exit(1)
	}
	fmt.Println(doc.Data)
}
`
)

// buildServer builds the Go binary in work/gobuild and returns it.
func buildServer(ctx context.Context, work string) ([]byte, error) {
	dir := filepath.Join(work, "gobuild")
	proxy := filepath.Join(dir, "proxy", "golang.org", "x", "net", "@v")
	src := filepath.Join(dir, "src")
	for _, d := range []string{proxy, src} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, data := range map[string]string{"go.mod": xnetMod, "html/html.go": xnetHTML} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "golang.org/x/net@v0.7.0/" + name, Method: zip.Deflate, Modified: Created})
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(w, data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	for name, data := range map[string][]byte{
		filepath.Join(proxy, "list"):        []byte("v0.7.0\n"),
		filepath.Join(proxy, "v0.7.0.info"): []byte(`{"Version":"v0.7.0","Time":"2023-02-14T00:00:00Z"}`),
		filepath.Join(proxy, "v0.7.0.mod"):  []byte(xnetMod),
		filepath.Join(proxy, "v0.7.0.zip"):  zb.Bytes(),
		filepath.Join(src, "go.mod"):        []byte(serverMod),
		filepath.Join(src, "main.go"):       []byte(serverMain),
	} {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return nil, err
		}
	}
	out := filepath.Join(dir, "server")
	cmd := exec.CommandContext(ctx, "go", "build", "-mod=mod", "-trimpath", "-buildvcs=false", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(),
		"GOPROXY=file://"+filepath.ToSlash(filepath.Join(dir, "proxy")), "GOSUMDB=off", "GONOSUMDB=*", "GOFLAGS=-modcacherw",
		"GOMODCACHE="+filepath.Join(dir, "modcache"), "GOWORK=off", "GOTOOLCHAIN=local", "CGO_ENABLED=0",
		"GOOS=linux", "GOARCH=amd64", "GOTELEMETRY=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("building the test image's Go binary: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return os.ReadFile(out)
}

// WriteOSVDB writes osv-scanner's local database of the planted
// vulnerabilities, read from the records under db (testdata/real/db), in
// the layout osv-scanner's --local-db-path expects:
// dir/osv-scalibr/<Ecosystem>/all.zip, one zip of OSV JSON files per
// ecosystem (Alpine, npm, Go).
func WriteOSVDB(dir, db string) error {
	byEco := map[string][]string{}
	for _, v := range Vulnerabilities {
		eco, _, _ := strings.Cut(v.Ecosystem, ":")
		byEco[eco] = append(byEco[eco], v.Record)
	}
	for eco, recs := range byEco {
		d := filepath.Join(dir, "osv-scalibr", eco)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		var zb bytes.Buffer
		zw := zip.NewWriter(&zb)
		for _, r := range recs {
			data, err := os.ReadFile(filepath.Join(db, filepath.FromSlash(r)))
			if err != nil {
				return err
			}
			w, err := zw.Create(path.Base(r))
			if err != nil {
				return err
			}
			if _, err := w.Write(data); err != nil {
				return err
			}
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, "all.zip"), zb.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
