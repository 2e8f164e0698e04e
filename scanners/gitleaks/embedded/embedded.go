// Package embedded runs gitleaks as a library inside scanmux, so a machine
// with only Go gets secret scanning without installing anything. It is a
// plugin.Scanner; its findings go through the same mapping (and redaction)
// as gitleaks' JSON report (package scanners/gitleaks), so the built-in and
// the gitleaks binary report identical findings.
//
// It scans the files of a directory (not git history) with gitleaks'
// default rules. Lines marked gitleaks:allow are reported, not dropped:
// scanmux's inline filter marks them suppressed, so they stay visible.
package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners"
	gitleaksjson "github.com/scanmux/scanmux/scanners/gitleaks"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Scanner is gitleaks linked into scanmux. The zero value is ready to use.
type Scanner struct {
	// MaxFileSize skips files larger than this many bytes; 0 means 10 MB.
	MaxFileSize int
}

var _ plugin.Scanner = Scanner{}

// Version returns the version of the linked gitleaks module.
func Version() string { return adapt.ModuleVersion("github.com/zricethezav/gitleaks/v8") }

var quietOnce sync.Once

// defaultConfig builds gitleaks' default configuration with a private viper
// instance: gitleaks' own NewDetectorDefaultConfig uses viper's global one,
// which races when scans run concurrently.
func defaultConfig() (config.Config, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(config.DefaultConfig)); err != nil {
		return config.Config{}, err
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return config.Config{}, err
	}
	return vc.Translate()
}

// Describe returns gitleaks' name, version and rule catalog.
func (Scanner) Describe(context.Context) (*plugin.Info, error) {
	cfg, err := defaultConfig()
	if err != nil {
		return nil, fmt.Errorf("gitleaks: default config: %w", err)
	}
	info := &plugin.Info{
		Name:           "gitleaks",
		Version:        Version(),
		Description:    "gitleaks, the secret scanner, linked into scanmux (files only, default rules).",
		InformationURI: "https://github.com/gitleaks/gitleaks",
		Categories:     []finding.Category{finding.CategorySecret},
		Targets:        []plugin.TargetKind{plugin.TargetDirectory},
	}
	for _, id := range cfg.OrderedRules {
		r := cfg.Rules[id]
		info.Rules = append(info.Rules, finding.Rule{ID: r.RuleID, ShortDescription: r.Description, Tags: r.Tags})
	}
	return info, nil
}

// Scan scans the files under the target root for secrets.
func (s Scanner) Scan(ctx context.Context, req *plugin.Request, out plugin.Emitter) error {
	quietOnce.Do(func() {
		// gitleaks logs through a global zerolog logger; findings and
		// diagnostics reach the host through the emitter instead.
		logging.Logger = zerolog.Nop()
	})
	cfg, err := defaultConfig()
	if err != nil {
		return fmt.Errorf("gitleaks: default config: %w", err)
	}
	det := detect.NewDetectorContext(ctx, cfg)
	det.IgnoreGitleaksAllow = true // report them; scanmux marks them suppressed
	maxSize := s.MaxFileSize
	if maxSize <= 0 {
		maxSize = 10 << 20
	}
	root := req.Target.Root
	found, err := det.DetectSource(ctx, &sources.Files{
		Config:      &cfg,
		Path:        root,
		Sema:        det.Sema,
		MaxFileSize: maxSize,
	})
	if err != nil {
		return fmt.Errorf("gitleaks: scanning %s: %w", root, err)
	}
	doc, err := json.Marshal(found)
	if err != nil {
		return fmt.Errorf("gitleaks: %w", err)
	}
	_, err = gitleaksjson.Adapter{}.Decode(bytes.NewReader(doc), "gitleaks (embedded)", &scanners.Options{Root: root}, func(f *finding.Finding) error {
		f.Tool.Version = Version()
		return out.Finding(f)
	})
	return err
}
