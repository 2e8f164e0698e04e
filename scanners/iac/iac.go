// Package iac is scanmux's built-in infrastructure-as-code scanner. Its
// rules are written in Rego (rules/*.rego, embedded in the binary) and run
// by the Open Policy Agent engine linked into scanmux, so IaC checks need no
// external tool.
//
// It scans a directory tree for:
//
//   - Dockerfiles (Dockerfile, *.Dockerfile, Dockerfile.*, and the same for
//     Containerfile), parsed by a small line-based parser;
//   - Kubernetes manifests (*.yaml, *.yml documents with apiVersion and
//     kind, several per file);
//   - Terraform (*.tf), parsed with HCL; the files of a directory are one
//     module, so a rule can see that an S3 bucket's encryption is
//     configured in another file.
//
// Each file becomes one input document for the rules, and every finding
// points at the line of the field at fault. One rule looks at the whole
// scan instead of a file: a namespace whose workloads no NetworkPolicy
// covers is reported once, at its first workload, after every file has
// been read.
//
// The rule catalog (ids SMX-DOCKER-*, SMX-K8S-*, SMX-TF-*, titles,
// severities, CWEs, help) is read from the rules' METADATA annotations; see
// [Scanner.Describe]. The Rego rules have their own unit tests in
// rules/*_test.rego, run by this package's tests.
package iac

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/dockerfile"
	"github.com/scanmux/scanmux/plugin"
)

const (
	// Name is the scanner's name, the Tool.Name of its findings.
	Name = "scanmux-iac"
	// Version is the version of the scanner and its rule set.
	Version = "0.1.0"
	// InformationURI is the scanner's home page.
	InformationURI = "https://github.com/scanmux/scanmux/tree/main/scanners/iac"
)

// DefaultMaxFileSize is the size above which files are skipped when
// [Scanner.MaxFileSize] is 0.
const DefaultMaxFileSize = 4 << 20

// ErrUnsupportedTarget is returned by [Scanner.Scan] for a target that is
// not a directory.
var ErrUnsupportedTarget = errors.New("iac: unsupported target")

// Scanner is the built-in IaC scanner. Create it with [New]; it compiles
// its rules once and is safe for concurrent scans.
type Scanner struct {
	// MaxFileSize skips files larger than this many bytes, with a warning
	// diagnostic; 0 means DefaultMaxFileSize.
	MaxFileSize int64
	// Workers is how many files are parsed and checked at once; 0 means
	// GOMAXPROCS.
	Workers int

	eng *engine
}

var _ plugin.Scanner = (*Scanner)(nil)

// New compiles the embedded rules. An error wraps [ErrRules].
func New() (*Scanner, error) {
	eng, err := newEngine(context.Background())
	if err != nil {
		return nil, err
	}
	return &Scanner{eng: eng}, nil
}

// Describe returns the scanner's name, version and rule catalog.
func (s *Scanner) Describe(context.Context) (*plugin.Info, error) {
	rules := make([]finding.Rule, len(s.eng.catalog))
	for i, r := range s.eng.catalog {
		r.Tags = slices.Clone(r.Tags)
		rules[i] = r
	}
	return &plugin.Info{
		Name:    Name,
		Version: Version,
		Description: "scanmux's built-in IaC scanner: Dockerfiles, Kubernetes manifests and " +
			"Terraform checked by Rego rules run in the embedded Open Policy Agent engine.",
		InformationURI: InformationURI,
		Categories:     []finding.Category{finding.CategoryIaC},
		Targets:        []plugin.TargetKind{plugin.TargetDirectory},
		Rules:          rules,
	}, nil
}

// fileKind is the kind of a file the scanner reads.
type fileKind int

const (
	kindNone fileKind = iota
	kindDockerfile
	kindYAML
	kindTerraform
)

// classify tells what kind of file name (a base name) is.
func classify(name string) fileKind {
	lower := strings.ToLower(name)
	switch ext := path.Ext(lower); {
	case ext == ".yaml" || ext == ".yml":
		return kindYAML
	case ext == ".tf":
		return kindTerraform
	case ext == ".dockerignore" || ext == ".md" || ext == ".txt":
		return kindNone
	}
	for _, base := range []string{"dockerfile", "containerfile"} {
		if lower == base || strings.HasSuffix(lower, "."+base) || strings.HasPrefix(lower, base+".") {
			return kindDockerfile
		}
	}
	return kindNone
}

// skipDir reports whether the walk skips a directory (not the root).
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor"
}

// job is a unit of work: one Dockerfile or manifest, or the .tf files of
// one directory.
type job struct {
	kind  fileKind
	files []string // relative, slash-separated
}

// jobResult is what a job produced, emitted in job order.
type jobResult struct {
	findings []*finding.Finding
	diags    []plugin.Diagnostic
	objects  []kubeObject
}

// Scan scans the directory req.Target.Root and emits findings file by file,
// in path order, then the findings of the cluster-wide rules. Unreadable or
// unparsable files are reported as diagnostics and skipped.
func (s *Scanner) Scan(ctx context.Context, req *plugin.Request, out plugin.Emitter) error {
	if req == nil || req.Target.Kind != plugin.TargetDirectory {
		kind := plugin.TargetKind("")
		if req != nil {
			kind = req.Target.Kind
		}
		return fmt.Errorf("%w: %q (want %q)", ErrUnsupportedTarget, kind, plugin.TargetDirectory)
	}
	root, err := os.OpenRoot(req.Target.Root)
	if err != nil {
		return fmt.Errorf("iac: %w", err)
	}
	defer root.Close()

	jobs, nfiles, walkDiags, err := s.plan(ctx, req.Target.Root)
	if err != nil {
		return err
	}
	for _, d := range walkDiags {
		if err := out.Diagnostic(d); err != nil {
			return err
		}
	}
	if err := out.Progress(plugin.Progress{Done: 0, Total: int64(nfiles), Phase: "scanning"}); err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]chan jobResult, len(jobs))
	for i := range results {
		results[i] = make(chan jobResult, 1)
	}
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	go func() {
		sem := make(chan struct{}, workers)
		for i, j := range jobs {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				defer func() { <-sem }()
				results[i] <- s.run(ctx, root, j)
			}()
		}
	}()

	var objects []kubeObject
	done, reported := 0, 0
	for i, j := range jobs {
		var r jobResult
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, d := range r.diags {
			if err := out.Diagnostic(d); err != nil {
				return err
			}
		}
		for _, f := range r.findings {
			if err := out.Finding(f); err != nil {
				return err
			}
		}
		objects = append(objects, r.objects...)
		done += len(j.files)
		// Progress at every tenth of the files, not every file: each
		// progress event flushes the plugin's batch of findings.
		if step := done * 10 / max(nfiles, 1); step > reported && done < nfiles {
			reported = step
			if err := out.Progress(plugin.Progress{Done: int64(done), Total: int64(nfiles), Phase: "scanning"}); err != nil {
				return err
			}
		}
	}

	fs, diags := s.cluster(ctx, objects)
	for _, d := range diags {
		if err := out.Diagnostic(d); err != nil {
			return err
		}
	}
	for _, f := range fs {
		if err := out.Finding(f); err != nil {
			return err
		}
	}
	return out.Progress(plugin.Progress{Done: int64(nfiles), Total: int64(nfiles), Phase: "done"})
}

// plan walks the tree and groups the files it will read into jobs.
func (s *Scanner) plan(ctx context.Context, rootDir string) (jobs []job, nfiles int, diags []plugin.Diagnostic, err error) {
	maxSize := s.MaxFileSize
	if maxSize <= 0 {
		maxSize = DefaultMaxFileSize
	}
	tfDirs := map[string]int{} // directory -> index of its job
	err = filepath.WalkDir(rootDir, func(p string, d fs.DirEntry, werr error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, rerr := filepath.Rel(rootDir, p)
		if rerr != nil {
			return rerr
		}
		rel = filepath.ToSlash(rel)
		if werr != nil {
			if rel == "." {
				return werr
			}
			diags = append(diags, diag(plugin.LevelWarning, rel, "cannot read: %v", werr))
			return nil
		}
		if d.IsDir() {
			if rel != "." && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks could leave the root
		}
		kind := classify(d.Name())
		if kind == kindNone {
			return nil
		}
		if info, ierr := d.Info(); ierr == nil && info.Size() > maxSize {
			diags = append(diags, diag(plugin.LevelWarning, rel, "skipped: %d bytes, more than %d", info.Size(), maxSize))
			return nil
		}
		nfiles++
		if kind == kindTerraform {
			dir := path.Dir(rel)
			if i, ok := tfDirs[dir]; ok {
				jobs[i].files = append(jobs[i].files, rel)
				return nil
			}
			tfDirs[dir] = len(jobs)
		}
		jobs = append(jobs, job{kind: kind, files: []string{rel}})
		return nil
	})
	if err != nil {
		return nil, 0, nil, fmt.Errorf("iac: walking %s: %w", rootDir, err)
	}
	return jobs, nfiles, diags, nil
}

// diag builds a diagnostic about the file at rel.
func diag(level plugin.Level, rel, format string, args ...any) plugin.Diagnostic {
	return plugin.Diagnostic{
		Level:   level,
		Message: rel + ": " + fmt.Sprintf(format, args...),
		Attrs:   map[string]string{"path": rel},
	}
}

// source is a file read for a job.
type source struct {
	path  string
	data  []byte
	lines []string
}

// snippet returns the lines sp of the file, at most maxSnippetLines.
func (src *source) snippet(sp span) string {
	if sp.start < 1 || sp.start > len(src.lines) {
		return ""
	}
	end := min(sp.end, len(src.lines), sp.start+maxSnippetLines-1)
	return strings.Join(src.lines[sp.start-1:end], "\n")
}

// maxSnippetLines bounds the length of snippets.
const maxSnippetLines = 10

// run reads, parses and checks the files of one job.
func (s *Scanner) run(ctx context.Context, root *os.Root, j job) jobResult {
	var r jobResult
	var srcs []*source
	for _, rel := range j.files {
		data, err := root.ReadFile(filepath.FromSlash(rel))
		if err != nil {
			r.diags = append(r.diags, diag(plugin.LevelWarning, rel, "cannot read: %v", err))
			continue
		}
		srcs = append(srcs, &source{path: rel, data: data, lines: splitLines(string(data))})
	}
	switch j.kind {
	case kindDockerfile:
		for _, src := range srcs {
			s.checkDockerfile(ctx, src, &r)
		}
	case kindYAML:
		for _, src := range srcs {
			s.checkKube(ctx, src, &r)
		}
	case kindTerraform:
		s.checkTerraform(ctx, srcs, &r)
	}
	return r
}

// input builds the rules' input document.
func input(kind, relPath string, document ast.Value, module ast.Value) ast.Value {
	obj := ast.NewObject(
		[2]*ast.Term{ast.StringTerm("kind"), ast.StringTerm(kind)},
		[2]*ast.Term{ast.StringTerm("document"), ast.NewTerm(document)},
	)
	if relPath != "" {
		obj.Insert(ast.StringTerm("path"), ast.StringTerm(relPath))
	}
	if module != nil {
		obj.Insert(ast.StringTerm("module"), ast.NewTerm(module))
	}
	return obj
}

// evaluate runs the rules on one file's input and turns their results
// into findings; locate maps a result to its lines.
func (s *Scanner) evaluate(ctx context.Context, src *source, in ast.Value, locate func(result) span, r *jobResult) {
	results, err := s.eng.eval(ctx, in)
	if err != nil {
		r.diags = append(r.diags, diag(plugin.LevelError, src.path, "%v", err))
		return
	}
	fs := make([]*finding.Finding, 0, len(results))
	for _, res := range results {
		fs = append(fs, s.toFinding(res, src.path, locate(res), src.snippet))
	}
	sortFindings(fs)
	r.findings = append(r.findings, fs...)
}

// toFinding maps a rule's result to a finding.
func (s *Scanner) toFinding(res result, relPath string, sp span, snippet func(span) string) *finding.Finding {
	info := s.eng.rules[res.ID]
	rule := info.rule
	rule.Tags = slices.Clone(rule.Tags)
	f := &finding.Finding{
		Tool:             finding.Tool{Name: Name, Version: Version, InformationURI: InformationURI},
		Rule:             rule,
		Message:          res.Message,
		Category:         finding.CategoryIaC,
		Severity:         info.severity,
		OriginalSeverity: info.original,
		Precision:        info.precision,
		CWEs:             slices.Clone(info.cwes),
		Location: finding.Location{
			Path:     relPath,
			Region:   finding.Region{StartLine: sp.start, EndLine: sp.end},
			Resource: res.Resource,
		},
	}
	switch {
	case res.Snippet != "":
		f.Location.Snippet = res.Snippet
	case snippet != nil:
		f.Location.Snippet = snippet(sp)
	}
	if res.Pointer != "" {
		f.Properties = map[string]string{"jsonPointer": res.Pointer}
	}
	return f
}

// sortFindings orders findings by line, then rule and message.
func sortFindings(fs []*finding.Finding) {
	slices.SortStableFunc(fs, func(a, b *finding.Finding) int {
		return cmp.Or(
			cmp.Compare(a.Location.Path, b.Location.Path),
			cmp.Compare(a.Location.Region.StartLine, b.Location.Region.StartLine),
			cmp.Compare(a.Rule.ID, b.Rule.ID),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// checkDockerfile parses and checks a Dockerfile.
func (s *Scanner) checkDockerfile(ctx context.Context, src *source, r *jobResult) {
	df := dockerfile.Parse(src.data)
	doc, err := ast.InterfaceToValue(df)
	if err != nil {
		r.diags = append(r.diags, diag(plugin.LevelError, src.path, "%v", err))
		return
	}
	ends := map[int]int{}
	for _, in := range df.Args {
		ends[in.Line] = in.EndLine
	}
	for _, st := range df.Stages {
		for _, in := range st.Instructions {
			ends[in.Line] = in.EndLine
		}
	}
	s.evaluate(ctx, src, input("dockerfile", src.path, doc, nil), func(res result) span {
		return span{res.Line, max(ends[res.Line], res.Line)}
	}, r)
}

// checkKube parses and checks a YAML file, if it holds Kubernetes objects.
func (s *Scanner) checkKube(ctx context.Context, src *source, r *jobResult) {
	if !looksLikeKubernetes(src.data) {
		return
	}
	kf, err := parseKube(src.data, src.path)
	if err != nil {
		level := plugin.LevelDebug // templates and non-Kubernetes YAML
		if len(kf.objects) > 0 || !strings.Contains(string(src.data), "{{") {
			level = plugin.LevelWarning
		}
		r.diags = append(r.diags, diag(level, src.path, "YAML: %v", err))
	}
	if len(kf.objects) == 0 {
		return
	}
	for i := range kf.summary {
		kf.summary[i].snippet = src.snippet(span{kf.summary[i].Line, kf.summary[i].Line})
	}
	r.objects = append(r.objects, kf.summary...)
	doc, err := ast.InterfaceToValue(kf.objects)
	if err != nil {
		r.diags = append(r.diags, diag(plugin.LevelError, src.path, "%v", err))
		return
	}
	s.evaluate(ctx, src, input("kubernetes", src.path, doc, nil), pointerLocator(kf.pos), r)
}

// pointerLocator locates results by pointer, or by line.
func pointerLocator(pos positions) func(result) span {
	return func(res result) span {
		if res.Pointer != "" {
			if sp, ok := pos.lookup(res.Pointer); ok {
				return sp
			}
		}
		return span{res.Line, res.Line}
	}
}

// checkTerraform parses the .tf files of one directory and checks each,
// with the resources of all of them as the module.
func (s *Scanner) checkTerraform(ctx context.Context, srcs []*source, r *jobResult) {
	files := make([]*tfFile, len(srcs))
	module := map[string]any{}
	for i, src := range srcs {
		tf, err := parseTerraform(src.data, src.path)
		if err != nil {
			r.diags = append(r.diags, diag(plugin.LevelWarning, src.path, "HCL: %v", err))
		}
		files[i] = tf
		for typ, byName := range tf.resources {
			m, _ := module[typ].(map[string]any)
			if m == nil {
				m = map[string]any{}
				module[typ] = m
			}
			for name, body := range byName.(map[string]any) {
				m[name] = body
			}
		}
	}
	mod, err := ast.InterfaceToValue(map[string]any{"resource": module})
	if err != nil {
		r.diags = append(r.diags, diag(plugin.LevelError, path.Dir(srcs[0].path), "%v", err))
		return
	}
	for i, src := range srcs {
		if len(files[i].resources) == 0 {
			continue
		}
		doc, err := ast.InterfaceToValue(map[string]any{"resource": files[i].resources})
		if err != nil {
			r.diags = append(r.diags, diag(plugin.LevelError, src.path, "%v", err))
			continue
		}
		s.evaluate(ctx, src, input("terraform", src.path, doc, mod), pointerLocator(files[i].pos), r)
	}
}

// cluster runs the cluster-wide rules over the summaries of every
// Kubernetes object of the scan.
func (s *Scanner) cluster(ctx context.Context, objects []kubeObject) ([]*finding.Finding, []plugin.Diagnostic) {
	if len(objects) == 0 {
		return nil, nil
	}
	slices.SortStableFunc(objects, func(a, b kubeObject) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line))
	})
	list := make([]any, len(objects))
	snippets := map[string]string{}
	for i, o := range objects {
		md := map[string]any{"name": o.Name}
		if o.Namespace != "" {
			md["namespace"] = o.Namespace
		}
		list[i] = map[string]any{
			"apiVersion": o.APIVersion, "kind": o.Kind, "metadata": md,
			"path": o.Path, "line": o.Line,
		}
		snippets[o.Path+":"+strconv.Itoa(o.Line)] = o.snippet
	}
	doc, err := ast.InterfaceToValue(map[string]any{"objects": list})
	if err != nil {
		return nil, []plugin.Diagnostic{{Level: plugin.LevelError, Message: err.Error()}}
	}
	results, err := s.eng.eval(ctx, input("kubernetes-cluster", "", doc, nil))
	if err != nil {
		return nil, []plugin.Diagnostic{{Level: plugin.LevelError, Message: err.Error()}}
	}
	var fs []*finding.Finding
	var diags []plugin.Diagnostic
	for _, res := range results {
		if res.Path == "" || res.Line <= 0 {
			diags = append(diags, plugin.Diagnostic{Level: plugin.LevelError,
				Message: fmt.Sprintf("%v: %s: cluster-wide result without a path and line", ErrRules, res.ID)})
			continue
		}
		sn := snippets[res.Path+":"+strconv.Itoa(res.Line)]
		fs = append(fs, s.toFinding(res, res.Path, span{res.Line, res.Line}, func(span) string { return sn }))
	}
	sortFindings(fs)
	return fs, diags
}

// splitLines splits text at "\n", dropping a "\r" before it.
func splitLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	return lines
}
