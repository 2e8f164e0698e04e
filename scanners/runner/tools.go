package runner

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
)

// Tools returns every external tool scanmux knows how to run, in a fixed
// order. Options a tool reads come from the request's options (set from
// .scanmux.yaml's scanners section), e.g. "db" for govulncheck.
func Tools() []Tool {
	sast := []finding.Category{finding.CategorySAST}
	iac := []finding.Category{finding.CategoryIaC}
	dast := []finding.Category{finding.CategoryDAST}
	dir, url, image := plugin.TargetDirectory, plugin.TargetURL, plugin.TargetImage
	return []Tool{
		{
			Name: "gosec", Binary: "gosec", Format: "gosec", Categories: sast, Target: dir, Quick: true,
			Install: "go install github.com/securego/gosec/v2/cmd/gosec@v2.30.0",
			OKExit:  []int{1},
			Args: func(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
				if err := goModule(t); err != nil {
					return nil, err
				}
				return []string{"-fmt=json", "-out=" + out, "-track-suppressions", "-quiet", "-no-fail", "./..."}, nil
			},
			VersionArgs: []string{"-version"},
		},
		{
			Name: "gitleaks", Binary: "gitleaks", Format: "gitleaks", Categories: []finding.Category{finding.CategorySecret}, Target: dir, Quick: true,
			Install: "go install github.com/zricethezav/gitleaks/v8@v8.30.1",
			Args: func(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
				return []string{"dir", "--no-banner", "--exit-code", "0", "--report-format", "json", "--report-path", out, t.Root}, nil
			},
			VersionArgs: []string{"version"},
		},
		{
			Name: "govulncheck", Binary: "govulncheck", Format: "govulncheck", Categories: []finding.Category{finding.CategoryDependency}, Target: dir,
			Install: "go install golang.org/x/vuln/cmd/govulncheck@v1.9.0",
			Report:  ToStdout, OKExit: []int{3},
			Args: func(t *plugin.Target, opts map[string]string, _ string) ([]string, error) {
				if err := goModule(t); err != nil {
					return nil, err
				}
				args := []string{"-json"}
				if db := opts["govulncheck.db"]; db != "" {
					args = append(args, "-db", db)
				}
				return append(args, "./..."), nil
			},
			VersionArgs: []string{"-version"},
		},
		{
			Name: "staticcheck", Binary: "staticcheck", Format: "sarif", Categories: sast, Target: dir, Quick: true,
			Install: "go install honnef.co/go/tools/cmd/staticcheck@v0.8.2",
			Report:  ToStdout, OKExit: []int{1},
			Args: func(t *plugin.Target, _ map[string]string, _ string) ([]string, error) {
				if err := goModule(t); err != nil {
					return nil, err
				}
				return []string{"-f", "sarif", "./..."}, nil
			},
			VersionArgs: []string{"-version"},
		},
		{
			Name: "kube-score", Binary: "kube-score", Format: "kube-score", Categories: iac, Target: dir, Quick: true,
			Install: "go install github.com/zegl/kube-score/cmd/kube-score@v1.20.0",
			Report:  ToStdout, OKExit: []int{1},
			Args: func(t *plugin.Target, _ map[string]string, _ string) ([]string, error) {
				manifests := kubernetesManifests(t)
				if len(manifests) == 0 {
					return nil, fmt.Errorf("%w: no Kubernetes manifests", ErrNotApplicable)
				}
				return append([]string{"score", "--output-format", "json"}, manifests...), nil
			},
			VersionArgs: []string{"version"},
		},
		{
			Name: "bandit", Binary: "bandit", Format: "bandit", Categories: sast, Target: dir, Quick: true,
			Install: "apt-get install bandit (or pip install bandit)",
			OKExit:  []int{1},
			Args: func(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
				if len(files(t, hasExt(".py"))) == 0 {
					return nil, fmt.Errorf("%w: no Python files", ErrNotApplicable)
				}
				return []string{"-q", "-r", ".", "-f", "json", "-o", out}, nil
			},
		},
		{
			Name: "shellcheck", Binary: "shellcheck", Format: "shellcheck", Categories: sast, Target: dir, Quick: true,
			Install: "apt-get install shellcheck",
			Report:  ToStdout, OKExit: []int{1},
			Args: func(t *plugin.Target, _ map[string]string, _ string) ([]string, error) {
				scripts := files(t, hasExt(".sh", ".bash"))
				if len(scripts) == 0 {
					return nil, fmt.Errorf("%w: no shell scripts", ErrNotApplicable)
				}
				return append([]string{"-f", "json1"}, scripts...), nil
			},
		},
		{
			Name: "flawfinder", Binary: "flawfinder", Format: "sarif", Categories: sast, Target: dir,
			Install: "apt-get install flawfinder",
			Report:  ToStdout,
			Args: func(t *plugin.Target, _ map[string]string, _ string) ([]string, error) {
				if len(files(t, hasExt(cExts...))) == 0 {
					return nil, fmt.Errorf("%w: no C or C++ files", ErrNotApplicable)
				}
				return []string{"--sarif", "--quiet", "."}, nil
			},
		},
		{
			Name: "cppcheck", Binary: "cppcheck", Format: "cppcheck", Categories: sast, Target: dir,
			Install: "apt-get install cppcheck",
			Report:  ToStderr,
			Args: func(t *plugin.Target, _ map[string]string, _ string) ([]string, error) {
				if len(files(t, hasExt(cExts...))) == 0 {
					return nil, fmt.Errorf("%w: no C or C++ files", ErrNotApplicable)
				}
				return []string{"--xml", "--xml-version=2", "--enable=warning,portability", "--quiet", "."}, nil
			},
		},
		{
			Name: "eslint", Binary: "eslint", Format: "eslint", Categories: sast, Target: dir,
			Install: "npm install -g eslint@9 eslint-plugin-security@3 (or into $SCANMUX_ESLINT_PREFIX)",
			OKExit:  []int{1},
			Args:    eslintArgs,
			Locate:  func() (string, error) { return lookPath("eslint") },
		},
		{
			Name: "semgrep", Binary: "semgrep", Format: "semgrep", Categories: sast, Target: dir,
			Install: "pip install semgrep (its default rules come from the Semgrep registry, which needs network)",
			OKExit:  []int{1},
			Args: func(t *plugin.Target, opts map[string]string, out string) ([]string, error) {
				config := opts["semgrep.config"]
				if config == "" {
					config = "auto"
				}
				return []string{"scan", "--json", "--metrics", "off", "--quiet", "--config", config, "-o", out, "."}, nil
			},
		},
		{
			Name: "checkov", Binary: "checkov", Format: "checkov", Categories: iac, Target: dir,
			Install: "pip install checkov",
			Report:  ToStdout, OKExit: []int{1},
			Args: func(t *plugin.Target, _ map[string]string, _ string) ([]string, error) {
				return []string{"-d", ".", "-o", "json", "--quiet", "--soft-fail", "--skip-download"}, nil
			},
		},
		{
			Name: "kics", Binary: "kics", Format: "kics", Categories: iac, Target: dir,
			Install: "see https://docs.kics.io/latest/getting-started/",
			OKExit:  []int{20, 30, 40, 50, 60}, ReportFile: "results.json",
			Args: func(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
				// kics writes OUTDIR/results.json.
				return []string{"scan", "-p", t.Root, "-o", filepath.Dir(out), "--report-formats", "json", "--no-progress", "--silent"}, nil
			},
		},
		{
			Name: "tfsec", Binary: "tfsec", Format: "tfsec", Categories: iac, Target: dir,
			Install: "go install github.com/aquasecurity/tfsec/cmd/tfsec@latest",
			Args: func(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
				if len(files(t, hasExt(".tf"))) == 0 {
					return nil, fmt.Errorf("%w: no Terraform files", ErrNotApplicable)
				}
				return []string{t.Root, "--format", "json", "--out", out, "--soft-fail", "--no-color"}, nil
			},
		},
		{
			Name: "trivy", Binary: "trivy", Format: "trivy", Categories: []finding.Category{finding.CategoryDependency, finding.CategoryIaC, finding.CategorySecret}, Target: dir,
			Install: "see https://trivy.dev/latest/getting-started/installation/ (needs its vulnerability database)",
			Args: func(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
				return []string{"fs", "--quiet", "--format", "json", "--output", out, "--scanners", "vuln,misconfig,secret", t.Root}, nil
			},
			VersionArgs: []string{"--version"},
		},
		{
			Name: "trivy", Binary: "trivy", Format: "trivy", Categories: []finding.Category{finding.CategoryContainer}, Target: image,
			Install: "see https://trivy.dev/latest/getting-started/installation/",
			Args: func(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
				return []string{"image", "--quiet", "--format", "json", "--output", out, t.Image}, nil
			},
		},
		{
			Name: "grype", Binary: "grype", Format: "grype", Categories: []finding.Category{finding.CategoryDependency}, Target: dir,
			Install: "see https://github.com/anchore/grype#installation (needs its vulnerability database)",
			Args: func(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
				return []string{"dir:" + t.Root, "-o", "json", "--file", out, "-q"}, nil
			},
		},
		{
			Name: "grype", Binary: "grype", Format: "grype", Categories: []finding.Category{finding.CategoryContainer}, Target: image,
			Install: "see https://github.com/anchore/grype#installation",
			Args: func(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
				return []string{t.Image, "-o", "json", "--file", out, "-q"}, nil
			},
		},
		{
			Name: "osv-scanner", Binary: "osv-scanner", Format: "osv-scanner", Categories: []finding.Category{finding.CategoryDependency}, Target: dir,
			Install: "go install github.com/google/osv-scanner/v2/cmd/osv-scanner@latest (needs GOTOOLCHAIN=go1.27.3)",
			OKExit:  []int{1, 128},
			Args: func(t *plugin.Target, opts map[string]string, out string) ([]string, error) {
				args := []string{"scan", "source", "--format", "json", "--output", out, "-r", t.Root}
				if opts["osv-scanner.offline"] == "true" {
					args = append(args, "--offline")
				}
				return args, nil
			},
		},
		{
			Name: "wapiti", Binary: "wapiti", Format: "wapiti", Categories: dast, Target: url,
			Install: "apt-get install wapiti",
			Args: func(t *plugin.Target, opts map[string]string, out string) ([]string, error) {
				modules := opts["wapiti.modules"]
				if modules == "" {
					// Only modules that stay on the target host: no ssrf,
					// no external DNS or attack callbacks.
					modules = "xss,http_headers,csp,cookieflags,sql,exec,file,crlf,redirect"
				}
				maxTime := opts["wapiti.max-scan-time"]
				if maxTime == "" {
					maxTime = "120"
				}
				return []string{"-u", t.URL, "--scope", "folder", "-m", modules, "--flush-session", "--no-bugreport",
					"-v", "0", "--max-scan-time", maxTime, "--max-attack-time", "30", "-f", "json", "-o", out}, nil
			},
		},
		{
			Name: "nikto", Binary: "nikto", Format: "nikto-xml", Categories: dast, Target: url,
			Install: "apt-get install nikto (Debian non-free)",
			OKExit:  []int{1},
			Args: func(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
				return []string{"-h", t.URL, "-Format", "xml", "-o", out, "-ask", "no", "-nointeractive", "-maxtime", "300s"}, nil
			},
		},
		{
			Name: "nuclei", Binary: "nuclei", Format: "nuclei", Categories: dast, Target: url,
			Install: "go install github.com/projectdiscovery/nuclei/v3/cmd/nuclei@latest (needs its templates)",
			Args: func(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
				return []string{"-u", t.URL, "-jsonl", "-o", out, "-silent", "-disable-update-check"}, nil
			},
		},
	}
}

var cExts = []string{".c", ".h", ".cc", ".cpp", ".cxx", ".hpp"}

// kubernetesManifests returns the YAML files that hold Kubernetes objects.
func kubernetesManifests(t *plugin.Target) []string {
	var out []string
	for _, f := range files(t, hasExt(".yaml", ".yml")) {
		b, err := os.ReadFile(filepath.Join(t.Root, f))
		if err != nil {
			continue
		}
		if bytes.Contains(b, []byte("apiVersion:")) && bytes.Contains(b, []byte("kind:")) {
			out = append(out, f)
		}
	}
	return out
}

// eslintArgs runs eslint with eslint-plugin-security's recommended rules,
// from a config written next to the report, resolving the plugin from the
// eslint installation itself.
func eslintArgs(t *plugin.Target, _ map[string]string, out string) ([]string, error) {
	if len(files(t, hasExt(".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx"))) == 0 {
		return nil, fmt.Errorf("%w: no JavaScript or TypeScript files", ErrNotApplicable)
	}
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
	config := filepath.Join(filepath.Dir(out), "eslint.config.mjs")
	js := fmt.Sprintf("import security from %q;\nexport default [{ files: [\"**/*.{js,mjs,cjs,jsx,ts,tsx}\"] }, security.configs.recommended];\n",
		"file://"+filepath.ToSlash(plug))
	if err := os.WriteFile(config, []byte(js), 0o600); err != nil {
		return nil, err
	}
	return []string{"--config", config, "--no-warn-ignored", "-f", "json", "-o", out, "."}, nil
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
