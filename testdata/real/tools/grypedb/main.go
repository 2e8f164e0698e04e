// Command grypedb writes a tiny grype vulnerability database (schema v6,
// DIR/vulnerability.db, for `grype db import DIR/vulnerability.db`) from the
// hand-written OSV records under testdata/real/db, with grype's own database
// builder (github.com/anchore/grype/grype/db.Build, the code behind grype's
// published databases): the npm records are turned into the GitHub Security
// Advisory records vunnel's "github" provider writes, the Go records are
// passed as they are to a "govulndb" provider (grype's OSV transformer
// handles GO- records), and the Alpine records (ecosystem Alpine:vX.Y) are
// turned into the secdb records vunnel's "alpine" provider writes (one per
// release and CVE, the upstream CVE as the name, the fixed version per
// package, severity Unknown as secdb has none, and the record's CVSS
// vector, NVD's, as the CVSS that grype's NVD data would add).
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

	"github.com/OneOfOne/xxhash"

	grypedb "github.com/anchore/grype/grype/db"
	"github.com/anchore/grype/grype/db/provider"
)

const (
	ghsaSchema = "https://raw.githubusercontent.com/anchore/vunnel/main/schema/vulnerability/github-security-advisory/schema-1.0.1.json"
	osvSchema  = "https://raw.githubusercontent.com/anchore/vunnel/main/schema/vulnerability/osv/schema-1.6.1.json"
	osSchema   = "https://raw.githubusercontent.com/anchore/vunnel/main/schema/vulnerability/os/schema-1.1.0.json"
)

type osvRecord struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Upstream  []string `json:"upstream"`
	Details   string   `json:"details"`
	Summary   string   `json:"summary"`
	Published string   `json:"published"`
	Modified  string   `json:"modified"`
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
		Severity string `json:"severity"`
	} `json:"database_specific"`
}

// cvss3Scores are the base scores of the CVSS vectors in the records.
var cvss3Scores = map[string]float64{
	"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H": 7.4,
	"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H": 7.2,
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L": 5.3,
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": 9.8,
}

var ghsaSeverity = map[string]string{"LOW": "Low", "MODERATE": "Medium", "HIGH": "High", "CRITICAL": "Critical"}

func main() {
	dbDir := flag.String("db", "../../db", "directory of the OSV records (testdata/real/db)")
	out := flag.String("out", "", "directory to write vulnerability.db into")
	flag.Parse()
	if *out == "" {
		log.Fatal("-out is required")
	}
	work, err := os.MkdirTemp("", "grypedb-providers-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	var states provider.States
	for _, p := range []struct {
		name, glob, schema string
		item               func(b []byte) (id string, item any, err error)
	}{
		{"github", "osv/npm/*.json", ghsaSchema, ghsaItem},
		{"govulndb", "govulndb/ID/*.json", osvSchema, osvItem},
		{"alpine", "osv/alpine/*.json", osSchema, alpineItem},
	} {
		files, err := filepath.Glob(filepath.Join(*dbDir, p.glob))
		if err != nil || len(files) == 0 {
			log.Fatalf("no records match %s (%v)", p.glob, err)
		}
		root := filepath.Join(work, p.name)
		var listing strings.Builder
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				log.Fatal(err)
			}
			id, item, err := p.item(b)
			if err != nil {
				log.Fatalf("%s: %v", f, err)
			}
			env, err := json.MarshalIndent(map[string]any{"schema": p.schema, "identifier": id, "item": item}, "", "  ")
			if err != nil {
				log.Fatal(err)
			}
			rel := filepath.Join("results", filepath.FromSlash(id)+".json")
			if err := os.MkdirAll(filepath.Dir(filepath.Join(root, rel)), 0o755); err != nil {
				log.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, rel), env, 0o644); err != nil {
				log.Fatal(err)
			}
			fmt.Fprintf(&listing, "%s  %s\n", xxh64(env), rel)
		}
		if err := os.WriteFile(filepath.Join(root, "checksums"), []byte(listing.String()), 0o644); err != nil {
			log.Fatal(err)
		}
		meta := map[string]any{
			"provider":             p.name,
			"urls":                 []string{"https://" + p.name},
			"store":                "flat-file",
			"timestamp":            ts.Format(time.RFC3339),
			"version":              1,
			"distribution_version": 1,
			"processor":            "scanmux testdata/real/tools/grypedb",
			"listing":              map[string]string{"digest": xxh64([]byte(listing.String())), "path": "checksums", "algorithm": "xxh64"},
			"schema": map[string]string{
				"version": "1.0.3",
				"url":     "https://raw.githubusercontent.com/anchore/vunnel/main/schema/provider-workspace-state/schema-1.0.3.json",
			},
			"stale": false,
		}
		mb, _ := json.MarshalIndent(meta, "", "  ")
		if err := os.WriteFile(filepath.Join(root, "metadata.json"), mb, 0o644); err != nil {
			log.Fatal(err)
		}
		st, err := provider.ReadState(filepath.Join(root, "metadata.json"))
		if err != nil {
			log.Fatal(err)
		}
		states = append(states, *st)
	}

	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	err = grypedb.Build(grypedb.BuildConfig{
		SchemaVersion:       6,
		Directory:           *out,
		States:              states,
		Timestamp:           ts,
		IncludeCPEParts:     []string{"a", "h", "o"},
		InferNVDFixVersions: true,
		Hydrate:             true,
		BatchSize:           100,
	})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s", filepath.Join(*out, "vulnerability.db"))
}

func xxh64(b []byte) string {
	h := xxhash.New64()
	h.Write(b)
	return fmt.Sprintf("%x", h.Sum(nil))
}

// osvItem passes a Go vulnerability database record on unchanged.
func osvItem(b []byte) (string, any, error) {
	var r osvRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return "", nil, err
	}
	return r.ID, json.RawMessage(b), nil
}

// ghsaItem writes an npm OSV record (a GitHub advisory) as vunnel's github
// provider writes GitHub advisories.
func ghsaItem(b []byte) (string, any, error) {
	var r osvRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return "", nil, err
	}
	var cves []string
	for _, a := range r.Aliases {
		if strings.HasPrefix(a, "CVE-") {
			cves = append(cves, a)
		}
	}
	sev := ghsaSeverity[r.DatabaseSpecific.Severity]
	if sev == "" {
		return "", nil, fmt.Errorf("no GitHub severity")
	}
	var fixedIn []map[string]string
	for _, a := range r.Affected {
		eco := strings.ToLower(a.Package.Ecosystem)
		for _, rg := range a.Ranges {
			intro := ""
			for _, e := range rg.Events {
				switch {
				case e.Introduced != "":
					intro = e.Introduced
				case e.Fixed != "":
					rng := "< " + e.Fixed
					if intro != "" && intro != "0" {
						rng = ">= " + intro + " < " + e.Fixed
					}
					fixedIn = append(fixedIn, map[string]string{
						"name": a.Package.Name, "identifier": e.Fixed, "ecosystem": eco,
						"namespace": "github:" + eco, "range": rng,
					})
				}
			}
		}
	}
	adv := map[string]any{
		"Classification": "GENERAL",
		"Severity":       sev,
		"FixedIn":        fixedIn,
		"Summary":        r.Summary,
		"url":            "https://github.com/advisories/" + r.ID,
		"CVE":            cves,
		"Metadata":       map[string]any{"CVE": cves},
		"ghsaId":         r.ID,
		"published":      r.Published,
		"updated":        r.Modified,
		"withdrawn":      nil,
		"namespace":      "github:" + strings.ToLower(r.Affected[0].Package.Ecosystem),
	}
	for _, s := range r.Severity {
		if s.Type != "CVSS_V3" {
			continue
		}
		score, ok := cvss3Scores[s.Score]
		if !ok {
			return "", nil, fmt.Errorf("no base score known for %s", s.Score)
		}
		adv["CVSS"] = map[string]any{
			"version":       "3.1",
			"vector_string": s.Score,
			"base_metrics":  map[string]any{"base_score": score, "base_severity": sev},
			"status":        "N/A",
		}
	}
	var refs []map[string]string
	for _, ref := range r.References {
		refs = append(refs, map[string]string{"url": ref.URL})
	}
	adv["references"] = refs
	return strings.ToLower("github:" + adv["namespace"].(string)[len("github:"):] + "/" + r.ID), map[string]any{"Advisory": adv, "Vulnerability": map[string]any{}}, nil
}

// alpineItem writes an Alpine OSV record as vunnel's alpine provider
// writes a secdb entry: identifier "X.Y/cve-…", the upstream CVE as the
// vulnerability's name in namespace alpine:X.Y, the fixed version of each
// package.
func alpineItem(b []byte) (string, any, error) {
	var r osvRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return "", nil, err
	}
	if len(r.Upstream) == 0 || len(r.Affected) == 0 {
		return "", nil, fmt.Errorf("no upstream CVE or no affected package")
	}
	cve := r.Upstream[0]
	_, release, ok := strings.Cut(r.Affected[0].Package.Ecosystem, ":")
	if !ok {
		return "", nil, fmt.Errorf("ecosystem %q names no Alpine release", r.Affected[0].Package.Ecosystem)
	}
	release = strings.TrimPrefix(release, "v")
	ns := "alpine:" + release
	var fixedIn []map[string]any
	for _, a := range r.Affected {
		for _, rg := range a.Ranges {
			for _, e := range rg.Events {
				if e.Fixed != "" {
					fixedIn = append(fixedIn, map[string]any{"Name": a.Package.Name, "NamespaceName": ns, "Version": e.Fixed, "VersionFormat": "apk"})
				}
			}
		}
	}
	var cvss []map[string]any
	for _, s := range r.Severity {
		if s.Type != "CVSS_V3" {
			continue
		}
		score, ok := cvss3Scores[s.Score]
		if !ok {
			return "", nil, fmt.Errorf("no base score known for %s", s.Score)
		}
		cvss = append(cvss, map[string]any{
			"version": "3.1", "vector_string": s.Score, "status": "N/A",
			"base_metrics": map[string]any{"base_score": score, "base_severity": cvssSeverity(score)},
		})
	}
	vuln := map[string]any{
		"Name": cve, "NamespaceName": ns, "Severity": "Unknown", "Description": r.Details,
		"Link": "https://security.alpinelinux.org/vuln/" + cve, "FixedIn": fixedIn, "CVSS": cvss, "Metadata": map[string]any{},
	}
	return release + "/" + strings.ToLower(cve), map[string]any{"Vulnerability": vuln}, nil
}

// cvssSeverity is CVSS v3's rating of a base score.
func cvssSeverity(score float64) string {
	switch {
	case score >= 9:
		return "Critical"
	case score >= 7:
		return "High"
	case score >= 4:
		return "Medium"
	case score > 0:
		return "Low"
	}
	return "None"
}
