package finding

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"
)

// ErrPathOutsideRoot is wrapped by the errors of [NormalizePath] for a path
// that is not inside the scan root, such as "../x" or an absolute path
// elsewhere.
var ErrPathOutsideRoot = errors.New("path outside the scan root")

// srcRoot is SARIF's conventional base id for the scan root.
const srcRoot = "%SRCROOT%"

// NormalizePath turns a path that a scanner reported into a clean path
// relative to the scan root, with "/" separators, as [Location] wants.
//
// p may be
//   - a relative path ("./x.go", "a/../b.go"), taken as relative to root;
//   - an absolute path under root ("/src/app/x.go", `C:\src\app\x.go`,
//     "C:/src/app/x.go", `\\server\share\x.go`);
//   - a file URI ("file:///src/app/x.go", "file:///C:/src/app/x.go",
//     "file://server/share/x.go"), whose percent-encoding is decoded;
//   - a path that starts with "%SRCROOT%/" or `%SRCROOT%\`.
//
// Backslashes are separators wherever they appear. root may take any of
// the forms of an absolute path, or be empty; then only relative paths are
// accepted. Windows drive letters and UNC host names compare regardless of
// case; the rest of the path compares exactly.
//
// Only file URIs are decoded: a plain path keeps its "%" characters, so a
// caller holding a relative URI reference should unescape it first
// (url.PathUnescape).
//
// The result never starts with "/" or "./", never contains "\" and has no
// "." or ".." element. A path that leads outside root, such as "../x" or
// an absolute path elsewhere, is an error that wraps [ErrPathOutsideRoot].
// An empty path, a path that names root itself, one that is not valid
// UTF-8 and a URI other than a file URI are errors too. The result does not
// depend on the operating system.
func NormalizePath(root, p string) (string, error) {
	if p == "" {
		return "", errors.New("finding: empty path")
	}
	sp, err := splitPath(p, true)
	if err != nil {
		return "", fmt.Errorf("finding: path %q: %w", p, err)
	}
	if !sp.abs {
		rel := path.Clean(sp.path)
		if err := checkRel(rel); err != nil {
			return "", fmt.Errorf("finding: path %q: %w", p, err)
		}
		return rel, nil
	}

	if root == "" {
		return "", fmt.Errorf("finding: path %q is absolute and no scan root was given", p)
	}
	sr, err := splitPath(root, false)
	if err != nil {
		return "", fmt.Errorf("finding: scan root %q: %w", root, err)
	}
	if !sr.abs {
		return "", fmt.Errorf("finding: path %q is absolute and the scan root %q is not", p, root)
	}
	if !strings.EqualFold(sp.vol, sr.vol) {
		return "", fmt.Errorf("finding: path %q: %w %q", p, ErrPathOutsideRoot, root)
	}
	rootDir := path.Clean(sr.path)
	abs := path.Clean(sp.path)
	var rel string
	switch {
	case abs == rootDir:
		return "", fmt.Errorf("finding: path %q names the scan root itself", p)
	case rootDir == "/":
		rel = abs[1:]
	case strings.HasPrefix(abs, rootDir+"/"):
		rel = abs[len(rootDir)+1:]
	default:
		return "", fmt.Errorf("finding: path %q: %w %q", p, ErrPathOutsideRoot, root)
	}
	if err := checkRel(rel); err != nil {
		return "", fmt.Errorf("finding: path %q: %w", p, err)
	}
	return rel, nil
}

// checkRel checks a cleaned relative path.
func checkRel(rel string) error {
	switch {
	case rel == ".":
		return errors.New("names the scan root itself")
	case rel == ".." || strings.HasPrefix(rel, "../"):
		return ErrPathOutsideRoot
	}
	return nil
}

// splitPathResult is a path taken apart: an optional volume ("C:" or
// "//host"), whether it is absolute and the rest, with "/" separators.
type splitPathResult struct {
	vol  string
	abs  bool
	path string
}

// splitPath parses p, a path in any form NormalizePath accepts. allowBase
// says whether a leading %SRCROOT% is allowed (it is not in a root).
func splitPath(p string, allowBase bool) (splitPathResult, error) {
	var r splitPathResult
	if !utf8.ValidString(p) {
		return r, errors.New("invalid UTF-8")
	}
	if strings.IndexByte(p, 0) >= 0 {
		return r, errors.New("contains a NUL byte")
	}

	// %SRCROOT%/x: relative to the root.
	if len(p) >= len(srcRoot) && strings.EqualFold(p[:len(srcRoot)], srcRoot) {
		if !allowBase {
			return r, errors.New("%SRCROOT% cannot be a scan root")
		}
		rest := p[len(srcRoot):]
		if rest == "" {
			return r, errors.New("names the scan root itself")
		}
		if rest[0] != '/' && rest[0] != '\\' {
			return r, errors.New("no separator after %SRCROOT%")
		}
		r.path = strings.ReplaceAll(strings.TrimLeft(rest, `/\`), `\`, "/")
		if r.path == "" {
			return r, errors.New("names the scan root itself")
		}
		return r, nil
	}

	unc := strings.HasPrefix(p, `\\`)
	if hasFileScheme(p) {
		u, err := url.Parse(p)
		if err != nil {
			return r, fmt.Errorf("bad file URI: %w", err)
		}
		if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
			return r, errors.New("file URI has a query or a fragment")
		}
		switch {
		case u.Opaque != "": // file:x/y, a relative reference
			s, err := url.PathUnescape(u.Opaque)
			if err != nil {
				return r, fmt.Errorf("bad file URI: %w", err)
			}
			p = s
		case len(u.Host) == 2 && isDrive(u.Host): // file://C:/x
			p = u.Host + u.Path
		case u.Host != "" && !strings.EqualFold(u.Host, "localhost"):
			// file://server/share/x is the UNC path \\server\share\x.
			p, unc = "//"+u.Host+u.Path, true
		default:
			p = u.Path
			unc = strings.HasPrefix(p, "//") // file:////server/share
		}
		if !utf8.ValidString(p) || strings.IndexByte(p, 0) >= 0 {
			return r, errors.New("file URI decodes to invalid UTF-8 or a NUL byte")
		}
		if p == "" {
			return r, errors.New("file URI has no path")
		}
	} else if i := strings.Index(p, "://"); i > 1 && !strings.ContainsAny(p[:i], `/\`) {
		// i > 1: "C://x" is a drive, not a scheme.
		return r, fmt.Errorf("unsupported URI scheme %q", p[:i])
	}

	p = strings.ReplaceAll(p, `\`, "/")

	// Win32 device paths: //?/C:/x and //./C:/x.
	if (strings.HasPrefix(p, "//?/") || strings.HasPrefix(p, "//./")) && isDrive(p[4:]) {
		p, unc = p[4:], false
	}
	if unc {
		host, rest, _ := strings.Cut(p[2:], "/")
		if host == "" {
			return r, errors.New("UNC path has no host")
		}
		r.vol, r.abs, r.path = "//"+host, true, "/"+rest
		return r, nil
	}

	// A drive letter, also as "/C:/" from a file URI.
	if strings.HasPrefix(p, "/") && isDrive(p[1:]) {
		p = p[1:]
	}
	if isDrive(p) {
		rest := p[2:]
		if rest != "" && rest[0] != '/' {
			return r, errors.New("drive-relative path")
		}
		r.vol, r.abs, r.path = strings.ToUpper(p[:2]), true, "/"+rest
		return r, nil
	}

	r.abs = strings.HasPrefix(p, "/")
	r.path = p
	return r, nil
}

// hasFileScheme reports whether p starts with "file:", in any case.
func hasFileScheme(p string) bool {
	return len(p) >= 5 && strings.EqualFold(p[:5], "file:")
}

// isDrive reports whether p starts with a drive letter and a colon, as in
// "C:" or "c:/x".
func isDrive(p string) bool {
	if len(p) < 2 || p[1] != ':' {
		return false
	}
	c := p[0] | 0x20
	return c >= 'a' && c <= 'z'
}
