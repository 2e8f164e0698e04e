// Package embedded runs gosec as a library inside scanmux, so a machine
// with only Go gets Go SAST without installing anything. It is a
// plugin.Scanner; its findings go through the same mapping as gosec's JSON
// report (package scanners/gosec), so the built-in and the gosec binary
// report identical findings.
//
// gosec loads packages with "go list": the go command must be on PATH when
// it runs.
package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"

	"github.com/securego/gosec/v2"
	"github.com/securego/gosec/v2/analyzers"
	"github.com/securego/gosec/v2/issue"
	"github.com/securego/gosec/v2/rules"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
	"github.com/scanmux/scanmux/scanners"
	gosecjson "github.com/scanmux/scanmux/scanners/gosec"
	"github.com/scanmux/scanmux/scanners/internal/adapt"
)

// Scanner is gosec linked into scanmux. The zero value is ready to use.
type Scanner struct {
	// Tests also scans _test.go files.
	Tests bool
	// Exclude lists directory names not to scan, besides vendor, testdata,
	// node_modules and dot-directories.
	Exclude []string
}

var _ plugin.Scanner = Scanner{}

// Version returns the version of the linked gosec module.
func Version() string { return adapt.ModuleVersion("github.com/securego/gosec/v2") }

// Describe returns gosec's name, version and rule catalog.
func (Scanner) Describe(context.Context) (*plugin.Info, error) {
	info := &plugin.Info{
		Name:           gosecjson.Name,
		Version:        Version(),
		Description:    "gosec, the Go security checker, linked into scanmux.",
		InformationURI: "https://github.com/securego/gosec",
		Categories:     []finding.Category{finding.CategorySAST, finding.CategorySecret},
		Targets:        []plugin.TargetKind{plugin.TargetDirectory},
	}
	for _, r := range rules.Generate(false).Rules {
		info.Rules = append(info.Rules, finding.Rule{ID: r.ID, ShortDescription: r.Description})
	}
	for _, a := range analyzers.Generate(false).Analyzers {
		info.Rules = append(info.Rules, finding.Rule{ID: a.ID, ShortDescription: a.Description})
	}
	sort.Slice(info.Rules, func(i, j int) bool { return info.Rules[i].ID < info.Rules[j].ID })
	return info, nil
}

// Scan runs gosec over every Go package under the target root.
func (s Scanner) Scan(ctx context.Context, req *plugin.Request, out plugin.Emitter) error {
	root := req.Target.Root
	if _, err := exec.LookPath("go"); err != nil {
		return fmt.Errorf("gosec: the go command is not on PATH; gosec needs it to load packages")
	}
	exclude := append([]string{"vendor", "testdata", "node_modules", `\.[^/]+`}, s.Exclude...)
	pkgs, err := gosec.PackagePaths(filepath.Join(root, "..."), gosec.ExcludedDirsRegExp(exclude))
	if err != nil {
		return fmt.Errorf("gosec: listing packages under %s: %w", root, err)
	}
	if len(pkgs) == 0 {
		return out.Diagnostic(plugin.Diagnostic{Level: plugin.LevelInfo, Message: "no Go packages under " + root})
	}
	if err := out.Progress(plugin.Progress{Total: int64(len(pkgs)), Phase: "analyzing Go packages"}); err != nil {
		return err
	}
	analyzer := gosec.NewAnalyzer(gosec.NewConfig(), s.Tests, true, true, max(1, runtime.GOMAXPROCS(0)), log.New(io.Discard, "", 0))
	analyzer.LoadRules(rules.Generate(true).RulesInfo())
	analyzer.LoadAnalyzers(analyzers.Generate(true).AnalyzersInfo())
	done := make(chan error, 1)
	go func() { done <- analyzer.Process(nil, pkgs...) }()
	select {
	case <-ctx.Done():
		return ctx.Err() // gosec cannot be interrupted; the host kills a plugin process
	case err := <-done:
		if err != nil {
			return fmt.Errorf("gosec: %w", err)
		}
	}
	issues, _, pkgErrs := analyzer.Report()
	// gosec reports packages it could not load only here; without the go
	// command or a module download, every package lands here and there are
	// no issues, so say so.
	files := make([]string, 0, len(pkgErrs))
	for f := range pkgErrs {
		files = append(files, f)
	}
	slices.Sort(files)
	for _, f := range files {
		for _, e := range pkgErrs[f] {
			if err := out.Diagnostic(plugin.Diagnostic{Level: plugin.LevelWarning, Message: fmt.Sprintf("gosec could not analyze %s:%d: %s", f, e.Line, e.Err)}); err != nil {
				return err
			}
		}
	}
	if len(files) > 0 && len(issues) == 0 && len(files) >= len(pkgs) {
		return fmt.Errorf("gosec: could not analyze any package under %s (first: %s)", root, pkgErrs[files[0]][0].Err)
	}
	return emit(issues, root, out)
}

// emit passes gosec's issues through the JSON report adapter, the one
// mapping from gosec's model to findings.
func emit(issues []*issue.Issue, root string, out plugin.Emitter) error {
	doc, err := json.Marshal(struct {
		Issues       []*issue.Issue
		GosecVersion string
	}{issues, Version()})
	if err != nil {
		return fmt.Errorf("gosec: %w", err)
	}
	_, err = gosecjson.Adapter{}.Decode(bytes.NewReader(doc), "gosec (embedded)", &scanners.Options{Root: root}, out.Finding)
	return err
}
