// Command trivydb writes a tiny Trivy vulnerability database (DIR/db/trivy.db
// and DIR/db/metadata.json, the layout trivy reads from its cache directory
// with --skip-db-update) from the hand-written OSV records under
// testdata/real/db: the npm records become GitHub Security Advisory
// advisories in the bucket "npm::GitHub Security Advisory npm", the Go
// records Go Vulnerability Database advisories in "go::The Go Vulnerability
// Database", stored the way trivy-db's own osv source stores them (the
// vulnerability id is the CVE alias, the other ids are vendor ids). The
// Alpine records (ecosystem Alpine:vX.Y) become Alpine secdb advisories in
// the bucket "alpine X.Y", keyed by the upstream CVE with the fixed version,
// as trivy-db's alpine source stores them; their CVSS vector (NVD's) is the
// vulnerability's "nvd" score and severity, as trivy-db's NVD data would
// give it.
//
//	go run . -db ../../db -out DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/metadata"
	"github.com/aquasecurity/trivy-db/pkg/types"
	bolt "go.etcd.io/bbolt"
)

type osvRecord struct {
	ID        string    `json:"id"`
	Aliases   []string  `json:"aliases"`
	Upstream  []string  `json:"upstream"`
	Summary   string    `json:"summary"`
	Details   string    `json:"details"`
	Published time.Time `json:"published"`
	Modified  time.Time `json:"modified"`
	Severity  []struct {
		Type  string `json:"type"`
		Score string `json:"score"`
	} `json:"severity"`
	Affected []struct {
		Package struct {
			Name      string `json:"name"`
			Ecosystem string `json:"ecosystem"`
		} `json:"package"`
		Ranges []struct {
			Events []struct {
				Introduced string `json:"introduced"`
				Fixed      string `json:"fixed"`
			} `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
	References []struct {
		URL string `json:"url"`
	} `json:"references"`
	DatabaseSpecific struct {
		CWEIDs   []string `json:"cwe_ids"`
		Severity string   `json:"severity"`
		URL      string   `json:"url"`
	} `json:"database_specific"`
}

type source struct {
	glob   string
	eco    string // trivy-db ecosystem prefix of the bucket
	ds     types.DataSource
	sevMap map[string]types.Severity
}

var sources = []source{
	{
		glob: "osv/npm/*.json",
		eco:  "npm",
		ds: types.DataSource{
			ID:   "ghsa",
			Name: "GitHub Security Advisory npm",
			URL:  "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm",
		},
	},
	{
		glob: "govulndb/ID/*.json",
		eco:  "go",
		ds: types.DataSource{
			ID:   "govulndb",
			Name: "The Go Vulnerability Database",
			URL:  "https://pkg.go.dev/vuln/",
		},
	},
}

// ghsaSeverity maps GitHub's severity names to trivy's.
var ghsaSeverity = map[string]types.Severity{
	"LOW": types.SeverityLow, "MODERATE": types.SeverityMedium,
	"HIGH": types.SeverityHigh, "CRITICAL": types.SeverityCritical,
}

// cvss3Scores are the base scores of the CVSS vectors in the records (as
// published with them); trivy-db stores the score beside the vector.
var cvss3Scores = map[string]float64{
	"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H": 7.4,
	"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H": 7.2,
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L": 5.3,
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": 9.8,
}

// alpine is the data source of trivy-db's Alpine buckets.
var alpine = types.DataSource{ID: "alpine", Name: "Alpine Secdb", URL: "https://secdb.alpinelinux.org/"}

func main() {
	dbDir := flag.String("db", "../../db", "directory of the OSV records (testdata/real/db)")
	out := flag.String("out", "", "trivy cache directory to write (DIR/db/trivy.db)")
	flag.Parse()
	if *out == "" {
		log.Fatal("-out is required")
	}
	dir := filepath.Join(*out, "db")
	if err := db.Init(dir); err != nil {
		log.Fatal(err)
	}
	dbc := db.Config{}
	n := 0
	err := dbc.BatchUpdate(func(tx *bolt.Tx) error {
		for _, src := range sources {
			files, err := filepath.Glob(filepath.Join(*dbDir, src.glob))
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return fmt.Errorf("no records match %s", src.glob)
			}
			bkt := src.eco + "::" + src.ds.Name
			if err := dbc.PutDataSource(tx, bkt, src.ds); err != nil {
				return err
			}
			for _, f := range files {
				var r osvRecord
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				if err := json.Unmarshal(b, &r); err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
				if err := put(dbc, tx, bkt, src.ds.ID, r); err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
				n++
			}
		}
		files, err := filepath.Glob(filepath.Join(*dbDir, "osv/alpine/*.json"))
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return fmt.Errorf("no records match osv/alpine/*.json")
		}
		for _, f := range files {
			var r osvRecord
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(b, &r); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			if err := putAlpine(dbc, tx, r); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			n++
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.Close(); err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	meta := metadata.Metadata{
		Version:      db.SchemaVersion,
		NextUpdate:   now.AddDate(100, 0, 0),
		UpdatedAt:    now,
		DownloadedAt: now,
	}
	if err := metadata.NewClient(dir).Update(meta); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %d records to %s", n, dir)
}

func put(dbc db.Config, tx *bolt.Tx, bkt string, srcID types.SourceID, r osvRecord) error {
	// As trivy-db's osv source: CVE aliases are the vulnerability ids,
	// the record's own id and its other aliases are vendor ids.
	var cves, vendor []string
	for _, id := range append(append([]string{}, r.Aliases...), r.ID) {
		if strings.HasPrefix(id, "CVE-") {
			cves = append(cves, id)
		} else {
			vendor = append(vendor, id)
		}
	}
	if len(cves) == 0 {
		cves, vendor = []string{r.ID}, r.Aliases
	}
	var refs []string
	for _, ref := range r.References {
		refs = append(refs, ref.URL)
	}
	if r.DatabaseSpecific.URL != "" {
		refs = append(refs, r.DatabaseSpecific.URL)
	}
	vuln := types.Vulnerability{
		Title:            r.Summary,
		Description:      r.Details,
		CweIDs:           r.DatabaseSpecific.CWEIDs,
		References:       refs,
		PublishedDate:    &r.Published,
		LastModifiedDate: &r.Modified,
	}
	if s, ok := ghsaSeverity[r.DatabaseSpecific.Severity]; ok {
		vuln.Severity = s.String()
		vuln.VendorSeverity = types.VendorSeverity{srcID: s}
	}
	for _, s := range r.Severity {
		if s.Type == "CVSS_V3" {
			score, ok := cvss3Scores[s.Score]
			if !ok {
				return fmt.Errorf("no base score known for %s", s.Score)
			}
			vuln.CVSS = types.VendorCVSS{srcID: {V3Vector: s.Score, V3Score: score}}
		}
	}
	for _, a := range r.Affected {
		var vulnerable, patched []string
		for _, rg := range a.Ranges {
			intro := ""
			for _, e := range rg.Events {
				switch {
				case e.Introduced != "":
					intro = e.Introduced
				case e.Fixed != "":
					if intro == "" || intro == "0" {
						vulnerable = append(vulnerable, "<"+e.Fixed)
					} else {
						vulnerable = append(vulnerable, ">="+intro+", <"+e.Fixed)
					}
					patched = append(patched, e.Fixed)
				}
			}
		}
		adv := types.Advisory{VendorIDs: vendor, VulnerableVersions: vulnerable, PatchedVersions: patched}
		for _, id := range cves {
			if err := dbc.PutAdvisory(tx, []string{bkt, a.Package.Name}, id, adv); err != nil {
				return err
			}
			if err := dbc.PutVulnerability(tx, id, vuln); err != nil {
				return err
			}
		}
	}
	return nil
}

// putAlpine stores an Alpine record as trivy-db's alpine source does: in
// the bucket "alpine X.Y" of its ecosystem Alpine:vX.Y, the package's fixed
// version under the upstream CVE.
func putAlpine(dbc db.Config, tx *bolt.Tx, r osvRecord) error {
	if len(r.Upstream) == 0 {
		return fmt.Errorf("no upstream CVE")
	}
	cve := r.Upstream[0]
	var refs []string
	for _, ref := range r.References {
		refs = append(refs, ref.URL)
	}
	vuln := types.Vulnerability{
		Description:      r.Details,
		References:       refs,
		PublishedDate:    &r.Published,
		LastModifiedDate: &r.Modified,
	}
	for _, s := range r.Severity {
		if s.Type == "CVSS_V3" {
			score, ok := cvss3Scores[s.Score]
			if !ok {
				return fmt.Errorf("no base score known for %s", s.Score)
			}
			sev := types.SeverityLow
			switch {
			case score >= 9:
				sev = types.SeverityCritical
			case score >= 7:
				sev = types.SeverityHigh
			case score >= 4:
				sev = types.SeverityMedium
			}
			vuln.Severity = sev.String()
			vuln.VendorSeverity = types.VendorSeverity{"nvd": sev}
			vuln.CVSS = types.VendorCVSS{"nvd": {V3Vector: s.Score, V3Score: score}}
		}
	}
	for _, a := range r.Affected {
		_, release, ok := strings.Cut(a.Package.Ecosystem, ":")
		if !ok {
			return fmt.Errorf("ecosystem %q names no Alpine release", a.Package.Ecosystem)
		}
		bkt := "alpine " + strings.TrimPrefix(release, "v")
		if err := dbc.PutDataSource(tx, bkt, alpine); err != nil {
			return err
		}
		for _, rg := range a.Ranges {
			for _, e := range rg.Events {
				if e.Fixed == "" {
					continue
				}
				if err := dbc.PutAdvisory(tx, []string{bkt, a.Package.Name}, cve, types.Advisory{FixedVersion: e.Fixed}); err != nil {
					return err
				}
			}
		}
	}
	return dbc.PutVulnerability(tx, cve, vuln)
}
