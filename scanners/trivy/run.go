package trivy

import "github.com/scanmux/scanmux/scanners/internal/adapt"

// DB is trivy's local vulnerability database: its cache directory DIR
// holding DIR/db/trivy.db and DIR/db/metadata.json, which trivy reads
// with --cache-dir DIR --skip-db-update --offline-scan, and itself looks
// for in $TRIVY_CACHE_DIR, else the user's cache directory's trivy/.
// Options: trivy.db (DIR) and trivy.offline (auto, true, false), see
// adapt.LocalDB.
var DB = adapt.LocalDB{
	Tool: "trivy", Env: "TRIVY_CACHE_DIR", Default: "trivy",
	Layout: "DIR/db/trivy.db with its metadata.json, the cache directory trivy --download-db-only fills",
	Holds:  adapt.HasFile("db/trivy.db"),
}

// offlineArgs returns the flags that run trivy on its local database, if
// there is one to run on: no database downloads (nor the Java index's),
// no API requests, the misconfiguration checks built into trivy.
func offlineArgs(opts map[string]string) ([]string, error) {
	dir, err := DB.Find(opts)
	if err != nil || dir == "" {
		return nil, err
	}
	return []string{"--cache-dir", dir, "--skip-db-update", "--skip-java-db-update", "--offline-scan", "--skip-check-update"}, nil
}

// FSArgs returns the arguments of trivy fs on dir (vulnerabilities,
// misconfigurations and secrets), writing its JSON report to out.
func FSArgs(dir string, opts map[string]string, out string) ([]string, error) {
	db, err := offlineArgs(opts)
	if err != nil {
		return nil, err
	}
	args := append([]string{"fs", "--quiet", "--format", "json", "--output", out, "--scanners", "vuln,misconfig,secret"}, db...)
	return append(args, dir), nil
}

// ImageArgs returns the arguments of trivy image on an image archive (a
// `docker save` or OCI archive), writing its JSON report of the image's
// vulnerabilities to out.
func ImageArgs(archive string, opts map[string]string, out string) ([]string, error) {
	db, err := offlineArgs(opts)
	if err != nil {
		return nil, err
	}
	args := append([]string{"image", "--quiet", "--format", "json", "--output", out, "--scanners", "vuln"}, db...)
	return append(args, "--input", archive), nil
}

// Failed explains a run that could not reach trivy's database; nil
// otherwise.
func Failed(stderr string) error { return DB.Unreachable(stderr) }
