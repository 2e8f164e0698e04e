package finding

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lineHashVectors is where the shared reference vectors live: ../shared
// beside the repository root, which CI always checks out.
const lineHashVectors = "../../shared/vectors/primary-location-line-hash"

func TestLineHashesVectors(t *testing.T) {
	if _, err := os.Stat("../../shared"); errors.Is(err, fs.ErrNotExist) {
		t.Skip("../shared is missing: the primaryLocationLineHash vectors live in ../shared/vectors beside the repository root, which only CI checks out")
	}
	data, err := os.ReadFile(filepath.Join(lineHashVectors, "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vectors []struct {
		File string `json:"file"`
		Line int    `json:"line"`
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatalf("vectors.json: %v", err)
	}
	if len(vectors) == 0 {
		t.Fatal("vectors.json holds no vectors")
	}

	byFile := map[string][]string{}
	var order []string
	for _, v := range vectors {
		if _, ok := byFile[v.File]; !ok {
			order = append(order, v.File)
			content, err := os.ReadFile(filepath.Join(lineHashVectors, filepath.FromSlash(v.File)))
			if err != nil {
				t.Fatal(err)
			}
			byFile[v.File] = LineHashes(content)
		}
	}

	matched := 0
	perFile := map[string]int{}
	for _, v := range vectors {
		got := byFile[v.File]
		perFile[v.File]++
		if v.Line < 1 || v.Line > len(got) {
			t.Errorf("%s line %d: LineHashes returned only %d lines", v.File, v.Line, len(got))
			continue
		}
		if got[v.Line-1] != v.Hash {
			t.Errorf("%s line %d: got %s, want %s", v.File, v.Line, got[v.Line-1], v.Hash)
			continue
		}
		matched++
	}
	// The vectors list every line the reference reports, so the line
	// counts must agree too.
	for _, f := range order {
		if n := len(byFile[f]); n != perFile[f] {
			t.Errorf("%s: LineHashes returned %d lines, the reference reports %d", f, n, perFile[f])
		}
	}
	t.Logf("%d of %d vectors matched, in %d samples", matched, len(vectors), len(order))
}

func TestLineHashesSynthetic(t *testing.T) {
	const lastEmpty = "c129715d7a2bc9a3:1" // README: an empty last line
	tests := []struct {
		reason  string
		content string
		check   func(t *testing.T, got []string)
	}{
		{
			reason:  "empty content has one line",
			content: "",
			check: func(t *testing.T, got []string) {
				if len(got) != 1 {
					t.Fatalf("got %d lines, want 1", len(got))
				}
			},
		},
		{
			reason:  "a trailing newline adds an empty last line",
			content: "a\n",
			check: func(t *testing.T, got []string) {
				if len(got) != 2 || got[1] != lastEmpty {
					t.Fatalf("got %q, want 2 lines ending with %s", got, lastEmpty)
				}
			},
		},
		{
			reason:  "LF, CRLF and CR give the same hashes",
			content: "x := 1\r\ny := 2\rz := 3\n",
			check: func(t *testing.T, got []string) {
				want := LineHashes([]byte("x := 1\ny := 2\nz := 3\n"))
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Fatalf("got %q, want %q", got, want)
				}
			},
		},
		{
			reason:  "spaces and tabs are ignored",
			content: "\t a = b \nc",
			check: func(t *testing.T, got []string) {
				want := LineHashes([]byte("a=b\nc"))
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Fatalf("got %q, want %q", got, want)
				}
			},
		},
		{
			reason:  "a line whose 100-character window is identical repeats with :2",
			content: strings.Repeat("x", 300) + "\n" + strings.Repeat("x", 300),
			check: func(t *testing.T, got []string) {
				hex1, n1, _ := strings.Cut(got[0], ":")
				hex2, n2, _ := strings.Cut(got[1], ":")
				if hex1 != hex2 || n1 != "1" || n2 != "2" {
					t.Fatalf("got %q, want the same hex with counts 1 and 2", got)
				}
			},
		},
		{
			reason:  "a character outside the BMP counts as two UTF-16 units",
			content: "\U0001F600" + strings.Repeat("a", 99) + "b",
			check: func(t *testing.T, got []string) {
				// 2 units + 98 a's fill the window: the last a and the b
				// are outside it.
				want := LineHashes([]byte("\U0001F600" + strings.Repeat("a", 98) + "c"))
				if got[0] != want[0] {
					t.Fatalf("got %s, want %s", got[0], want[0])
				}
			},
		},
		{
			reason:  "a truncated sequence is one U+FFFD, like the WHATWG decoder",
			content: "a\xe2\x82b",
			check: func(t *testing.T, got []string) {
				want := LineHashes([]byte("a\uFFFDb"))
				if got[0] != want[0] {
					t.Fatalf("got %s, want %s", got[0], want[0])
				}
			},
		},
		{
			reason:  "a byte order mark is a character",
			content: "\uFEFFa",
			check: func(t *testing.T, got []string) {
				if got[0] == LineHashes([]byte("a"))[0] {
					t.Fatal("the BOM was ignored")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			got := LineHashes([]byte(tt.content))
			for i, h := range got {
				hex, n, ok := strings.Cut(h, ":")
				if !ok || hex == "" || n == "" || (len(hex) > 1 && hex[0] == '0') {
					t.Errorf("line %d: malformed hash %q", i+1, h)
				}
			}
			tt.check(t, got)
		})
	}
}

func TestDecodeUTF8(t *testing.T) {
	tests := []struct {
		reason string
		in     string
		r      rune
		size   int
	}{
		{"ASCII", "a", 'a', 1},
		{"2-byte", "é", 'é', 2},
		{"3-byte", "€", '€', 3},
		{"4-byte", "😀", '😀', 4},
		{"lone continuation byte", "\x80", 0xFFFD, 1},
		{"overlong 2-byte lead", "\xc0\xaf", 0xFFFD, 1},
		{"invalid lead FF", "\xff", 0xFFFD, 1},
		{"truncated 3-byte at the end", "\xe2\x82", 0xFFFD, 2},
		{"truncated 3-byte before ASCII", "\xe2\x82a", 0xFFFD, 2},
		{"truncated 4-byte", "\xf0\x9f\x98 ", 0xFFFD, 3},
		{"overlong 3-byte E0 80", "\xe0\x80\x80", 0xFFFD, 1},
		{"surrogate ED A0", "\xed\xa0\x80", 0xFFFD, 1},
		{"above U+10FFFF", "\xf4\x90\x80\x80", 0xFFFD, 1},
		{"largest code point", "\xf4\x8f\xbf\xbf", 0x10FFFF, 4},
		{"U+FFFF", "\xef\xbf\xbf", 0xFFFF, 3},
	}
	for _, tt := range tests {
		r, size := decodeUTF8([]byte(tt.in))
		if r != tt.r || size != tt.size {
			t.Errorf("%s: decodeUTF8(%q) = %U, %d; want %U, %d", tt.reason, tt.in, r, size, tt.r, tt.size)
		}
	}
}

func BenchmarkLineHashes(b *testing.B) {
	line := []byte("\tif err := store.Put(ctx, key, value); err != nil { return fmt.Errorf(\"put %s: %w\", key, err) }\n")
	content := bytes.Repeat(line, (1<<20)/len(line)+1)[:1<<20]
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	for b.Loop() {
		LineHashes(content)
	}
}
