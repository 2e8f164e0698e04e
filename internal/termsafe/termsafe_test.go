package termsafe

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct{ in, want, reason string }{
		{"src/main.go", "src/main.go", "plain text is unchanged"},
		{`C:\src\main.go`, `C:\src\main.go`, "backslashes are kept"},
		{"é ü 日本", "é ü 日本", "printable Unicode is kept"},
		{"x\n::error file=x.go::INJECTED\n.go", `x\n::error file=x.go::INJECTED\n.go`, "the issue's file name stays on one line"},
		{"::error::x", `\x3a:error::x`, "a workflow command at the start"},
		{" \u00a0::warning::x", " \u00a0\\x3a:warning::x", "after white space the runner trims"},
		{"a ##[error]b", `a #\x23[error]b`, "a legacy workflow command anywhere"},
		{"ok\rhidden", `ok\rhidden`, "a carriage return"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`, "terminal escapes"},
		{"a\tb", `a\tb`, "tab"},
		{"\x00\x7f\u0085", `\x00\x7f\u0085`, "NUL, DEL, C1"},
		{"bad\xffutf8", `bad\xffutf8`, "invalid UTF-8"},
		{"if a \u202e{ }", `if a \u202e{ }`, "bidi override"},
		{"a\u2028b", `a\u2028b`, "line separator"},
		{"std::io::Result", "std::io::Result", "colons inside are kept"},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("%s: String(%q) = %q, want %q", tt.reason, tt.in, got, tt.want)
		}
	}
	if got := Line("a\tb\nc"); got != "a\tb\\nc" {
		t.Errorf("Line keeps tabs only: %q", got)
	}
}

func TestStringNoAlloc(t *testing.T) {
	s := strings.Repeat("src/pkg/file.go:12 ", 10)
	if n := testing.AllocsPerRun(100, func() { _ = String(s) }); n != 0 {
		t.Errorf("%v allocations for safe text", n)
	}
}

// safe checks the property every escaped string has.
func safe(t *testing.T, in, out string, keepTab bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%q -> %q: not UTF-8", in, out)
	}
	for _, r := range out {
		if (unicode.IsControl(r) && !(keepTab && r == '\t')) || unsafeRune(r) {
			t.Fatalf("%q -> %q: holds %U", in, out, r)
		}
	}
	if strings.Contains(out, "##[") || leadingColons(out) >= 0 {
		t.Fatalf("%q -> %q: holds a workflow command", in, out)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"x\n::error::y", "##[", "#\x00#[", "\u202e", "\xff", " :: "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		safe(t, s, String(s), false)
		safe(t, s, Line(s), true)
	})
}

func TestWriter(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	for _, p := range []string{"  source ", "x\x1b[2J", " done\n", "::error::raw line\n", "a ##", "[warning]b\r\n", "tail"} {
		if n, err := w.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "  source x\\x1b[2J done\n\\x3a:error::raw line\na #\\x23[warning]b\ntail"
	if out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
	}
}
