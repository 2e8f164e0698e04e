package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// config is .scanmux.yaml. Every field is optional; flags override it.
//
//	category: backend            # SARIF automationDetails.id (GitHub category)
//	fail-on: high                # fail the pipeline on findings this severe or worse
//	fail-on-new-only: true       # ... counting only findings new since the baseline
//	fail-on-scanner-error: true  # exit 3 when a scanner fails
//	baseline: last-scan.sarif
//	timeout: 10m                 # per scanner
//	scanners:
//	  enable: [gosec, gitleaks, scanmux-iac, govulncheck]   # only these (default: built-ins + installed tools)
//	  disable: [staticcheck]
//	  options:
//	    govulncheck.db: file:///srv/vulndb
//	plugins:                       # only from a trusted config (see scanConfig)
//	  - path: tools/scanmux-plugin-bannedcalls
//	    sha256: 3f9a...            # required: the binary is refused if it differs
//	    env: [BANNEDCALLS_TOKEN]   # host variables this plugin also gets
//	imports:
//	  - path: reports/zap.json
//	    format: zap-json           # optional: detected when absent
//	policies: [policies/]
//	policy-context: {environment: production, branch: main}
//	ignore:                        # see package aggregate/suppress
//	  - rule: G104
//	    reason: errors are checked by the wrapper
type config struct {
	Category           string         `yaml:"category"`
	FailOn             string         `yaml:"fail-on"`
	FailOnNewOnly      bool           `yaml:"fail-on-new-only"`
	FailOnScannerError bool           `yaml:"fail-on-scanner-error"`
	Baseline           string         `yaml:"baseline"`
	Timeout            string         `yaml:"timeout"`
	Scanners           scannersConfig `yaml:"scanners"`
	Plugins            []pluginConfig `yaml:"plugins"`
	Imports            []importConfig `yaml:"imports"`
	Policies           []string       `yaml:"policies"`
	PolicyContext      map[string]any `yaml:"policy-context"`
	Ignore             yaml.Node      `yaml:"ignore"` // parsed by aggregate/suppress from raw

	path string // the file read, "" when there is none
	raw  []byte // its bytes

	// refused are the plugins of a repository's config that is not
	// trusted: they do not run.
	refused []pluginConfig
	// warnings say what of an untrusted config was left out.
	warnings []string
}

type scannersConfig struct {
	Enable  []string          `yaml:"enable"`
	Disable []string          `yaml:"disable"`
	Options map[string]string `yaml:"options"`
}

type pluginConfig struct {
	Path    string            `yaml:"path"`
	SHA256  string            `yaml:"sha256"`
	Options map[string]string `yaml:"options"`
	Env     []string          `yaml:"env"` // host environment variables it gets (NAME, or NAME* for a prefix)

	from string // the config that names it
}

type importConfig struct {
	Path   string `yaml:"path"`
	Format string `yaml:"format"`
}

// loadConfig reads the config at path. When path is the default (the
// target's .scanmux.yaml) and the file does not exist, it returns an empty
// config. Paths in the file are relative to the file's directory.
func loadConfig(path string, explicit bool) (*config, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return &config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var c config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.path, c.raw = path, b
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	for i := range c.Plugins {
		if c.Plugins[i].Path == "" {
			return nil, fmt.Errorf("config %s: plugins[%d]: path is empty", path, i)
		}
		if c.Plugins[i].SHA256 == "" {
			return nil, fmt.Errorf("config %s: plugins[%d] (%s): sha256 is required to pin the binary (scanmux plugins prints it)", path, i, c.Plugins[i].Path)
		}
		c.Plugins[i].Path = rel(c.Plugins[i].Path)
		c.Plugins[i].from = path
	}
	for i := range c.Imports {
		if c.Imports[i].Path == "" {
			return nil, fmt.Errorf("config %s: imports[%d]: path is empty", path, i)
		}
		c.Imports[i].Path = rel(c.Imports[i].Path)
	}
	for i, p := range c.Policies {
		c.Policies[i] = rel(p)
	}
	c.Baseline = rel(c.Baseline)
	if c.Timeout != "" {
		if _, err := time.ParseDuration(c.Timeout); err != nil {
			return nil, fmt.Errorf("config %s: timeout: %w", path, err)
		}
	}
	return &c, nil
}

// The trust model. A scan reads settings from three places:
//
//   - the user's config, ~/.scanmux/config.yaml, read on every scan; only
//     its plugins and policies sections are read, and they are added to
//     the scan's;
//   - a config named by --config, trusted whatever its place;
//   - otherwise the target's .scanmux.yaml: the scanned repository's own,
//     which whoever can push to it writes. It is trusted only with
//     --trust-repo-config.
//
// A repository's config that is not trusted configures its own scan
// (scanners, options, ignore entries, policies, gate) but cannot make
// scanmux run code: its plugins are refused (a pin that lives in the tree
// it pins protects nothing), its options that name code for a tool to run
// are left out, its pins do not authorize plugins found on the plugin
// path, and the files it names (imports, policies, baseline) must lie
// inside the repository, so that it cannot have scanmux read, and quote in
// errors, files such as ~/.ssh/id_rsa or /proc/self/environ. Policies are
// Rego evaluated in a sandbox: no network, no clock, bounded time and
// memory (package aggregate/policy).

// userConfigPath returns ~/.scanmux/config.yaml, or "" without a home.
func userConfigPath() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".scanmux", "config.yaml")
}

// codeOptions are the scanner options whose value names code that a tool
// runs; an untrusted config cannot set them.
var codeOptions = map[string]string{
	"eslint.config": "eslint runs the JavaScript config it names",
}

// scanConfig returns the config of a scan of root: the file named by
// --config (explicit), else root's .scanmux.yaml, trusted only when
// trustRepo is set, with the plugins and policies of the user's config
// added. See the trust model above.
func scanConfig(root, explicit string, trustRepo bool) (*config, error) {
	path := explicit
	if path == "" {
		path = defaultConfigPath(root)
	}
	c, err := loadConfig(path, explicit != "")
	if err != nil {
		return nil, err
	}
	if explicit == "" && !trustRepo && c.path != "" {
		if err := c.distrust(root); err != nil {
			return nil, err
		}
	}
	user, err := loadUserConfig(userConfigPath())
	if err != nil {
		return nil, err
	}
	c.Plugins = append(user.Plugins, c.Plugins...)
	c.Policies = append(user.Policies, c.Policies...)
	return c, nil
}

// loadUserConfig reads the user's config at path, if there is one; it may
// hold only plugins and policies.
func loadUserConfig(path string) (*config, error) {
	if path == "" {
		return &config{}, nil
	}
	c, err := loadConfig(path, false)
	if err != nil {
		return nil, err
	}
	var keys map[string]any
	if err := yaml.Unmarshal(c.raw, &keys); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	for k := range keys {
		if k != "plugins" && k != "policies" {
			return nil, fmt.Errorf("config %s: %s: the user's config holds only plugins and policies (the rest belongs in the repository's config or --config)", path, k)
		}
	}
	return c, nil
}

// distrust applies the limits of a repository's config that is not
// trusted (see the trust model above) to c, read from inside root.
func (c *config) distrust(root string) error {
	const hint = "pass --trust-repo-config to trust the repository's config"
	c.refused, c.Plugins = c.Plugins, nil
	for _, k := range slices.Sorted(maps.Keys(c.Scanners.Options)) {
		if why, ok := codeOptions[k]; ok {
			delete(c.Scanners.Options, k)
			c.warnings = append(c.warnings, fmt.Sprintf("%s: scanners.options %s left out: %s, and this config is the scanned repository's (%s)", c.path, k, why, hint))
		}
	}
	inside := func(what, p string) error {
		if p == "" || within(root, p) {
			return nil
		}
		return fmt.Errorf("config %s: %s %s is outside the repository; a repository's config names only files inside it (%s)", c.path, what, p, hint)
	}
	for i, im := range c.Imports {
		if err := inside(fmt.Sprintf("imports[%d]", i), im.Path); err != nil {
			return err
		}
	}
	for i, p := range c.Policies {
		if err := inside(fmt.Sprintf("policies[%d]", i), p); err != nil {
			return err
		}
	}
	return inside("baseline", c.Baseline)
}

// within reports whether path lies inside root, by its name and, when it
// exists, by where its symbolic links lead.
func within(root, path string) bool {
	in := func(root, p string) bool {
		rel, err := filepath.Rel(root, p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
	}
	abs, err := filepath.Abs(path)
	if err != nil || !in(root, abs) {
		return false
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return errors.Is(err, fs.ErrNotExist) // reading it will fail
	}
	realRoot, err := filepath.EvalSymlinks(root)
	return err == nil && in(realRoot, real)
}
