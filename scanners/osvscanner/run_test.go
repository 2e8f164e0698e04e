package osvscanner

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scanmux/scanmux/finding"
)

// localDB makes a directory holding an osv-scanner database (one empty
// ecosystem zip is enough to be found).
func localDB(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "osv-scalibr", "npm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "osv-scalibr", "npm", "all.zip"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A local database is used without being asked for: the option's, else
// where osv-scanner itself looks; without one osv-scanner goes online,
// unless osv-scanner.offline is true, which fails naming the option.
func TestDatabaseArgs(t *testing.T) {
	db, env, empty := localDB(t), localDB(t), t.TempDir()
	t.Setenv("XDG_CACHE_HOME", empty)
	t.Setenv("HOME", empty)
	for _, c := range []struct {
		name    string
		env     string
		opts    map[string]string
		offline string // the --local-db-path given, "" for none
		err     string // in the error, "" for none
	}{
		{"the option", "", map[string]string{"osv-scanner.db": db}, db, ""},
		{"the environment", env, nil, env, ""},
		{"the option before the environment", env, map[string]string{"osv-scanner.db": db}, db, ""},
		{"nothing: online", "", nil, "", ""},
		{"offline false", env, map[string]string{"osv-scanner.offline": "false"}, "", ""},
		{"offline true without a database", "", map[string]string{"osv-scanner.offline": "true"}, "", "osv-scanner.offline is true but no local database"},
		{"an option naming no database", "", map[string]string{"osv-scanner.db": empty}, "", "osv-scanner.db: " + empty + " holds no osv-scanner database"},
		{"a bad offline value", "", map[string]string{"osv-scanner.offline": "yes"}, "", "want auto, true or false"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY", c.env)
			args, err := ImageArgs("img.tar", c.opts, "out.json")
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			i := slices.Index(args, "--local-db-path")
			got := ""
			if i >= 0 {
				got = args[i+1]
			}
			if got != c.offline || (got != "") != slices.Contains(args, "--offline") {
				t.Errorf("args %q, want the local database %q", args, c.offline)
			}
			if !slices.Contains(args, "--output-file") || slices.Contains(args, "--output") || args[len(args)-1] != "img.tar" {
				t.Errorf("args %q", args)
			}
		})
	}
	args, err := SourceArgs("/src", map[string]string{"osv-scanner.db": db}, "out.json")
	if err != nil || !slices.Contains(args, "--allow-no-lockfiles") || args[len(args)-2] != "-r" || args[len(args)-1] != "/src" {
		t.Errorf("scan source: %q %v", args, err)
	}
}

// A failure says which database is missing or unreachable and which
// option to set; osv-scanner's own lines are what it printed here.
func TestFailed(t *testing.T) {
	for _, c := range []struct{ stderr, want string }{
		{"Loaded Alpine local db from /db/osv-scalibr/Alpine/all.zip\ncould not load db for Go ecosystem: unable to fetch OSV database: no offline version of the OSV database is available\n",
			"osv-scanner's local database has no Go records"},
		{`Error during extraction: (extracting as vulnmatch/osvdev) max retries exceeded: attempt 4: request failed: Post "https://api.osv.dev/v1/querybatch": dial tcp: lookup api.osv.dev on 10.255.255.53:53: no such host`,
			"osv-scanner could not reach its vulnerability database"},
	} {
		err := Failed(c.stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "osv-scanner.") {
			t.Errorf("%v, want %q and the option", err, c.want)
		}
	}
	if err := Failed("Scanning local image tarball\n"); err != nil {
		t.Errorf("an unrelated failure explained: %v", err)
	}
}

// osv-scanner's report of an image scan (testdata/real/image) gives
// container findings: the layer's diff ID from image_metadata, the path in
// the image kept out of Location, the Alpine record's upstream CVE among
// the ids, and purls without the record's qualifiers. Its SARIF gives the
// same package and ids (the CVE from the ALPINE- id).
func TestImageReport(t *testing.T) {
	const image = "../../testdata/real/image/out/"
	json := readJSON(t, image+"osv-scanner-v2.6.0-image-json.json", "")
	sarif := map[string]*finding.Finding{}
	for _, f := range readSARIF(t, image+"osv-scanner-v2.6.0-image-sarif.sarif", "") {
		sarif[f.Rule.ID] = f
	}
	want := map[string]struct{ purl, source, cve string }{
		"ALPINE-CVE-2022-37434": {"pkg:apk/alpine/zlib@1.2.12-r1", "/lib/apk/db/installed", "CVE-2022-37434"},
		"GHSA-35jh-r3h4-6jhm":   {"pkg:npm/lodash@4.17.20", "/app/node_modules/.package-lock.json", "CVE-2021-23337"},
		"GO-2024-3333":          {"pkg:golang/golang.org/x/net@v0.7.0", "/usr/local/bin/server", "CVE-2024-45338"},
	}
	if len(json) != len(want) {
		t.Fatalf("%d findings, want %d", len(json), len(want))
	}
	for _, f := range json {
		w, ok := want[f.Rule.ID]
		p := f.Location.Package
		if !ok || f.Category != finding.CategoryContainer || p.PURL != w.purl || !strings.HasPrefix(p.Layer, "sha256:") ||
			f.Location.Path != "" || f.Properties["osv.source"] != w.source || f.Properties["osv.layerCommand"] == "" || !slices.Contains(f.VulnIDs, w.cve) {
			t.Errorf("%s: %+v %+v %q %q", f.Rule.ID, *p, f.Location, f.VulnIDs, f.Properties)
		}
		s := sarif[f.Rule.ID]
		if s == nil {
			t.Errorf("%s: not in the SARIF", f.Rule.ID)
			continue
		}
		if sp := s.Location.Package; sp.Name != p.Name || sp.Version != p.Version || sp.FixedVersion != p.FixedVersion || !slices.Contains(s.VulnIDs, w.cve) {
			t.Errorf("%s: SARIF %+v %q, JSON %+v %q", f.Rule.ID, *sp, s.VulnIDs, *p, f.VulnIDs)
		}
	}
}
