package osvscanner

import (
	"fmt"
	"regexp"

	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// DB is osv-scanner's local vulnerability database: a directory DIR with
// one zip of OSV records per ecosystem, DIR/osv-scalibr/<Ecosystem>/all.zip
// (Alpine, npm, Go, PyPI…), which osv-scanner reads with --offline
// --local-db-path DIR, and itself looks for in
// $OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY, else the user's cache directory
// (osv-scanner --download-offline-databases fills it). Options:
// osv-scanner.db (DIR) and osv-scanner.offline (auto, true, false), see
// adapt.LocalDB.
var DB = adapt.LocalDB{
	Tool: "osv-scanner", Env: "OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY", Default: ".",
	Layout: "DIR/osv-scalibr/<Ecosystem>/all.zip, one zip of OSV records per ecosystem",
	Holds:  adapt.HasFile("osv-scalibr/*/all.zip"),
}

// offlineArgs returns the flags that run osv-scanner on its local
// database, if there is one to run on.
func offlineArgs(opts map[string]string) ([]string, error) {
	dir, err := DB.Find(opts)
	if err != nil || dir == "" {
		return nil, err
	}
	// --offline also turns off what needs the network besides the
	// database: transitive resolution, base image lookups.
	return []string{"--offline", "--local-db-path", dir}, nil
}

// SourceArgs returns the arguments of osv-scanner scan source on dir,
// writing its JSON report to out. A directory without any lock file is a
// clean scan (--allow-no-lockfiles), not an error.
func SourceArgs(dir string, opts map[string]string, out string) ([]string, error) {
	db, err := offlineArgs(opts)
	if err != nil {
		return nil, err
	}
	args := []string{"scan", "source", "--format", "json", "--output-file", out, "--allow-no-lockfiles"}
	args = append(args, db...)
	return append(args, "-r", dir), nil
}

// ImageArgs returns the arguments of osv-scanner scan image on a `docker
// save` archive, writing its JSON report to out.
func ImageArgs(archive string, opts map[string]string, out string) ([]string, error) {
	db, err := offlineArgs(opts)
	if err != nil {
		return nil, err
	}
	args := []string{"scan", "image", "--archive", "--format", "json", "--output-file", out}
	args = append(args, db...)
	return append(args, archive), nil
}

// reNoEcosystem matches osv-scanner's message for an ecosystem its local
// database lacks.
var reNoEcosystem = regexp.MustCompile(`could not load db for (\S+) ecosystem: (.*)`)

// Failed explains a run that failed: the network the database is on
// could not be reached, or the local database lacks an ecosystem the
// scanned packages are of (osv-scanner then matches nothing and exits
// 127); nil when stderr says neither.
func Failed(stderr string) error {
	if m := reNoEcosystem.FindStringSubmatch(stderr); m != nil {
		return fmt.Errorf("osv-scanner's local database has no %s records (%s): add DIR/osv-scalibr/%s/all.zip to the directory osv-scanner.db names, or set osv-scanner.offline: false to use osv.dev",
			m[1], m[2], m[1])
	}
	return DB.Unreachable(stderr)
}
