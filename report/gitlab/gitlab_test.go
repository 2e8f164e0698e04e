package gitlab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/report"
	"github.com/scanmux/scanmux/report/gitlab"
	"github.com/scanmux/scanmux/report/internal/reporttest"
	"github.com/scanmux/scanmux/scanners/registry"
)

// schemaDir is GitLab's schemas in the shared material beside the
// checkout.
var schemaDir = filepath.Join(reporttest.RepoRoot(), "..", "shared", "schemas", "gitlab")

var (
	schemaMu sync.Mutex
	schemas  = map[string]*jsonschema.Schema{}
)

// schemaFor compiles GitLab's schema of kind in version, skipping the
// test when ../shared is absent.
func schemaFor(t *testing.T, version string, kind gitlab.Kind) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join(schemaDir, version, kind.SchemaFile())
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if s := schemas[path]; s != nil {
		return s
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("GitLab's schemas are not at %s (../shared beside the checkout): not validated", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	schemas[path] = s
	return s
}

// validate writes kind's report of r in version and checks it against
// GitLab's schema; it returns the decoded report.
func validate(t *testing.T, r *aggregate.Report, o *report.Options, version string, kind gitlab.Kind) map[string]any {
	t.Helper()
	opts := *o
	opts.Params = map[string]string{gitlab.SchemaParam: version}
	f, err := report.Lookup(kind.FormatName())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, &opts); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := schemaFor(t, version, kind).Validate(inst); err != nil {
		t.Errorf("%s %s: not valid:\n%v", kind, version, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["version"] != version {
		t.Errorf("version %v, want %s", doc["version"], version)
	}
	return doc
}

// want counts r's unsuppressed findings by the kind their category and
// location give.
func want(r *aggregate.Report) map[gitlab.Kind]int {
	n := map[gitlab.Kind]int{}
	for _, f := range r.Findings {
		if f.Suppressed() {
			continue
		}
		pkg := f.Location.Package != nil || f.Properties["package"] != ""
		switch {
		case f.Category == finding.CategoryDependency && pkg:
			n[gitlab.DependencyScanning]++
		case f.Category == finding.CategoryContainer && pkg:
			n[gitlab.ContainerScanning]++
		case f.Category == finding.CategoryDAST && f.Location.Web != nil:
			n[gitlab.DAST]++
		case f.Category == finding.CategorySecret:
			n[gitlab.SecretDetection]++
		default:
			n[gitlab.SAST]++
		}
	}
	return n
}

// Every kind written from the vulnerable-app scan validates against both
// schema versions, with every unsuppressed finding of its kind in it.
func TestVulnerableAppValidates(t *testing.T) {
	r, o := reporttest.VulnerableApp(t)
	counts := want(r)
	for _, k := range []gitlab.Kind{gitlab.SAST, gitlab.SecretDetection, gitlab.DependencyScanning, gitlab.DAST} {
		if counts[k] == 0 {
			t.Fatalf("the vulnerable-app scan has no %s findings", k)
		}
	}
	for _, version := range gitlab.Schemas {
		for _, kind := range gitlab.Kinds {
			doc := validate(t, r, o, version, kind)
			vulns := doc["vulnerabilities"].([]any)
			if len(vulns) != counts[kind] {
				t.Errorf("%s %s: %d vulnerabilities, want %d", kind, version, len(vulns), counts[kind])
			}
			t.Logf("%s %s: %d vulnerabilities, 0 schema errors", kind, version, len(vulns))
		}
	}
	if got := gitlab.Present(r); len(got) != 4 {
		t.Errorf("Present = %v", got)
	}
}

// A report with no findings of a kind is valid too (it tells GitLab the
// kind was scanned and found nothing).
func TestEmptyReportsValidate(t *testing.T) {
	empty := &aggregate.Report{}
	o := &report.Options{Started: reporttest.Started, Finished: reporttest.Started}
	for _, version := range gitlab.Schemas {
		for _, kind := range gitlab.Kinds {
			if doc := validate(t, empty, o, version, kind); len(doc["vulnerabilities"].([]any)) != 0 {
				t.Errorf("%s %s: vulnerabilities in an empty report", kind, version)
			}
		}
	}
}

// Golden reports of the vulnerable-app scan (15.2.1; dependency scanning
// in 15.0.7 too, for its dependency_files): go test -update rewrites them.
func TestGolden(t *testing.T) {
	r, o := reporttest.VulnerableApp(t)
	for _, c := range []struct {
		kind    gitlab.Kind
		version string
	}{{gitlab.SAST, gitlab.Schema1521}, {gitlab.DependencyScanning, gitlab.Schema1507}, {gitlab.SecretDetection, gitlab.Schema1521}, {gitlab.DAST, gitlab.Schema1521}} {
		opts := *o
		opts.Params = map[string]string{gitlab.SchemaParam: c.version}
		var buf bytes.Buffer
		if err := gitlab.Write(&buf, c.kind, r, &opts); err != nil {
			t.Fatal(err)
		}
		reporttest.Golden(t, "vulnerable-app-"+string(c.kind)+"-"+c.version+".json", buf.Bytes())
	}
}

// importSource reads one report of any supported tool, as merge does.
type importSource struct{ path, root string }

func (s importSource) Name() string { return "import:" + filepath.Base(s.path) }

func (s importSource) Run(_ context.Context, emit func(*finding.Finding) error) ([]finding.Tool, error) {
	return registry.Import(s.path, "", s.root, emit)
}

func importReport(t *testing.T, root string, paths ...string) *aggregate.Report {
	t.Helper()
	var src []aggregate.Source
	for _, p := range paths {
		src = append(src, importSource{p, root})
	}
	r, err := aggregate.Run(context.Background(), src, &aggregate.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Real secrets (gitleaks' recording) and real container scans (trivy and
// grype of images, from the shared corpus) fill the kinds the
// vulnerable-app scan has none of; both versions validate.
func TestSecretsAndContainersValidate(t *testing.T) {
	o := &report.Options{Started: reporttest.Started, Finished: reporttest.Started, Version: "v0.0.0-test"}
	tree := filepath.Join(reporttest.RepoRoot(), "testdata", "real", "tree")
	secrets := importReport(t, tree, filepath.Join(reporttest.RepoRoot(), "testdata", "real", "out", "gitleaks", "gitleaks-v8.30.1-root-json.json"))
	for _, version := range gitlab.Schemas {
		doc := validate(t, secrets, o, version, gitlab.SecretDetection)
		vulns := doc["vulnerabilities"].([]any)
		if len(vulns) == 0 || len(vulns) != want(secrets)[gitlab.SecretDetection] {
			t.Errorf("secret_detection %s: %d vulnerabilities, want %d", version, len(vulns), want(secrets)[gitlab.SecretDetection])
		}
		loc := vulns[0].(map[string]any)["location"].(map[string]any)
		if loc["commit"].(map[string]any)["sha"] != "0000000" || loc["file"] == "" {
			t.Errorf("secret location %v", loc)
		}
	}
	corpus := filepath.Join(reporttest.RepoRoot(), "..", "shared", "corpus")
	images := []string{filepath.Join(corpus, "trivy", "trivy-image-spring4shell.json"), filepath.Join(corpus, "trivy", "trivy-image-alpine310.sarif"),
		filepath.Join(corpus, "grype", "grype-check-all-fields.json")}
	if _, err := os.Stat(images[0]); err != nil {
		t.Skipf("the shared corpus is not at %s: container_scanning not validated", corpus)
	}
	containers := importReport(t, t.TempDir(), images...)
	n := want(containers)[gitlab.ContainerScanning]
	if n == 0 {
		t.Fatalf("no container findings in %v", images)
	}
	for _, version := range gitlab.Schemas {
		doc := validate(t, containers, o, version, gitlab.ContainerScanning)
		if got := len(doc["vulnerabilities"].([]any)); got != n {
			t.Errorf("container_scanning %s: %d vulnerabilities, want %d", version, got, n)
		}
		t.Logf("container_scanning %s: %d vulnerabilities, 0 schema errors", version, n)
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Ids come from scanmux's identity: the same in two runs, distinct in one
// report, UUID-shaped. Identifiers: the advisory first for dependencies,
// the rule first otherwise, CWEs with their links.
func TestIDsAndIdentifiers(t *testing.T) {
	r1, o := reporttest.VulnerableApp(t)
	r2, _ := reporttest.VulnerableApp(t)
	ids := func(r *aggregate.Report, kind gitlab.Kind) []any {
		var buf bytes.Buffer
		if err := gitlab.Write(&buf, kind, r, o); err != nil {
			t.Fatal(err)
		}
		var doc struct{ Vulnerabilities []map[string]any }
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		var out []any
		for _, v := range doc.Vulnerabilities {
			out = append(out, v)
		}
		return out
	}
	seen := map[string]bool{}
	a, b := ids(r1, gitlab.SAST), ids(r2, gitlab.SAST)
	for i := range a {
		id := a[i].(map[string]any)["id"].(string)
		if id != b[i].(map[string]any)["id"] {
			t.Errorf("id %s changed between runs", id)
		}
		if !uuidRE.MatchString(id) || seen[id] {
			t.Errorf("id %q not a UUID or not unique", id)
		}
		seen[id] = true
	}
	var g101 map[string]any
	for _, v := range ids(r1, gitlab.SecretDetection) {
		ids := v.(map[string]any)["identifiers"].([]any)
		if ids[0].(map[string]any)["value"] == "G101" {
			g101 = v.(map[string]any)
		}
	}
	if g101 == nil {
		t.Fatal("no G101 vulnerability")
	}
	text, _ := json.Marshal(g101["identifiers"])
	for _, part := range []string{`"type":"gosec_rule_id"`, `"name":"CWE-798","type":"cwe"`, `"url":"https://cwe.mitre.org/data/definitions/798.html"`} {
		if !strings.Contains(string(text), part) {
			t.Errorf("G101 identifiers %s lack %s", text, part)
		}
	}
	if !strings.Contains(g101["description"].(string), "also by gitleaks") {
		t.Errorf("G101 description %q does not name gitleaks", g101["description"])
	}
	for _, v := range ids(r1, gitlab.DependencyScanning) {
		first := v.(map[string]any)["identifiers"].([]any)[0].(map[string]any)
		if first["type"] != "go" || !strings.HasPrefix(first["value"].(string), "GO-") {
			t.Errorf("dependency primary identifier %v", first)
		}
	}
}

// The validation is not vacuous: a report that breaks the schema fails.
func TestSchemaCatchesErrors(t *testing.T) {
	r, o := reporttest.VulnerableApp(t)
	var buf bytes.Buffer
	if err := gitlab.Write(&buf, gitlab.DependencyScanning, r, o); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ from, to string }{
		{`"severity": "High"`, `"severity": "Severe"`},
		{`"start_time": "2026-12-07T22:11:00"`, `"start_time": "2026-12-07T22:11:00Z"`},
		{`"file": "go.mod"`, `"file": ""`},
	} {
		if !bytes.Contains(buf.Bytes(), []byte(bad.from)) {
			t.Fatalf("the report has no %s", bad.from)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(bytes.Replace(buf.Bytes(), []byte(bad.from), []byte(bad.to), 1)))
		if err != nil {
			t.Fatal(err)
		}
		if schemaFor(t, gitlab.Schema1521, gitlab.DependencyScanning).Validate(inst) == nil {
			t.Errorf("%s validates", bad.to)
		}
	}
}

// Suppressed findings are left out; an unknown schema version is an
// error naming the versions written.
func TestSuppressedAndVersion(t *testing.T) {
	r, o := reporttest.VulnerableApp(t)
	var buf bytes.Buffer
	if err := gitlab.Write(&buf, gitlab.SAST, r, o); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if f.Suppressed() && strings.Contains(buf.String(), f.Message) {
			t.Errorf("suppressed finding %q is in the report", f.Message)
		}
	}
	opts := *o
	opts.Params = map[string]string{gitlab.SchemaParam: "16.0.0"}
	err := gitlab.Write(&buf, gitlab.SAST, r, &opts)
	if !errors.Is(err, gitlab.ErrSchemaVersion) || !strings.Contains(err.Error(), "15.0.7 and 15.2.1") {
		t.Errorf("err = %v", err)
	}
}

// Two findings with one identity (a tool reporting one issue twice) still
// get distinct ids, as GitLab keys vulnerabilities by id.
func TestDuplicateIdentity(t *testing.T) {
	mk := func(line int) *finding.Finding {
		return &finding.Finding{Tool: finding.Tool{Name: "gosec"}, Rule: finding.Rule{ID: "G104"}, Message: "m",
			Category: finding.CategorySAST, Severity: finding.SeverityLow, ID: "v2:00000000000000000000000000000001",
			Location: finding.Location{Path: "a.go", Region: finding.Region{StartLine: line}}}
	}
	r := &aggregate.Report{Findings: []*finding.Finding{mk(1), mk(2)}}
	doc := validate(t, r, &report.Options{Started: reporttest.Started, Finished: reporttest.Started}, gitlab.Schema1521, gitlab.SAST)
	v := doc["vulnerabilities"].([]any)
	if len(v) != 2 || v[0].(map[string]any)["id"] == v[1].(map[string]any)["id"] {
		t.Errorf("vulnerabilities %v", v)
	}
}
