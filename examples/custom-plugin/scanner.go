package main

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/plugin"
)

// BannedRule is one banned call or pattern.
type BannedRule struct {
	finding.Rule
	// Pattern matches the banned code on one line.
	Pattern *regexp.Regexp
	// Exts are the file extensions the rule applies to, e.g. ".go".
	Exts []string
	// Severity and CWE describe the risk.
	Severity finding.Severity
	CWE      int
}

// DefaultRules is the team's list of banned calls.
var DefaultRules = []BannedRule{
	{
		Rule: finding.Rule{
			ID: "BAN001", Name: "WeakHash",
			ShortDescription: "MD5 and SHA-1 are banned",
			HelpText:         "Use crypto/sha256 or stronger. MD5 and SHA-1 collide.",
		},
		Pattern: regexp.MustCompile(`\b(md5|sha1)\.(New|Sum)\b|hashlib\.(md5|sha1)\(`),
		Exts:    []string{".go", ".py"}, Severity: finding.SeverityMedium, CWE: 328,
	},
	{
		Rule: finding.Rule{
			ID: "BAN002", Name: "ShellExec",
			ShortDescription: "Running a shell with a command string is banned",
			HelpText:         "Call the program directly with separate arguments instead of through a shell.",
		},
		Pattern: regexp.MustCompile(`exec\.Command(Context)?\((ctx, )?"(sh|bash|/bin/sh|/bin/bash)", "-c"|os\.system\(|shell\s*=\s*True`),
		Exts:    []string{".go", ".py"}, Severity: finding.SeverityHigh, CWE: 78,
	},
	{
		Rule: finding.Rule{
			ID: "BAN003", Name: "Eval",
			ShortDescription: "eval is banned",
			HelpText:         "Never evaluate strings as code; parse the data instead.",
		},
		Pattern: regexp.MustCompile(`(^|[^.\w])eval\(`),
		Exts:    []string{".js", ".ts", ".py"}, Severity: finding.SeverityHigh, CWE: 95,
	},
	{
		Rule: finding.Rule{
			ID: "BAN004", Name: "TLSVerifyOff",
			ShortDescription: "Turning off TLS certificate checks is banned",
			HelpText:         "Remove InsecureSkipVerify; trust the right CA instead.",
		},
		Pattern: regexp.MustCompile(`InsecureSkipVerify:\s*true|verify\s*=\s*False`),
		Exts:    []string{".go", ".py"}, Severity: finding.SeverityHigh, CWE: 295,
	},
}

// BannedCalls is the scanner: it reads every matching file under the scan
// root and reports each line where a rule's pattern matches.
type BannedCalls struct {
	Rules []BannedRule
}

// Describe tells the host who this scanner is.
func (b *BannedCalls) Describe(context.Context) (*plugin.Info, error) {
	info := &plugin.Info{
		Name:        "bannedcalls",
		Version:     "1.0.0",
		Description: "Flags calls our security team has banned.",
		Categories:  []finding.Category{finding.CategorySAST},
		Targets:     []plugin.TargetKind{plugin.TargetDirectory, plugin.TargetFiles},
	}
	for _, r := range b.Rules {
		info.Rules = append(info.Rules, r.Rule)
	}
	return info, nil
}

// Scan walks the target and streams a finding per match.
func (b *BannedCalls) Scan(ctx context.Context, req *plugin.Request, out plugin.Emitter) error {
	root := req.Target.Root
	files := req.Target.Files
	if req.Target.Kind == plugin.TargetDirectory {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "vendor" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				rel, _ := filepath.Rel(root, p)
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("bannedcalls: walking %s: %w", root, err)
		}
	}
	slices.Sort(files)
	for i, rel := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := b.scanFile(root, rel, out); err != nil {
			return err
		}
		if err := out.Progress(plugin.Progress{Done: int64(i + 1), Total: int64(len(files)), Phase: "scanning files"}); err != nil {
			return err
		}
	}
	return nil
}

func (b *BannedCalls) scanFile(root, rel string, out plugin.Emitter) error {
	var rules []*BannedRule
	for i := range b.Rules {
		if slices.Contains(b.Rules[i].Exts, path.Ext(rel)) {
			rules = append(rules, &b.Rules[i])
		}
	}
	if len(rules) == 0 {
		return nil
	}
	f, err := os.Open(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		// One unreadable file is worth a warning, not a failed scan.
		return out.Diagnostic(plugin.Diagnostic{Level: plugin.LevelWarning, Message: err.Error(), Attrs: map[string]string{"file": rel}})
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		for _, r := range rules {
			loc := r.Pattern.FindStringIndex(text)
			if loc == nil {
				continue
			}
			err := out.Finding(&finding.Finding{
				Rule:     r.Rule,
				Message:  fmt.Sprintf("%s: %s", r.ShortDescription, strings.TrimSpace(text[loc[0]:loc[1]])),
				Category: finding.CategorySAST,
				Severity: r.Severity,
				CWEs:     []int{r.CWE},
				Location: finding.Location{
					Path: rel,
					Region: finding.Region{
						StartLine: line, EndLine: line,
						StartColumn: utf16Len(text[:loc[0]]) + 1,
						EndColumn:   utf16Len(text[:loc[1]]) + 1,
					},
					Snippet: strings.TrimSpace(text),
				},
			})
			if err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return out.Diagnostic(plugin.Diagnostic{Level: plugin.LevelWarning, Message: err.Error(), Attrs: map[string]string{"file": rel}})
	}
	return nil
}

// utf16Len counts UTF-16 code units, the unit of SARIF columns.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
