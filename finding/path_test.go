package finding

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizePath(t *testing.T) {
	const (
		posixRoot = "/src/app"
		winRoot   = `C:\src\app`
	)
	tests := []struct {
		reason string
		root   string
		p      string
		want   string // "" means an error
		escape bool   // the error must wrap ErrPathOutsideRoot
	}{
		// Relative paths.
		{reason: "plain relative path", root: posixRoot, p: "cmd/main.go", want: "cmd/main.go"},
		{reason: "leading ./", root: posixRoot, p: "./cmd/main.go", want: "cmd/main.go"},
		{reason: "several ./ and //", root: posixRoot, p: ".//cmd/./main.go", want: "cmd/main.go"},
		{reason: "x/../y is cleaned", root: posixRoot, p: "x/../y.go", want: "y.go"},
		{reason: "trailing slash dropped", root: posixRoot, p: "cmd/", want: "cmd"},
		{reason: "relative path with empty root", root: "", p: "./a/b/../c.go", want: "a/c.go"},
		{reason: "relative path with relative root", root: "src", p: "a.go", want: "a.go"},
		{reason: "backslash separators", root: posixRoot, p: `cmd\tool\main.go`, want: "cmd/tool/main.go"},
		{reason: ".\\ prefix", root: winRoot, p: `.\cmd\main.go`, want: "cmd/main.go"},
		{reason: "mixed separators", root: winRoot, p: `cmd/tool\main.go`, want: "cmd/tool/main.go"},
		{reason: "dots inside a name are not an element", root: posixRoot, p: "a..b/c...go", want: "a..b/c...go"},
		{reason: "percent kept in a plain path", root: posixRoot, p: "100%20.txt", want: "100%20.txt"},
		{reason: "unicode name", root: posixRoot, p: "docs/résumé.md", want: "docs/résumé.md"},
		{reason: "a colon that is not a drive", root: posixRoot, p: "ab:c.txt", want: "ab:c.txt"},

		// Escapes from relative paths.
		{reason: "../x escapes", root: posixRoot, p: "../x.go", escape: true},
		{reason: "bare .. escapes", root: posixRoot, p: "..", escape: true},
		{reason: "x/../../y escapes after cleaning", root: posixRoot, p: "x/../../y.go", escape: true},
		{reason: "..\\x escapes", root: winRoot, p: `..\x.go`, escape: true},
		{reason: "escape with empty root", root: "", p: "a/../../b", escape: true},

		// %SRCROOT%.
		{reason: "%SRCROOT%/", root: posixRoot, p: "%SRCROOT%/cmd/main.go", want: "cmd/main.go"},
		{reason: "%SRCROOT%\\", root: winRoot, p: `%SRCROOT%\cmd\main.go`, want: "cmd/main.go"},
		{reason: "%SRCROOT% in lower case", root: posixRoot, p: "%srcroot%/a.go", want: "a.go"},
		{reason: "%SRCROOT% with empty root", root: "", p: "%SRCROOT%/a.go", want: "a.go"},
		{reason: "%SRCROOT%/.. escapes", root: posixRoot, p: "%SRCROOT%/../a.go", escape: true},
		{reason: "%SRCROOT% alone is the root", root: posixRoot, p: "%SRCROOT%"},
		{reason: "%SRCROOT%/ alone is the root", root: posixRoot, p: "%SRCROOT%/"},
		{reason: "%SRCROOT% without separator", root: posixRoot, p: "%SRCROOT%a.go"},

		// Absolute POSIX paths.
		{reason: "absolute under root", root: posixRoot, p: "/src/app/cmd/main.go", want: "cmd/main.go"},
		{reason: "root with trailing slash", root: "/src/app/", p: "/src/app/a.go", want: "a.go"},
		{reason: "root with ./ and ..", root: "/src/x/../app/.", p: "/src/app/a.go", want: "a.go"},
		{reason: "absolute path with .. inside root", root: posixRoot, p: "/src/app/x/../a.go", want: "a.go"},
		{reason: "root /", root: "/", p: "/etc/passwd", want: "etc/passwd"},
		{reason: "double slash", root: posixRoot, p: "//src//app//a.go", want: "a.go"},
		{reason: "absolute path outside root", root: posixRoot, p: "/etc/passwd", escape: true},
		{reason: "sibling with root as prefix", root: posixRoot, p: "/src/application/a.go", escape: true},
		{reason: "absolute path climbing out of root", root: posixRoot, p: "/src/app/../other/a.go", escape: true},
		{reason: "names the root itself", root: posixRoot, p: "/src/app"},
		{reason: "names the root itself with slash", root: posixRoot, p: "/src/app/"},
		{reason: "absolute path with empty root", root: "", p: "/src/app/a.go"},
		{reason: "absolute path with relative root", root: "src/app", p: "/src/app/a.go"},
		{reason: "case matters outside drive letters", root: posixRoot, p: "/SRC/app/a.go", escape: true},

		// file:// URIs.
		{reason: "file:///abs", root: posixRoot, p: "file:///src/app/cmd/main.go", want: "cmd/main.go"},
		{reason: "file:/abs (one slash)", root: posixRoot, p: "file:/src/app/a.go", want: "a.go"},
		{reason: "FILE scheme in upper case", root: posixRoot, p: "FILE:///src/app/a.go", want: "a.go"},
		{reason: "file://localhost/abs", root: posixRoot, p: "file://localhost/src/app/a.go", want: "a.go"},
		{reason: "percent-encoded space", root: posixRoot, p: "file:///src/app/my%20dir/a%20b.go", want: "my dir/a b.go"},
		{reason: "percent-encoded UTF-8", root: posixRoot, p: "file:///src/app/r%C3%A9sum%C3%A9.md", want: "résumé.md"},
		{reason: "percent-encoded root", root: "file:///src/my%20app", p: "/src/my app/a.go", want: "a.go"},
		{reason: "root as file URI", root: "file:///src/app/", p: "file:///src/app/a.go", want: "a.go"},
		{reason: "relative file URI", root: posixRoot, p: "file:cmd/main.go", want: "cmd/main.go"},
		{reason: "file URI outside root", root: posixRoot, p: "file:///etc/passwd", escape: true},
		{reason: "file URI escaping by ..", root: posixRoot, p: "file:///src/app/../../etc/passwd", escape: true},
		{reason: "percent-encoded .. escapes", root: posixRoot, p: "file:///src/app/%2E%2E/x", escape: true},
		{reason: "bad percent-encoding", root: posixRoot, p: "file:///src/app/a%zz.go"},
		{reason: "percent-encoded NUL", root: posixRoot, p: "file:///src/app/a%00.go"},
		{reason: "percent-encoded invalid UTF-8", root: posixRoot, p: "file:///src/app/a%FF.go"},
		{reason: "file URI with a query", root: posixRoot, p: "file:///src/app/a.go?x=1"},
		{reason: "file URI with a fragment", root: posixRoot, p: "file:///src/app/a.go#L3"},
		{reason: "file URI without path", root: posixRoot, p: "file://"},
		{reason: "other schemes are refused", root: posixRoot, p: "https://example.com/a.go"},
		{reason: "file URI with empty root", root: "", p: "file:///src/app/a.go"},

		// Windows.
		{reason: "C:\\ path under C:\\ root", root: winRoot, p: `C:\src\app\cmd\main.go`, want: "cmd/main.go"},
		{reason: "C:/ path", root: winRoot, p: "C:/src/app/cmd/main.go", want: "cmd/main.go"},
		{reason: "drive letter case differs", root: winRoot, p: `c:\src\app\a.go`, want: "a.go"},
		{reason: "lower-case root drive", root: `c:/src/app/`, p: `C:\src\app\a.go`, want: "a.go"},
		{reason: "root with trailing backslash", root: `C:\src\app\`, p: `C:\src\app\a.go`, want: "a.go"},
		{reason: "file:///C:/", root: winRoot, p: "file:///C:/src/app/a.go", want: "a.go"},
		{reason: "file:///c:/ with percent-encoding", root: winRoot, p: "file:///c:/src/app/my%20file.go", want: "my file.go"},
		{reason: "file:///C:%5C encoded backslashes", root: winRoot, p: "file:///C:%5Csrc%5Capp%5Ca.go", want: "a.go"},
		{reason: "file://C:/ (two slashes)", root: winRoot, p: "file://C:/src/app/a.go", want: "a.go"},
		{reason: "root as file URI, path as C:\\", root: "file:///C:/src/app", p: `C:\src\app\a.go`, want: "a.go"},
		{reason: "/C:/ as written by some tools", root: winRoot, p: "/C:/src/app/a.go", want: "a.go"},
		{reason: "drive root", root: `D:\`, p: `D:\work\a.go`, want: "work/a.go"},
		{reason: "Win32 device path", root: winRoot, p: `\\?\C:\src\app\a.go`, want: "a.go"},
		{reason: "drive-relative C:x is refused", root: winRoot, p: "C:src/app/a.go"},
		{reason: "other drive", root: winRoot, p: `D:\src\app\a.go`, escape: true},
		{reason: "windows path with POSIX root", root: posixRoot, p: `C:\src\app\a.go`, escape: true},
		{reason: "POSIX path with windows root", root: winRoot, p: "/src/app/a.go", escape: true},
		{reason: "windows path outside root", root: winRoot, p: `C:\Windows\system.ini`, escape: true},
		{reason: "windows path climbing out", root: winRoot, p: `C:\src\app\..\..\x.go`, escape: true},
		{reason: "windows path with empty root", root: "", p: `C:\src\app\a.go`},
		{reason: "windows path naming the root", root: winRoot, p: `C:\src\app\`},

		// UNC.
		{reason: "UNC path under UNC root", root: `\\server\share\app`, p: `\\server\share\app\a.go`, want: "a.go"},
		{reason: "UNC host case differs", root: `\\SERVER\share\app`, p: `\\server\share\app\a.go`, want: "a.go"},
		{reason: "file://host/ is UNC", root: `\\server\share\app`, p: "file://server/share/app/a.go", want: "a.go"},
		{reason: "file://// is UNC", root: `\\server\share\app`, p: "file:////server/share/app/a.go", want: "a.go"},
		{reason: "UNC on another host", root: `\\server\share\app`, p: `\\other\share\app\a.go`, escape: true},
		{reason: "file://host with POSIX root", root: posixRoot, p: "file://server/src/app/a.go", escape: true},

		// Bad input.
		{reason: "empty path", root: posixRoot, p: ""},
		{reason: "the root as .", root: posixRoot, p: "."},
		{reason: "the root as ./", root: posixRoot, p: "./"},
		{reason: "x/.. is the root", root: posixRoot, p: "x/.."},
		{reason: "invalid UTF-8", root: posixRoot, p: "a\xff.go"},
		{reason: "NUL byte", root: posixRoot, p: "a\x00.go"},
		{reason: "bad root", root: "%SRCROOT%", p: "/src/app/a.go"},
		{reason: "root with invalid UTF-8", root: "/src/\xff", p: "/src/\xff/a.go"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got, err := NormalizePath(tt.root, tt.p)
			if tt.want != "" {
				if err != nil {
					t.Fatalf("NormalizePath(%q, %q): %v", tt.root, tt.p, err)
				}
				if got != tt.want {
					t.Fatalf("NormalizePath(%q, %q) = %q, want %q", tt.root, tt.p, got, tt.want)
				}
				checkNormalized(t, got)
				// Normalizing is idempotent.
				if again, err := NormalizePath(tt.root, got); err != nil || again != got {
					t.Errorf("NormalizePath(%q, %q) = %q, %v; want it unchanged", tt.root, got, again, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("NormalizePath(%q, %q) = %q, want an error", tt.root, tt.p, got)
			}
			if got != "" {
				t.Errorf("NormalizePath(%q, %q) returned %q with its error", tt.root, tt.p, got)
			}
			if !strings.HasPrefix(err.Error(), "finding: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if errors.Is(err, ErrPathOutsideRoot) != tt.escape {
				t.Errorf("NormalizePath(%q, %q): %v; errors.Is(ErrPathOutsideRoot) = %v, want %v",
					tt.root, tt.p, err, !tt.escape, tt.escape)
			}
		})
	}
}

// checkNormalized checks the promises NormalizePath makes about a result.
func checkNormalized(t *testing.T, p string) {
	t.Helper()
	if p == "" || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "./") || strings.Contains(p, `\`) {
		t.Errorf("result %q is not a clean relative slash path", p)
	}
	for _, e := range strings.Split(p, "/") {
		if e == "" || e == "." || e == ".." {
			t.Errorf("result %q has the element %q", p, e)
		}
	}
}
