// Package dockerfile parses Dockerfiles leniently (comments, parser
// directives, continuations, heredocs, stages and their ARG defaults), for
// the built-in IaC rules (scanners/iac, which give the parse to Rego as
// JSON) and for attributing an image's layers to the instructions that
// made them (containerimage). It never fails: what it does not understand
// is skipped.
package dockerfile

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
)

// Instruction is one instruction of a Dockerfile, as the rules see it.
type Instruction struct {
	Cmd     string   `json:"cmd"`   // upper case: "FROM", "RUN" ...
	Value   string   `json:"value"` // the text after the keyword, continuations joined
	Flags   []string `json:"flags"` // leading --flags, as written
	Args    []string `json:"args"`  // the rest, split at blanks, or the exec-form array
	JSON    bool     `json:"json"`  // exec form (a JSON array)
	Line    int      `json:"line"`
	EndLine int      `json:"end_line"`
	Pairs   []Pair   `json:"pairs,omitempty"` // ENV, ARG and LABEL variables
}

// Pair is a variable of an ENV, ARG or LABEL instruction. Value is
// nil for an ARG without a default.
type Pair struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

// Stage is one build stage: a FROM and the instructions after it.
type Stage struct {
	Index        int            `json:"index"`
	Name         string         `json:"name"`      // the AS name, or ""
	Image        string         `json:"image"`     // global ARG defaults substituted
	ImageRaw     string         `json:"image_raw"` // as written
	Platform     string         `json:"platform"`
	Line         int            `json:"line"`
	Instructions []*Instruction `json:"instructions"` // FROM first
}

// File is a parsed Dockerfile.
type File struct {
	Stages []*Stage       `json:"stages"`
	Args   []*Instruction `json:"args"` // instructions before the first FROM
}

var (
	escapeDirective = regexp.MustCompile(`(?i)^#\s*escape\s*=\s*([\\` + "`" + `])\s*$`)
	directiveLine   = regexp.MustCompile(`^#\s*[a-zA-Z][a-zA-Z0-9_-]*\s*=`)
	heredocMarker   = regexp.MustCompile(`(?:^|[^<])<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)(["']?)`)
)

// Parse parses a Dockerfile leniently: it never fails, it skips
// what it does not understand. It handles comments, parser directives
// (escape), line continuations, empty lines inside continuations and
// heredocs.
func Parse(data []byte) *File {
	lines := splitLines(strings.TrimPrefix(string(data), "\ufeff"))
	escape := byte('\\')
	i := 0
	// Parser directives come first, before any other comment or blank line.
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if m := escapeDirective.FindStringSubmatch(t); m != nil {
			escape = m[1][0]
			continue
		}
		if !directiveLine.MatchString(t) {
			break
		}
	}

	var instrs []*Instruction
	for i < len(lines) {
		t := strings.TrimSpace(lines[i])
		if t == "" || t[0] == '#' {
			i++
			continue
		}
		start := i
		var b strings.Builder
		for i < len(lines) {
			l := strings.TrimRightFunc(lines[i], unicode.IsSpace)
			lt := strings.TrimSpace(l)
			if i > start && (lt == "" || lt[0] == '#') {
				i++ // comments and empty lines inside a continuation are dropped
				continue
			}
			i++
			if len(l) > 0 && l[len(l)-1] == escape {
				b.WriteString(l[:len(l)-1])
				continue
			}
			b.WriteString(l)
			break
		}
		in := newInstruction(strings.TrimSpace(b.String()), start+1)
		if in == nil {
			continue
		}
		// Heredocs: the lines up to each terminator belong to the
		// instruction.
		if in.Cmd == "RUN" || in.Cmd == "COPY" || in.Cmd == "ADD" {
			for _, m := range heredocMarker.FindAllStringSubmatch(in.Value, -1) {
				word, dash := m[3], m[1] == "-"
				for i < len(lines) {
					l := lines[i]
					i++
					cmp := strings.TrimRight(l, " \t")
					if dash {
						cmp = strings.TrimLeft(cmp, "\t")
					}
					if cmp == word {
						break
					}
					in.Value += "\n" + l
				}
			}
		}
		in.EndLine = i
		instrs = append(instrs, in)
	}

	df := &File{Stages: []*Stage{}, Args: []*Instruction{}}
	globals := map[string]string{}
	var cur *Stage
	for _, in := range instrs {
		if in.Cmd == "FROM" {
			cur = newStage(in, len(df.Stages), globals)
			df.Stages = append(df.Stages, cur)
			continue
		}
		if cur == nil {
			df.Args = append(df.Args, in)
			if in.Cmd == "ARG" {
				for _, p := range in.Pairs {
					if p.Value != nil {
						globals[p.Key] = *p.Value
					}
				}
			}
			continue
		}
		cur.Instructions = append(cur.Instructions, in)
	}
	return df
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

// newInstruction parses a logical line, or returns nil if it has no
// keyword.
func newInstruction(text string, line int) *Instruction {
	kw, rest, _ := strings.Cut(text, " ")
	if j := strings.IndexAny(kw, "\t"); j >= 0 {
		kw, rest = kw[:j], kw[j+1:]+" "+rest
	}
	if kw == "" {
		return nil
	}
	in := &Instruction{Cmd: strings.ToUpper(kw), Value: strings.TrimSpace(rest), Line: line, Flags: []string{}, Args: []string{}}
	v := in.Value
	for strings.HasPrefix(v, "--") {
		flag, after, _ := cutSpace(v)
		in.Flags = append(in.Flags, flag)
		v = after
	}
	if strings.HasPrefix(v, "[") {
		var arr []string
		if json.Unmarshal([]byte(v), &arr) == nil {
			in.JSON, in.Args = true, arr
		}
	}
	if !in.JSON {
		in.Args = strings.Fields(v)
	}
	switch in.Cmd {
	case "ENV", "LABEL":
		in.Pairs = parsePairs(v, true)
	case "ARG":
		in.Pairs = parsePairs(v, false)
	}
	return in
}

// cutSpace splits s at its first run of blanks.
func cutSpace(s string) (before, after string, found bool) {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, "", false
	}
	return s[:i], strings.TrimSpace(s[i:]), true
}

// parsePairs parses "k=v k2='v 2'" and, if legacy, ENV's old "KEY value"
// form. Quotes are removed and backslash escapes resolved.
func parsePairs(s string, legacy bool) []Pair {
	words := shellWords(s)
	if len(words) == 0 {
		return nil
	}
	if legacy && !strings.Contains(words[0].raw, "=") {
		key := words[0].text
		_, rest, _ := cutSpace(s)
		val := unquote(rest)
		return []Pair{{Key: key, Value: &val}}
	}
	pairs := make([]Pair, 0, len(words))
	for _, w := range words {
		k, v, ok := strings.Cut(w.text, "=")
		if k == "" {
			continue
		}
		p := Pair{Key: k}
		if ok {
			p.Value = &v
		}
		pairs = append(pairs, p)
	}
	return pairs
}

// word is a shell word: its raw text and its text with quotes removed.
type word struct{ raw, text string }

// shellWords splits s into words at unquoted blanks.
func shellWords(s string) []word {
	var words []word
	var raw, text strings.Builder
	var quote rune
	in := false
	flush := func() {
		if in {
			words = append(words, word{raw.String(), text.String()})
		}
		raw.Reset()
		text.Reset()
		in = false
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case quote == 0 && unicode.IsSpace(c):
			flush()
			continue
		case c == '\\' && quote != '\'' && i+1 < len(rs):
			raw.WriteRune(c)
			i++
			c = rs[i]
			raw.WriteRune(c)
			text.WriteRune(c)
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
			raw.WriteRune(c)
		case c == quote:
			quote = 0
			raw.WriteRune(c)
		default:
			raw.WriteRune(c)
			text.WriteRune(c)
		}
		in = true
	}
	flush()
	return words
}

// unquote removes one level of matching quotes around s.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// newStage builds a stage from its FROM instruction, substituting the
// global ARG defaults into the image name.
func newStage(in *Instruction, index int, globals map[string]string) *Stage {
	st := &Stage{Index: index, Line: in.Line, Instructions: []*Instruction{in}}
	for _, f := range in.Flags {
		if v, ok := strings.CutPrefix(f, "--platform="); ok {
			st.Platform = v
		}
	}
	if len(in.Args) > 0 {
		st.ImageRaw = in.Args[0]
		st.Image = expandArgs(in.Args[0], globals)
	}
	if len(in.Args) >= 3 && strings.EqualFold(in.Args[1], "AS") {
		st.Name = in.Args[2]
	}
	return st
}

var argRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// expandArgs substitutes $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alt}
// with the global ARG defaults. Unknown variables without a default stay as
// written.
func expandArgs(s string, vars map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return argRef.ReplaceAllStringFunc(s, func(m string) string {
		g := argRef.FindStringSubmatch(m)
		name, op, word := g[1], g[2], g[3]
		if name == "" {
			name = g[4]
		}
		v, ok := vars[name]
		switch op {
		case "-":
			if !ok || v == "" {
				return word
			}
		case "+":
			if ok && v != "" {
				return word
			}
			return ""
		}
		if !ok {
			return m
		}
		return v
	})
}
