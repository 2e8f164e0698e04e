// Command build writes scanmux's test image (package
// containerimage/testimage) for record.sh: the `docker save` archive
// scanners read, the image's config and manifest (kept beside the
// recordings, which name its digests), its Dockerfile, and osv-scanner's
// local database of the planted vulnerabilities.
//
//	go run ./testdata/real/image/build -out DIR
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/scanmux/scanmux/containerimage/testimage"
)

func main() {
	out := flag.String("out", "", "directory to write vuln.tar, config.json, manifest.json, Dockerfile and osvdb/ into")
	db := flag.String("db", "testdata/real/db", "the OSV records (testdata/real/db)")
	flag.Parse()
	if *out == "" {
		log.Fatal("-out is required")
	}
	work, err := os.MkdirTemp("", "scanmux-testimage-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)
	img, err := testimage.Build(context.Background(), work)
	if err != nil {
		log.Fatal(err)
	}
	if err := testimage.WriteArchive(img, filepath.Join(*out, "vuln.tar")); err != nil {
		log.Fatal(err)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		log.Fatal(err)
	}
	man, err := img.RawManifest()
	if err != nil {
		log.Fatal(err)
	}
	for name, data := range map[string][]byte{"config.json": cfg, "manifest.json": man, "Dockerfile": []byte(testimage.Dockerfile)} {
		if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	if err := testimage.WriteOSVDB(filepath.Join(*out, "osvdb"), *db); err != nil {
		log.Fatal(err)
	}
}
