package dockerfile

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseDockerfile(t *testing.T) {
	src := "# escape=`\n" +
		"# comment\n" +
		"ARG BASE=debian\n" +
		"ARG TAG\n" +
		"FROM --platform=$BUILDPLATFORM ${BASE}:${TAG:-12} AS Build\n" +
		"RUN apt-get update && `\n" +
		"\n" +
		"    # dropped comment\n" +
		"    apt-get install -y curl\r\n" +
		"ENV A=1 B=\"two words\" C='x y'\n" +
		"ENV LEGACY some value\n" +
		"ARG NOVALUE\n" +
		"copy --from=build --chmod=644 [\"a b\", \"/dst/\"]\n" +
		"RUN <<-EOT bash\n" +
		"\techo FROM inside\n" +
		"\tEOT\n" +
		"FROM build\n" +
		"USER 1000:1000\n"
	df := Parse([]byte(src))
	if len(df.Args) != 2 || df.Args[0].Cmd != "ARG" || df.Args[0].Line != 3 {
		t.Fatalf("global args %+v", df.Args)
	}
	if len(df.Stages) != 2 {
		t.Fatalf("%d stages, want 2", len(df.Stages))
	}
	st := df.Stages[0]
	if st.Image != "debian:12" || st.ImageRaw != "${BASE}:${TAG:-12}" || st.Name != "Build" || st.Platform != "$BUILDPLATFORM" || st.Line != 5 {
		t.Errorf("stage 0 %+v", st)
	}
	byCmd := func(cmd string, n int) *Instruction {
		for _, in := range st.Instructions {
			if in.Cmd == cmd {
				if n == 0 {
					return in
				}
				n--
			}
		}
		t.Fatalf("no %s #%d", cmd, n)
		return nil
	}
	run := byCmd("RUN", 0)
	if run.Line != 6 || run.EndLine != 9 || run.Value != "apt-get update &&     apt-get install -y curl" {
		t.Errorf("RUN %+v", run)
	}
	env := byCmd("ENV", 0)
	if got := pairs(env); !reflect.DeepEqual(got, map[string]string{"A": "1", "B": "two words", "C": "x y"}) {
		t.Errorf("ENV pairs %v", got)
	}
	if got := pairs(byCmd("ENV", 1)); !reflect.DeepEqual(got, map[string]string{"LEGACY": "some value"}) {
		t.Errorf("legacy ENV pairs %v", got)
	}
	if arg := byCmd("ARG", 0); len(arg.Pairs) != 1 || arg.Pairs[0].Value != nil {
		t.Errorf("ARG without a value %+v", arg.Pairs)
	}
	cp := byCmd("COPY", 0)
	if !cp.JSON || !reflect.DeepEqual(cp.Args, []string{"a b", "/dst/"}) || !reflect.DeepEqual(cp.Flags, []string{"--from=build", "--chmod=644"}) {
		t.Errorf("COPY %+v", cp)
	}
	heredoc := byCmd("RUN", 1)
	if heredoc.Line != 14 || heredoc.EndLine != 16 || !strings.Contains(heredoc.Value, "echo FROM inside") {
		t.Errorf("heredoc RUN %+v", heredoc)
	}
	if s1 := df.Stages[1]; s1.Line != 17 || s1.Image != "build" || len(s1.Instructions) != 2 {
		t.Errorf("stage 1 %+v", s1)
	}
	// The rules' input: field names as the Rego rules expect them.
	b, err := json.Marshal(df)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"stages"`, `"instructions"`, `"end_line"`, `"image_raw"`, `"pairs"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func pairs(in *Instruction) map[string]string {
	m := map[string]string{}
	for _, p := range in.Pairs {
		if p.Value != nil {
			m[p.Key] = *p.Value
		}
	}
	return m
}

func TestParseDockerfileOddInput(t *testing.T) {
	for _, src := range []string{"", "\n\n", "# only a comment", "RUN echo \\", "FROM", "\ufeffFROM alpine:3", "USER root\n"} {
		df := Parse([]byte(src))
		if df == nil || df.Stages == nil || df.Args == nil {
			t.Errorf("Parse(%q) = %+v", src, df)
		}
	}
	if df := Parse([]byte("\ufeffFROM alpine:3")); len(df.Stages) != 1 || df.Stages[0].Image != "alpine:3" {
		t.Errorf("BOM: %+v", df.Stages)
	}
}

func TestExpandArgs(t *testing.T) {
	vars := map[string]string{"A": "x", "EMPTY": ""}
	for in, want := range map[string]string{
		"img:$A":              "img:x",
		"img:${A}":            "img:x",
		"img:${B:-def}":       "img:def",
		"img:${EMPTY:-def}":   "img:def",
		"img:${A:+alt}":       "img:alt",
		"img:${B:+alt}":       "img:",
		"img:${B}":            "img:${B}",
		"$B/img":              "$B/img",
		"plain":               "plain",
		"${A}${A}-${B-other}": "xx-other",
	} {
		if got := expandArgs(in, vars); got != want {
			t.Errorf("expandArgs(%q) = %q, want %q", in, got, want)
		}
	}
}
