package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
//	plugins:
//	  - path: tools/scanmux-plugin-bannedcalls
//	    sha256: 3f9a...            # required: the binary is refused if it differs
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
