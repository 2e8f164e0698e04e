package project

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// ignoreFile is the patterns of one .gitignore file. base is the
// directory that holds it, relative to the scan root ("" for the root);
// for a .gitignore above the root, base is "" and prefix is the root's
// path relative to the file's directory, so that patterns are matched
// against prefix + "/" + the path under the root.
type ignoreFile struct {
	base, prefix string
	pats         []ignorePattern
}

// ignorePattern is one line of a .gitignore.
type ignorePattern struct {
	glob     string // doublestar pattern, matched against the path or the name
	negate   bool   // "!pattern": re-include
	dirOnly  bool   // "pattern/": directories only
	anchored bool   // contains a "/" before its end: matched against the path
}

// parseIgnore reads .gitignore lines with git's rules (gitignore(5)):
// blank lines and "#" comments are skipped, "!" negates, a trailing "/"
// matches directories only, a "/" elsewhere anchors the pattern to the
// file's directory, and "**" matches any number of directories.
func parseIgnore(data []byte) []ignorePattern {
	var pats []ignorePattern
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		// Trailing spaces are ignored unless escaped with a backslash.
		for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, `\ `) {
			line = line[:len(line)-1]
		}
		if line == "" || line[0] == '#' {
			continue
		}
		var p ignorePattern
		if line[0] == '!' {
			p.negate, line = true, line[1:]
		} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
			line = line[1:]
		}
		if strings.HasSuffix(line, "/") {
			p.dirOnly, line = true, strings.TrimRight(line, "/")
		}
		if line == "" {
			continue
		}
		if strings.Contains(line, "/") {
			p.anchored, line = true, strings.TrimPrefix(line, "/")
		}
		// gitignore has no {a,b} alternatives: braces are literal.
		line = strings.NewReplacer("{", `\{`, "}", `\}`).Replace(line)
		if !doublestar.ValidatePattern(line) {
			continue
		}
		p.glob = line
		pats = append(pats, p)
	}
	return pats
}

// match reports whether the file decides rel (relative to the scan root),
// and if so whether it ignores it.
func (f *ignoreFile) match(rel string, dir bool) (decided, ignored bool) {
	p := rel
	if f.base != "" {
		if !strings.HasPrefix(rel, f.base+"/") {
			return false, false
		}
		p = rel[len(f.base)+1:]
	}
	if f.prefix != "" {
		p = f.prefix + "/" + p
	}
	name := path.Base(p)
	for i := len(f.pats) - 1; i >= 0; i-- {
		pt := &f.pats[i]
		if pt.dirOnly && !dir {
			continue
		}
		subject := name
		if pt.anchored {
			subject = p
		}
		if ok, _ := doublestar.Match(pt.glob, subject); ok {
			return true, !pt.negate
		}
	}
	return false, false
}

// ignorer holds the .gitignore files that apply while walking: those
// above the root (up to the repository's top, the directory holding .git)
// and those of the directories walked so far.
type ignorer struct {
	files []*ignoreFile // outermost first
}

// ignored reports whether rel is ignored: the deepest .gitignore that
// has a matching pattern decides, and within it the last pattern.
func (ig *ignorer) ignored(rel string, dir bool) bool {
	for i := len(ig.files) - 1; i >= 0; i-- {
		if decided, ign := ig.files[i].match(rel, dir); decided {
			return ign
		}
	}
	return false
}

// load reads dir/.gitignore (dir relative to root) when it exists.
func (ig *ignorer) load(root, dir string) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(dir), ".gitignore"))
	if err != nil {
		return
	}
	if pats := parseIgnore(data); len(pats) > 0 {
		base := dir
		if base == "." {
			base = ""
		}
		ig.files = append(ig.files, &ignoreFile{base: base, pats: pats})
	}
}

// loadAbove reads the .gitignore files of root's ancestors, up to the
// top of the git repository that holds root; none when root is not in
// one (or is its top).
func (ig *ignorer) loadAbove(root string) {
	if _, err := os.Stat(filepath.Join(root, ".git")); err == nil {
		return
	}
	var above []*ignoreFile
	prefix := filepath.Base(root)
	for dir := filepath.Dir(root); ; dir = filepath.Dir(dir) {
		if data, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err == nil {
			if pats := parseIgnore(data); len(pats) > 0 {
				above = append(above, &ignoreFile{prefix: prefix, pats: pats})
			}
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			return // not in a git repository: the files found do not apply
		}
		prefix = filepath.Base(dir) + "/" + prefix
	}
	for i := len(above) - 1; i >= 0; i-- {
		ig.files = append(ig.files, above[i])
	}
}
