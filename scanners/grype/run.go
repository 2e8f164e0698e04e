package grype

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// DB is grype's local vulnerability database: its database cache
// directory DIR holding DIR/6/vulnerability.db (schema 6; `grype db
// import` installs one there), which grype itself looks for in
// $GRYPE_DB_CACHE_DIR, else the user's cache directory's grype/db.
// Options: grype.db (DIR) and grype.offline (auto, true, false), see
// adapt.LocalDB.
var DB = adapt.LocalDB{
	Tool: "grype", Env: "GRYPE_DB_CACHE_DIR", Default: filepath.Join("grype", "db"),
	Layout: "DIR/6/vulnerability.db, as grype db import installs it into GRYPE_DB_CACHE_DIR",
	Holds:  adapt.HasFile("6/vulnerability.db"),
}

// config writes grype's configuration beside the report: never check for
// a new grype, and, on a local database, read it from its directory
// without updating it or checking its age.
func config(opts map[string]string, out string) (string, error) {
	dir, err := DB.Find(opts)
	if err != nil {
		return "", err
	}
	cfg := "check-for-app-update: false\n"
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", err
		}
		cfg += fmt.Sprintf("db:\n  cache-dir: %s\n  auto-update: false\n  validate-age: false\n  require-update-check: false\n", strconv.Quote(abs))
	}
	p := filepath.Join(filepath.Dir(out), "grype.yaml")
	return p, os.WriteFile(p, []byte(cfg), 0o600)
}

// DirArgs returns the arguments of grype on a directory, writing its JSON
// report to out.
func DirArgs(dir string, opts map[string]string, out string) ([]string, error) {
	return args("dir:"+dir, opts, out)
}

// ImageArgs returns the arguments of grype on an image: a `docker save`
// archive (docker-archive:), or an OCI layout directory (oci-dir:).
func ImageArgs(image string, opts map[string]string, out string) ([]string, error) {
	scheme := "docker-archive:"
	if st, err := os.Stat(image); err == nil && st.IsDir() {
		scheme = "oci-dir:"
	}
	return args(scheme+image, opts, out)
}

func args(source string, opts map[string]string, out string) ([]string, error) {
	cfg, err := config(opts, out)
	if err != nil {
		return nil, err
	}
	// Not -q: it silences the errors too, and a failed run must say why.
	return []string{source, "-c", cfg, "-o", "json", "--file", out}, nil
}

// Failed explains a run that could not reach grype's database; nil
// otherwise.
func Failed(stderr string) error { return DB.Unreachable(stderr) }
