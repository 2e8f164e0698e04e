// Package gitdiff finds the lines a change touched, for feedback on new
// code only: it runs git diff (no shell, fixed arguments, the repository's
// own git), parses the unified diff into changed line ranges per file, and
// tells which findings fall on them, in reviewdog's filter modes (added,
// diff_context, file).
//
// [Filter] is an [aggregate.Filter] that suppresses the findings outside
// the diff with a reason, so that they stay in the report (and in full
// SARIF) but leave the gate, annotations and summaries.
package gitdiff

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
)

// Mode is a filter mode, named as reviewdog's -filter-mode.
type Mode string

const (
	// ModeAdded keeps findings on lines added or changed.
	ModeAdded Mode = "added"
	// ModeDiffContext keeps findings on lines of the diff's hunks: added
	// lines and the unchanged context around them.
	ModeDiffContext Mode = "diff_context"
	// ModeFile keeps findings in files the diff touches, on any line.
	ModeFile Mode = "file"
)

// Modes lists the modes.
var Modes = []Mode{ModeAdded, ModeDiffContext, ModeFile}

// ParseMode returns the mode called s ("" is ModeAdded).
func ParseMode(s string) (Mode, error) {
	if s == "" {
		return ModeAdded, nil
	}
	for _, m := range Modes {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w %q: want added, diff_context or file", ErrMode, s)
}

// Errors to test with errors.Is.
var (
	// ErrMode is an unknown filter mode.
	ErrMode = errors.New("unknown diff filter mode")
	// ErrRef is a base reference git cannot resolve to a commit.
	ErrRef = errors.New("diff base is not a commit")
	// ErrGit is a failure of git itself (not a repository, git missing).
	ErrGit = errors.New("git diff failed")
	// ErrParse is a diff that does not parse.
	ErrParse = errors.New("malformed unified diff")
)

// Range is the lines Start to End, 1-based and inclusive.
type Range struct{ Start, End int }

// File is one file's changes, in the new version's line numbers.
type File struct {
	// Added are the added or changed lines, sorted and disjoint.
	Added []Range
	// Hunks are the hunks' whole new-side spans (added and context lines).
	Hunks []Range
}

// Changes are a diff's changes by file; paths are slash-separated and
// relative to the directory git ran in (or as the diff names them).
type Changes struct {
	// Base is the commit the diff is against, when known.
	Base string
	// Files maps a path to its changes. A file that the diff touches
	// without changing lines (a rename, a mode change, a binary file)
	// has an empty File.
	Files map[string]*File
}

// Touches reports whether the lines start..end of the file at p are in the
// diff in mode m. end < start is taken as start; a finding without lines
// (start 0) is in the diff only in ModeFile.
func (c *Changes) Touches(m Mode, p string, start, end int) bool {
	f := c.Files[path.Clean(p)]
	if f == nil {
		return false
	}
	if m == ModeFile {
		return true
	}
	if start <= 0 {
		return false
	}
	end = max(end, start)
	rs := f.Added
	if m == ModeDiffContext {
		rs = f.Hunks
	}
	// The first range ending at or after start.
	i, _ := slices.BinarySearchFunc(rs, start, func(r Range, line int) int { return r.End - line })
	for ; i < len(rs) && rs[i].End < start; i++ {
	}
	return i < len(rs) && rs[i].Start <= end
}

// Contains reports whether finding f's primary location is in the diff
// in mode m.
func (c *Changes) Contains(m Mode, f *finding.Finding) bool {
	l := &f.Location
	if l.Path == "" {
		return false
	}
	return c.Touches(m, l.Path, l.Region.StartLine, l.Region.EndLine)
}

// Diff runs git in dir and returns the changes between the merge base of
// base and HEAD and the working tree, i.e. what a branch changed since it
// left base, uncommitted changes included. Paths are relative to dir
// (git diff --relative). base must name a commit; it is resolved with git
// rev-parse first and never reaches git as an option.
//
// The repository's configuration cannot run programs through it: external
// diff drivers, textconv filters and fsmonitor hooks are turned off, and
// prefixes, rename detection and path quoting are fixed.
func Diff(ctx context.Context, dir, base string) (*Changes, error) {
	if base == "" || strings.HasPrefix(base, "-") || strings.ContainsAny(base, "\x00\n") {
		return nil, fmt.Errorf("%w: %q", ErrRef, base)
	}
	out, err := git(ctx, dir, "rev-parse", "--verify", "--quiet", "--end-of-options", base+"^{commit}")
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("%w: %q in %s", ErrRef, base, dir)
		}
		return nil, err
	}
	sha := strings.TrimSpace(string(out))
	out, err = git(ctx, dir, "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--unified=3",
		"--find-renames", "--relative", "--src-prefix=a/", "--dst-prefix=b/", "--merge-base", sha, "--")
	if err != nil {
		return nil, err
	}
	c, err := Parse(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("git diff in %s: %w", dir, err)
	}
	c.Base = sha
	return c, nil
}

// git runs git with fixed configuration overrides in dir.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	full := append([]string{"-c", "core.fsmonitor=false", "-c", "core.quotePath=false",
		"-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false", "-c", "core.pager=cat", "-C", dir}, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Env = append(cmd.Environ(), "GIT_PAGER=cat", "GIT_EXTERNAL_DIFF=", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && args[0] == "rev-parse" {
			return nil, err
		}
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 500 {
			msg = msg[:500] + "..."
		}
		return nil, fmt.Errorf("%w: git %s in %s: %v: %s", ErrGit, args[0], dir, err, msg)
	}
	return out, nil
}

// Parse reads a unified diff (git's, or any with ---/+++ headers and @@
// hunks) into changes by the new side's paths. Deleted files are left out.
func Parse(r io.Reader) (*Changes, error) {
	c := &Changes{Files: map[string]*File{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	var cur *File
	var newLine, oldLeft, newLeft, n int
	var gitNew string // the new path of a "diff --git" header, for hunk-less entries
	flush := func() {
		if gitNew != "" && cur == nil {
			if c.Files[gitNew] == nil {
				c.Files[gitNew] = &File{}
			}
		}
	}
	for sc.Scan() {
		n++
		line := sc.Text()
		if oldLeft > 0 || newLeft > 0 {
			switch {
			case strings.HasPrefix(line, "+"):
				add(&cur.Added, newLine)
				add(&cur.Hunks, newLine)
				newLine++
				newLeft--
			case strings.HasPrefix(line, "-"):
				oldLeft--
			case strings.HasPrefix(line, " "), line == "":
				add(&cur.Hunks, newLine)
				newLine++
				newLeft--
				oldLeft--
			case strings.HasPrefix(line, `\`): // "\ No newline at end of file"
			default:
				return nil, fmt.Errorf("%w: line %d: %q inside a hunk", ErrParse, n, short(line))
			}
			continue
		}
		switch {
		case strings.HasPrefix(line, "diff --git "):
			flush()
			cur, gitNew = nil, ""
			if _, b, ok := strings.Cut(line, " b/"); ok && !strings.HasPrefix(b, `"`) {
				gitNew = path.Clean(b) // best effort; "+++" and "rename to" win
			}
		case strings.HasPrefix(line, "rename to "), strings.HasPrefix(line, "copy to "):
			_, p, _ := strings.Cut(line, " to ")
			p, err := unquote(p)
			if err != nil {
				return nil, fmt.Errorf("%w: line %d: %v", ErrParse, n, err)
			}
			gitNew = path.Clean(p)
		case strings.HasPrefix(line, "deleted file mode"):
			gitNew = ""
		case strings.HasPrefix(line, "--- "):
		case strings.HasPrefix(line, "+++ "):
			p := strings.TrimPrefix(line, "+++ ")
			if strings.HasPrefix(p, `"`) {
				var err error
				if p, err = unquote(p); err != nil {
					return nil, fmt.Errorf("%w: line %d: %v", ErrParse, n, err)
				}
			} else {
				p, _, _ = strings.Cut(p, "\t") // a timestamp, or git's tab after a name with spaces
			}
			if p == "/dev/null" {
				cur, gitNew = &File{}, "" // a deleted file: its hunks are read and dropped
				continue
			}
			p = path.Clean(strings.TrimPrefix(p, "b/"))
			if cur = c.Files[p]; cur == nil {
				cur = &File{}
				c.Files[p] = cur
			}
			gitNew = ""
		case strings.HasPrefix(line, "@@ "):
			if cur == nil {
				return nil, fmt.Errorf("%w: line %d: hunk without a +++ header", ErrParse, n)
			}
			var err error
			if oldLeft, newLeft, newLine, err = hunk(line); err != nil {
				return nil, fmt.Errorf("%w: line %d: %v", ErrParse, n, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrParse, err)
	}
	if oldLeft > 0 || newLeft > 0 {
		return nil, fmt.Errorf("%w: the last hunk is cut short", ErrParse)
	}
	flush()
	return c, nil
}

// hunk parses "@@ -a,b +c,d @@": the old and new line counts and the
// new side's first line.
func hunk(line string) (oldN, newN, newStart int, err error) {
	f := strings.Fields(line)
	if len(f) < 4 || f[3] != "@@" || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q", short(line))
	}
	_, oldN, err = span(f[1][1:])
	if err != nil {
		return 0, 0, 0, err
	}
	newStart, newN, err = span(f[2][1:])
	return oldN, newN, newStart, err
}

// span parses "start[,count]"; count defaults to 1.
func span(s string) (start, count int, err error) {
	a, b, ok := strings.Cut(s, ",")
	if start, err = strconv.Atoi(a); err != nil || start < 0 {
		return 0, 0, fmt.Errorf("bad hunk range %q", s)
	}
	count = 1
	if ok {
		if count, err = strconv.Atoi(b); err != nil || count < 0 {
			return 0, 0, fmt.Errorf("bad hunk range %q", s)
		}
	}
	return start, count, nil
}

// add appends line to rs, extending the last range when adjacent.
func add(rs *[]Range, line int) {
	if k := len(*rs); k > 0 && (*rs)[k-1].End+1 >= line {
		(*rs)[k-1].End = max((*rs)[k-1].End, line)
		return
	}
	*rs = append(*rs, Range{line, line})
}

// unquote undoes git's C-style quoting of a path ("a\tb" in quotes).
func unquote(p string) (string, error) {
	if !strings.HasPrefix(p, `"`) {
		return p, nil
	}
	s, err := strconv.Unquote(p)
	if err != nil {
		return "", fmt.Errorf("bad quoted path %s", short(p))
	}
	return s, nil
}

func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
