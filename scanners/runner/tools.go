package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/project"
	"github.com/scanmux/scanmux/scanners/eslint"
	"github.com/scanmux/scanmux/scanners/grype"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
	"github.com/scanmux/scanmux/scanners/osvscanner"
	"github.com/scanmux/scanmux/scanners/trivy"
)

// Tools returns every external tool scanmux knows how to run, in a fixed
// order. Options a tool reads come from the request's options (set from
// .scanmux.yaml's scanners section), e.g. "govulncheck.db"; each tool's
// Settings list them with their defaults.
func Tools() []Tool {
	sast := []finding.Category{finding.CategorySAST}
	iac := []finding.Category{finding.CategoryIaC}
	dast := []finding.Category{finding.CategoryDAST}
	dir, url, image := plugin.TargetDirectory, plugin.TargetURL, plugin.TargetImage
	return []Tool{
		{
			Name: "gosec", Binary: "gosec", Format: "gosec", Categories: sast, Target: dir, Quick: true,
			Install: "go install github.com/securego/gosec/v2/cmd/gosec@v2.30.0",
			Scope:   ScopeGoModule, Languages: []string{"Go"},
			Args: func(u *Unit, opts map[string]string, out string) ([]string, error) {
				args := []string{"-fmt=json", "-out=" + out, "-track-suppressions", "-exclude-generated", "-no-fail"}
				if option(opts, "gosec.tests", "false") == "true" {
					args = append(args, "-tests")
				}
				// Package directories, not ./...: gosec's walk would
				// cross into nested modules.
				return append(args, u.Files...), nil
			},
			Check: gosecCheck,
			Settings: []Setting{
				{"gosec.tests", "false", "test files do not ship; gosec's own default, and the built-in's"},
				{"gosec.engine", "auto", "built-in or installed; auto: the installed binary when its version is at least the built-in's"},
			},
			VersionArgs: []string{"-version"},
		},
		{
			Name: "gitleaks", Binary: "gitleaks", Format: "gitleaks", Categories: []finding.Category{finding.CategorySecret}, Target: dir, Quick: true,
			Install: "go install github.com/zricethezav/gitleaks/v8@v8.30.1",
			Args: func(u *Unit, _ map[string]string, out string) ([]string, error) {
				return []string{"dir", "--no-banner", "--exit-code", "0", "--report-format", "json", "--report-path", out, u.Abs()}, nil
			},
			Settings: []Setting{
				{"gitleaks.engine", "auto", "built-in or installed, as for gosec; both scan the files (not the git history) with the default rules"},
			},
			VersionArgs: []string{"version"},
		},
		{
			Name: "govulncheck", Binary: "govulncheck", Format: "govulncheck", Categories: []finding.Category{finding.CategoryDependency}, Target: dir,
			Install: "go install golang.org/x/vuln/cmd/govulncheck@v1.9.0",
			Report:  ToStdout, OKExit: []int{3},
			Scope: ScopeGoModule, Languages: []string{"Go"},
			Args: func(u *Unit, opts map[string]string, _ string) ([]string, error) {
				args := []string{"-json", "-scan", option(opts, "govulncheck.scan", "symbol")}
				if db := opts["govulncheck.db"]; db != "" {
					args = append(args, "-db", db)
				}
				if option(opts, "govulncheck.test", "false") == "true" {
					args = append(args, "-test")
				}
				return append(args, u.Patterns()...), nil
			},
			Settings: []Setting{
				{"govulncheck.db", "https://vuln.go.dev", "the Go vulnerability database; file:///DIR for a mirror or offline"},
				{"govulncheck.scan", "symbol", "reports whether the vulnerable code is called, not only required"},
				{"govulncheck.test", "false", "vulnerabilities reachable from tests only do not ship"},
			},
			VersionArgs: []string{"-version"},
		},
		{
			Name: "staticcheck", Binary: "staticcheck", Format: "sarif", Categories: sast, Target: dir, Quick: true,
			Install: "go install honnef.co/go/tools/cmd/staticcheck@v0.8.2",
			Report:  ToStdout, OKExit: []int{1},
			Scope: ScopeGoModule, Languages: []string{"Go"},
			Args: func(u *Unit, opts map[string]string, _ string) ([]string, error) {
				args := []string{"-f", "sarif"}
				if c := opts["staticcheck.checks"]; c != "" {
					args = append(args, "-checks", c)
				}
				return append(args, u.Patterns()...), nil
			},
			Check: staticcheckCheck,
			Drop:  func(f *finding.Finding) bool { return f.Rule.ID == "compile" },
			Settings: []Setting{
				{"staticcheck.checks", "(staticcheck's default set and staticcheck.conf)", "its bug checks (SA) find misuse such as SA1006's dynamic format strings"},
			},
			VersionArgs: []string{"-version"},
		},
		{
			Name: "kube-score", Binary: "kube-score", Format: "kube-score", Categories: iac, Target: dir, Quick: true,
			Install: "go install github.com/zegl/kube-score/cmd/kube-score@v1.20.0",
			Report:  ToStdout, OKExit: []int{1},
			Scope: ScopeFiles, Kind: project.Kubernetes, What: "Kubernetes manifests",
			Select: func(inv *project.Inventory) []string {
				var out []string
				for _, p := range inv.Of(project.Kubernetes) {
					out = append(out, p.Files...)
				}
				return out
			},
			Args: func(u *Unit, opts map[string]string, _ string) ([]string, error) {
				args := []string{"score", "--output-format", "json"}
				for _, t := range splitList(opts["kube-score.enable-optional-test"]) {
					args = append(args, "--enable-optional-test", t)
				}
				return append(args, u.Files...), nil
			},
			Settings: []Setting{
				{"kube-score.enable-optional-test", "(none)", "comma-separated optional tests to add to kube-score's default ones"},
			},
			VersionArgs: []string{"version"},
		},
		{
			Name: "bandit", Binary: "bandit", Format: "bandit", Categories: sast, Target: dir, Quick: true,
			Install: "apt-get install bandit (or pip install bandit)",
			OKExit:  []int{1},
			Scope:   ScopeFiles, Kind: project.Python, What: "Python files", Languages: []string{"Python"},
			Select: func(inv *project.Inventory) []string { return inv.FilesWith(".py") },
			Args: func(u *Unit, opts map[string]string, out string) ([]string, error) {
				sev, err := level(opts, "bandit.severity", "-l")
				if err != nil {
					return nil, err
				}
				conf, err := level(opts, "bandit.confidence", "-i")
				if err != nil {
					return nil, err
				}
				return append([]string{"-q", "-f", "json", "-o", out, sev, conf}, u.Files...), nil
			},
			Check: banditCheck,
			Settings: []Setting{
				{"bandit.severity", "low", "every severity: the gate (--fail-on) decides what fails"},
				{"bandit.confidence", "low", "every confidence: low-confidence issues are few and are reviewed, not dropped"},
			},
		},
		{
			Name: "shellcheck", Binary: "shellcheck", Format: "shellcheck", Categories: sast, Target: dir, Quick: true,
			Install: "apt-get install shellcheck",
			Report:  ToStdout, OKExit: []int{1},
			Scope: ScopeFiles, What: "shell scripts", Languages: []string{"Shell"},
			Select: func(inv *project.Inventory) []string { return inv.FilesWith(".sh", ".bash") },
			Args: func(u *Unit, opts map[string]string, _ string) ([]string, error) {
				return append([]string{"-f", "json1", "-S", option(opts, "shellcheck.severity", "style")}, u.Files...), nil
			},
			Check: shellcheckCheck,
			Settings: []Setting{
				{"shellcheck.severity", "style", "every severity: quoting issues (SC2086, injection) are warnings, but some are info"},
			},
		},
		{
			Name: "flawfinder", Binary: "flawfinder", Format: "sarif", Categories: sast, Target: dir,
			Install: "apt-get install flawfinder",
			Report:  ToStdout,
			Scope:   ScopeFiles, What: "C or C++ files", Languages: []string{"C/C++"},
			Select: func(inv *project.Inventory) []string { return inv.FilesWith(cExts...) },
			Args: func(u *Unit, opts map[string]string, _ string) ([]string, error) {
				return append([]string{"--sarif", "--quiet", "--minlevel=" + option(opts, "flawfinder.minlevel", "1")}, u.Files...), nil
			},
			Settings: []Setting{
				{"flawfinder.minlevel", "1", "flawfinder's default: level 0 is only informational"},
			},
		},
		{
			Name: "cppcheck", Binary: "cppcheck", Format: "cppcheck", Categories: sast, Target: dir,
			Install: "apt-get install cppcheck",
			Report:  ToStderr,
			Scope:   ScopeFiles, What: "C or C++ files", Languages: []string{"C/C++"},
			Select: func(inv *project.Inventory) []string { return inv.FilesWith(cExts...) },
			Args: func(u *Unit, opts map[string]string, _ string) ([]string, error) {
				return append([]string{"--xml", "--xml-version=2", "--enable=" + option(opts, "cppcheck.enable", "warning,style,performance,portability"),
					"--inline-suppr", "--quiet"}, u.Files...), nil
			},
			Check: cppcheckCheck,
			Drop:  func(f *finding.Finding) bool { return cppcheckInputErrors[f.Rule.ID] },
			Settings: []Setting{
				{"cppcheck.enable", "warning,style,performance,portability", "cppcheck alone reports only errors; these add the checks that find unsafe code (5 findings instead of 2 on the issue's file), without unusedFunction's noise"},
			},
		},
		{
			Name: "eslint", Binary: "eslint", Format: "eslint", Categories: sast, Target: dir,
			Install: "npm install -g eslint@9 eslint-plugin-security@3 (or into $SCANMUX_ESLINT_PREFIX)",
			OKExit:  []int{1},
			Scope:   ScopeFiles, Kind: project.NPM, What: "JavaScript files", Languages: []string{"JavaScript"},
			Select: func(inv *project.Inventory) []string { return inv.FilesWith(".js", ".mjs", ".cjs", ".jsx") },
			Args:   eslintArgs,
			Check:  eslintCheck,
			Drop:   func(f *finding.Finding) bool { return f.Rule.ID == eslint.ParseErrorRule },
			Locate: func() (string, error) { return lookPath("eslint") },
			Settings: []Setting{
				{"eslint.config", "(eslint-plugin-security's recommended rules)", "a flat config file to use instead; TypeScript needs one with a TypeScript parser, so .ts files are listed as not covered"},
			},
		},
		{
			Name: "semgrep", Binary: "semgrep", Format: "semgrep", Categories: sast, Target: dir,
			Install:   "pip install semgrep (its default rules come from the Semgrep registry, which needs network)",
			OKExit:    []int{1},
			Languages: []string{"Go", "Python", "JavaScript", "TypeScript", "Java", "Kotlin", "Scala", "C#", "Ruby", "PHP", "Rust", "Swift", "Terraform", "Dockerfile"},
			Args: func(u *Unit, opts map[string]string, out string) ([]string, error) {
				return []string{"scan", "--json", "--metrics", "off", "--quiet", "--config", option(opts, "semgrep.config", "auto"), "-o", out, "."}, nil
			},
			Settings: []Setting{
				{"semgrep.config", "auto", "the registry's rules for the languages found (needs network); a local rules directory for offline scans"},
			},
		},
		{
			Name: "checkov", Binary: "checkov", Format: "checkov", Categories: iac, Target: dir,
			Install: "pip install checkov",
			Report:  ToStdout, OKExit: []int{1},
			Select: iacFiles, What: "IaC files", Languages: []string{"Terraform", "Dockerfile"},
			Args: func(u *Unit, _ map[string]string, _ string) ([]string, error) {
				return []string{"-d", ".", "-o", "json", "--quiet", "--soft-fail", "--skip-download"}, nil
			},
		},
		{
			Name: "kics", Binary: "kics", Format: "kics", Categories: iac, Target: dir,
			Install: "see https://docs.kics.io/latest/getting-started/",
			OKExit:  []int{20, 30, 40, 50, 60}, ReportFile: "results.json",
			Select: iacFiles, What: "IaC files", Languages: []string{"Terraform", "Dockerfile"},
			Args: func(u *Unit, _ map[string]string, out string) ([]string, error) {
				// kics writes OUTDIR/results.json.
				return []string{"scan", "-p", u.Abs(), "-o", filepath.Dir(out), "--report-formats", "json", "--no-progress", "--silent"}, nil
			},
		},
		{
			Name: "tfsec", Binary: "tfsec", Format: "tfsec", Categories: iac, Target: dir,
			Install: "go install github.com/aquasecurity/tfsec/cmd/tfsec@v1.26.0",
			Select:  func(inv *project.Inventory) []string { return inv.FilesWith(".tf") }, What: "Terraform files", Languages: []string{"Terraform"},
			Args: func(u *Unit, _ map[string]string, out string) ([]string, error) {
				return []string{u.Abs(), "--format", "json", "--out", out, "--soft-fail", "--no-color"}, nil
			},
			VersionArgs: []string{"--version"},
		},
		{
			Name: "trivy", Binary: "trivy", Format: "trivy", Categories: []finding.Category{finding.CategoryDependency, finding.CategoryIaC, finding.CategorySecret}, Target: dir,
			Install:   "see https://trivy.dev/latest/getting-started/installation/ (needs its vulnerability database)",
			Languages: []string{"Terraform", "Dockerfile"},
			Args: func(u *Unit, opts map[string]string, out string) ([]string, error) {
				return trivy.FSArgs(u.Abs(), opts, out)
			},
			Failed:      func(r *Run) error { return trivy.Failed(r.Stderr) },
			Settings:    dbSettings(trivy.DB),
			VersionArgs: []string{"--version"},
		},
		{
			Name: "trivy", Binary: "trivy", Format: "trivy", Categories: []finding.Category{finding.CategoryContainer}, Target: image,
			Install: "see https://trivy.dev/latest/getting-started/installation/ (needs its vulnerability database)",
			Args: func(u *Unit, opts map[string]string, out string) ([]string, error) {
				return trivy.ImageArgs(u.Target.Image, opts, out)
			},
			Failed: func(r *Run) error { return trivy.Failed(r.Stderr) },
		},
		{
			Name: "grype", Binary: "grype", Format: "grype", Categories: []finding.Category{finding.CategoryDependency}, Target: dir,
			Install: "go install github.com/anchore/grype/cmd/grype@v0.121.3 (needs its vulnerability database)",
			Args: func(u *Unit, opts map[string]string, out string) ([]string, error) {
				return grype.DirArgs(u.Abs(), opts, out)
			},
			Failed:   func(r *Run) error { return grype.Failed(r.Stderr) },
			Settings: dbSettings(grype.DB),
		},
		{
			Name: "grype", Binary: "grype", Format: "grype", Categories: []finding.Category{finding.CategoryContainer}, Target: image,
			Install: "go install github.com/anchore/grype/cmd/grype@v0.121.3 (needs its vulnerability database)",
			Args: func(u *Unit, opts map[string]string, out string) ([]string, error) {
				return grype.ImageArgs(u.Target.Image, opts, out)
			},
			Failed: func(r *Run) error { return grype.Failed(r.Stderr) },
		},
		{
			Name: "osv-scanner", Binary: "osv-scanner", Format: "osv-scanner", Categories: []finding.Category{finding.CategoryDependency}, Target: dir,
			Install: osvInstall,
			OKExit:  []int{1, 128},
			Args: func(u *Unit, opts map[string]string, out string) ([]string, error) {
				return osvscanner.SourceArgs(u.Abs(), opts, out)
			},
			Failed:   func(r *Run) error { return osvscanner.Failed(r.Stderr) },
			Settings: dbSettings(osvscanner.DB),
		},
		{
			Name: "osv-scanner", Binary: "osv-scanner", Format: "osv-scanner", Categories: []finding.Category{finding.CategoryContainer}, Target: image,
			Install: osvInstall,
			OKExit:  []int{1, 128},
			Args: func(u *Unit, opts map[string]string, out string) ([]string, error) {
				return osvscanner.ImageArgs(u.Target.Image, opts, out)
			},
			Failed: func(r *Run) error { return osvscanner.Failed(r.Stderr) },
		},
		{
			Name: "wapiti", Binary: "wapiti", Format: "wapiti", Categories: dast, Target: url,
			Install: "apt-get install wapiti",
			Args: func(u *Unit, opts map[string]string, out string) ([]string, error) {
				// Only modules that stay on the target host: no ssrf,
				// no external DNS or attack callbacks.
				modules := option(opts, "wapiti.modules", "xss,http_headers,csp,cookieflags,sql,exec,file,crlf,redirect")
				maxTime := option(opts, "wapiti.max-scan-time", "120")
				return []string{"-u", u.Target.URL, "--scope", "folder", "-m", modules, "--flush-session", "--no-bugreport",
					"-v", "0", "--max-scan-time", maxTime, "--max-attack-time", "30", "-f", "json", "-o", out}, nil
			},
			Check: wapitiCheck,
			Settings: []Setting{
				{"wapiti.modules", "xss,http_headers,csp,cookieflags,sql,exec,file,crlf,redirect", "only modules that stay on the target host (no ssrf, no external callbacks)"},
				{"wapiti.max-scan-time", "120", "seconds; a CI scan must end"},
			},
		},
		{
			Name: "nikto", Binary: "nikto", Format: "nikto-xml", Categories: dast, Target: url,
			Install: "apt-get install nikto (Debian non-free)",
			OKExit:  []int{1},
			Args: func(u *Unit, _ map[string]string, out string) ([]string, error) {
				return []string{"-h", u.Target.URL, "-Format", "xml", "-o", out, "-ask", "no", "-nointeractive", "-maxtime", "300s"}, nil
			},
		},
		{
			Name: "nuclei", Binary: "nuclei", Format: "nuclei", Categories: dast, Target: url,
			Install: "go install github.com/projectdiscovery/nuclei/v3/cmd/nuclei@latest (needs its templates)",
			Args: func(u *Unit, _ map[string]string, out string) ([]string, error) {
				return []string{"-u", u.Target.URL, "-jsonl", "-o", out, "-silent", "-disable-update-check"}, nil
			},
		},
	}
}

var cExts = []string{".c", ".h", ".cc", ".cpp", ".cxx", ".hpp"}

const osvInstall = "GOTOOLCHAIN=go1.27.3 go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.6.0 (needs its vulnerability database)"

// dbSettings are the settings of a vulnerability scanner's local
// database (see adapt.LocalDB).
func dbSettings(db adapt.LocalDB) []Setting {
	where := "$" + db.Env + " or the user cache directory, when one holds a database"
	return []Setting{
		{db.DBOption(), "(" + where + ")", "a local database (" + db.Layout + ") makes the scan offline"},
		{db.OfflineOption(), "auto", "auto: the local database when one is found, else the tool downloads its own; true: fail without one; false: always the network"},
	}
}

// eslintArgs runs eslint with eslint-plugin-security's recommended rules,
// from a config written next to the report, resolving the plugin from the
// eslint installation itself.
func eslintArgs(u *Unit, opts map[string]string, out string) ([]string, error) {
	config := opts["eslint.config"]
	if config == "" {
		bin, err := realBinary("eslint")
		if err != nil {
			return nil, err
		}
		// .../node_modules/eslint/bin/eslint.js -> .../node_modules
		modules := filepath.Dir(filepath.Dir(filepath.Dir(bin)))
		plug := filepath.Join(modules, "eslint-plugin-security", "index.js")
		if _, err := os.Stat(plug); err != nil {
			return nil, fmt.Errorf("eslint-plugin-security is not installed next to eslint (%s): npm install eslint-plugin-security@3 in the same prefix", modules)
		}
		config = filepath.Join(filepath.Dir(out), "eslint.config.mjs")
		js := fmt.Sprintf("import security from %q;\nexport default [{ files: [\"**/*.{js,mjs,cjs,jsx}\"], languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } } }, security.configs.recommended];\n",
			"file://"+filepath.ToSlash(plug))
		if err := os.WriteFile(config, []byte(js), 0o600); err != nil {
			return nil, err
		}
	}
	return append([]string{"--config", config, "--no-warn-ignored", "-f", "json", "-o", out}, u.Files...), nil
}

func realBinary(name string) (string, error) {
	p, err := lookPath(name)
	if err != nil {
		return "", err
	}
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return r, nil
}

// lookPath finds name on PATH or in $SCANMUX_ESLINT_PREFIX/node_modules/.bin.
func lookPath(name string) (string, error) {
	if prefix := os.Getenv("SCANMUX_ESLINT_PREFIX"); prefix != "" && name == "eslint" {
		p := filepath.Join(prefix, "node_modules", ".bin", name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return exec.LookPath(name)
}

// iacFiles selects the files of Terraform, Kubernetes, Helm and Docker
// projects.
func iacFiles(inv *project.Inventory) []string {
	var out []string
	for _, p := range inv.Projects {
		switch p.Kind {
		case project.Terraform, project.Kubernetes, project.Docker:
			out = append(out, p.Files...)
		case project.Helm:
			out = append(out, p.Manifest)
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// level turns a level option (low, medium, high) into bandit's repeated
// flag: -l, -ll, -lll (or -i, -ii, -iii).
func level(opts map[string]string, key, flag string) (string, error) {
	switch v := option(opts, key, "low"); v {
	case "low":
		return flag, nil
	case "medium":
		return flag + flag[1:], nil
	case "high":
		return flag + flag[1:] + flag[1:], nil
	default:
		return "", fmt.Errorf("%s: %q: want low, medium or high", key, v)
	}
}

// inputErrors joins the first few of a tool's messages about input it
// could not load, saying how many there were.
func inputErrors(what string, msgs []string) error {
	if len(msgs) == 0 {
		return nil
	}
	for i, m := range msgs {
		msgs[i] = strings.Join(strings.Fields(m), " ")
	}
	sort.Strings(msgs)
	shown := msgs
	if len(shown) > 3 {
		shown = shown[:3]
	}
	more := ""
	if len(msgs) > len(shown) {
		more = fmt.Sprintf(" (and %d more)", len(msgs)-len(shown))
	}
	return fmt.Errorf("%s: %s%s", what, strings.Join(shown, "; "), more)
}

// rel makes a path a tool wrote (absolute, or relative to the unit's
// directory) relative to the root, for messages.
func rel(u *Unit, p string) string {
	if r, err := finding.NormalizePath(u.Abs(), p); err == nil {
		return path.Join(u.Dir, r)
	}
	return p
}

// gosecCheck fails a run whose report lists "Golang errors": packages
// gosec could not load or type-check, whose files it did not analyze.
func gosecCheck(r *Run) error {
	var rep struct {
		Errors map[string][]struct {
			Line  int    `json:"line"`
			Error string `json:"error"`
		} `json:"Golang errors"`
	}
	if err := json.Unmarshal(r.Report, &rep); err != nil {
		return nil // the adapter reports a malformed report
	}
	var msgs []string
	for file, errs := range rep.Errors {
		for _, e := range errs {
			msgs = append(msgs, fmt.Sprintf("%s:%d: %s", rel(r.Unit, file), e.Line, e.Error))
		}
	}
	return inputErrors("gosec could not load packages", msgs)
}

// staticcheckCheck fails a run whose SARIF has "compile" results: the
// packages staticcheck could not load.
func staticcheckCheck(r *Run) error {
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(r.Report, &log); err != nil {
		return nil
	}
	var msgs []string
	for _, run := range log.Runs {
		for _, res := range run.Results {
			if res.RuleID == "compile" {
				msgs = append(msgs, res.Message.Text)
			}
		}
	}
	return inputErrors("staticcheck could not load packages", msgs)
}

// banditCheck fails a run whose report lists errors: files bandit could
// not parse.
func banditCheck(r *Run) error {
	var rep struct {
		Errors []struct {
			Filename string `json:"filename"`
			Reason   string `json:"reason"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(r.Report, &rep); err != nil {
		return nil
	}
	var msgs []string
	for _, e := range rep.Errors {
		msgs = append(msgs, rel(r.Unit, e.Filename)+": "+e.Reason)
	}
	return inputErrors("bandit could not read files", msgs)
}

// eslintCheck fails a run with fatal messages: files eslint could not
// parse.
func eslintCheck(r *Run) error {
	var rep []struct {
		FilePath string `json:"filePath"`
		Messages []struct {
			Fatal   bool   `json:"fatal"`
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(r.Report, &rep); err != nil {
		return nil
	}
	var msgs []string
	for _, f := range rep {
		for _, m := range f.Messages {
			if m.Fatal {
				msgs = append(msgs, fmt.Sprintf("%s:%d: %s", rel(r.Unit, f.FilePath), m.Line, m.Message))
			}
		}
	}
	return inputErrors("eslint could not parse files", msgs)
}

// shellcheckCheck fails a run with parse errors: scripts shellcheck could
// not parse, and so did not check past the error.
func shellcheckCheck(r *Run) error {
	var rep struct {
		Comments []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Code    int    `json:"code"`
			Level   string `json:"level"`
			Message string `json:"message"`
		} `json:"comments"`
	}
	if err := json.Unmarshal(r.Report, &rep); err != nil {
		return nil
	}
	var msgs []string
	for _, c := range rep.Comments {
		if c.Level == "error" && (strings.Contains(c.Message, "Fix to allow more checks") || strings.Contains(c.Message, "Fix any mentioned problems")) {
			msgs = append(msgs, fmt.Sprintf("%s:%d: SC%d %s", rel(r.Unit, c.File), c.Line, c.Code, c.Message))
		}
	}
	return inputErrors("shellcheck could not parse scripts", msgs)
}

// cppcheckInputErrors are the cppcheck error ids that mean it could not
// analyze a file (or part of it), not findings.
var cppcheckInputErrors = map[string]bool{
	"syntaxError": true, "internalAstError": true, "cppcheckError": true, "internalError": true, "unknownMacro": true,
	"preprocessorErrorDirective": true,
}

var cppcheckError = regexp.MustCompile(`<error id="([^"]+)"[^>]*\bmsg="([^"]*)"[^>]*>\s*(?:<location file="([^"]*)" line="(\d+)")?`)

// cppcheckCheck fails a run whose report has errors that mean cppcheck
// could not analyze a file (syntaxError, internalAstError...).
func cppcheckCheck(r *Run) error {
	var msgs []string
	for _, m := range cppcheckError.FindAllStringSubmatch(string(r.Report), -1) {
		if !cppcheckInputErrors[m[1]] {
			continue
		}
		where := ""
		if m[3] != "" {
			where = rel(r.Unit, m[3]) + ":" + m[4] + ": "
		}
		msgs = append(msgs, where+m[1]+" "+htmlUnescape(m[2]))
	}
	return inputErrors("cppcheck could not analyze files", msgs)
}

var htmlUnescape = strings.NewReplacer("&quot;", `"`, "&apos;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace

var wapitiUnreachable = regexp.MustCompile(`\[!\] (Connection error with URL \S+|.*(?:timed out|Timeout).*)`)

// wapitiCheck fails a scan that could not reach its URL: wapiti then
// exits 0 with an empty report, which would read as a clean pass.
func wapitiCheck(r *Run) error {
	out := ansi.ReplaceAllString(r.Stdout+"\n"+r.Stderr, "")
	if m := wapitiUnreachable.FindString(out); m != "" {
		return fmt.Errorf("wapiti could not scan %s: %s", r.Unit.Target.URL, strings.TrimPrefix(m, "[!] "))
	}
	if strings.Contains(out, "found 0 URLs and forms") {
		return fmt.Errorf("wapiti found no URL or form at %s", r.Unit.Target.URL)
	}
	return nil
}
