package containerimage

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/internal/dockerfile"
)

// Dockerfile is the Dockerfile that built an image, as far as telling
// which instruction added which layer needs.
type Dockerfile struct {
	// Path is the file, relative to the scan root, with "/".
	Path string
	// Instructions are its instructions in order.
	Instructions []Instruction
}

// Instruction is one instruction of a Dockerfile.
type Instruction struct {
	// Cmd is the keyword in upper case: "FROM", "RUN", "COPY"…
	Cmd string
	// Value is the text after the keyword, continuation lines joined.
	Value string
	// Line and EndLine are its first and last lines (from 1).
	Line, EndLine int
	// Stage counts the FROM instructions before it (the first stage's
	// FROM and instructions are stage 0).
	Stage int
}

// ReadDockerfile reads the Dockerfile at p (relative to root, or
// absolute), which must be under root.
func ReadDockerfile(root, p string) (*Dockerfile, error) {
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(root, p)
	}
	rel, err := finding.NormalizePath(root, abs)
	if err != nil {
		return nil, fmt.Errorf("dockerfile %s: %w", p, err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("dockerfile: %w", err)
	}
	return &Dockerfile{Path: rel, Instructions: ParseDockerfile(data)}, nil
}

// ParseDockerfile reads a Dockerfile's instructions leniently, as the
// built-in IaC rules do (package internal/dockerfile: comments, parser
// directives, continuations, heredocs), each with its stage; an
// instruction's Value has its blanks collapsed, as image histories write
// commands.
func ParseDockerfile(data []byte) []Instruction {
	f := dockerfile.Parse(data)
	var out []Instruction
	add := func(in *dockerfile.Instruction, stage int) {
		out = append(out, Instruction{Cmd: in.Cmd, Value: strings.Join(strings.Fields(in.Value), " "),
			Line: in.Line, EndLine: in.EndLine, Stage: stage})
	}
	for _, in := range f.Args {
		add(in, 0)
	}
	for _, st := range f.Stages {
		for _, in := range st.Instructions {
			add(in, st.Index)
		}
	}
	return out
}

// attribute returns, for each layer of im, the instruction of df that
// added it, or nil where the history does not tell.
//
// The layers of the last stage's instructions are the image's last ones:
// walking both back from the end, each layer is paired with the last
// unpaired RUN, COPY, ADD or WORKDIR instruction when its history command
// is one of the same keyword (BuildKit's "RUN /bin/sh -c … # buildkit",
// "COPY src dst # buildkit"; the classic builder's "/bin/sh -c …" and
// "/bin/sh -c #(nop) COPY file:… in dst"), whose command (RUN) or
// destination (COPY, ADD) agrees when both are absolute. A WORKDIR may
// add no layer and is skipped. Once every such instruction is paired, the
// layers below come from the base image: the last stage's FROM. At the
// first disagreement the pairing stops, and the layers not yet paired stay
// unknown.
func attribute(im *Image, df *Dockerfile) []*Instruction {
	out := make([]*Instruction, len(im.Layers))
	if df == nil {
		return out
	}
	last, from := -1, -1
	for i := range df.Instructions {
		if df.Instructions[i].Cmd == "FROM" {
			last, from = df.Instructions[i].Stage, i
		}
	}
	if from < 0 {
		return out
	}
	var steps []int // the last stage's layer instructions, in order
	for i := from + 1; i < len(df.Instructions); i++ {
		switch df.Instructions[i].Cmd {
		case "RUN", "COPY", "ADD", "WORKDIR":
			if df.Instructions[i].Stage == last {
				steps = append(steps, i)
			}
		}
	}
	j := len(steps) - 1
	for li := len(im.Layers) - 1; li >= 0; li-- {
		kw, arg := historyCommand(im.Layers[li].CreatedBy)
		if kw == "" {
			return out
		}
		for j >= 0 && df.Instructions[steps[j]].Cmd == "WORKDIR" && kw != "WORKDIR" {
			j--
		}
		if j < 0 {
			// Every instruction of the stage is paired: the rest is the
			// base image's.
			for k := li; k >= 0; k-- {
				out[k] = &df.Instructions[from]
			}
			return out
		}
		in := &df.Instructions[steps[j]]
		if in.Cmd != kw || !sameArgument(in, arg) {
			return out
		}
		out[li] = in
		j--
	}
	return out
}

var (
	reBuildKit = regexp.MustCompile(`^(RUN|COPY|ADD|WORKDIR) (.*?)(?: # buildkit)?$`)
	reNop      = regexp.MustCompile(`^/bin/sh -c #\(nop\)\s+(COPY|ADD|WORKDIR)\s+(.*)$`)
)

// historyCommand reads a history entry's command: the instruction's
// keyword, and its shell command (RUN) or destination (COPY, ADD, WORKDIR)
// when it can be told.
func historyCommand(createdBy string) (kw, arg string) {
	s := strings.TrimSpace(createdBy)
	if m := reNop.FindStringSubmatch(s); m != nil {
		kw, arg = m[1], strings.TrimSpace(m[2])
		if kw != "WORKDIR" {
			if _, dst, ok := strings.Cut(arg, " in "); ok {
				return kw, strings.TrimSpace(dst)
			}
			return kw, ""
		}
		return kw, arg
	}
	if m := reBuildKit.FindStringSubmatch(s); m != nil {
		kw, arg = m[1], strings.TrimSpace(m[2])
		switch kw {
		case "RUN":
			return kw, shellCommand(arg)
		case "COPY", "ADD":
			f := strings.Fields(arg)
			if len(f) == 0 {
				return kw, ""
			}
			return kw, f[len(f)-1]
		}
		return kw, arg
	}
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c "); ok && !strings.HasPrefix(rest, "#(nop)") {
		return "RUN", strings.Join(strings.Fields(rest), " ")
	}
	return "", ""
}

// shellCommand strips the "/bin/sh -c" a shell-form RUN runs under; an
// exec-form RUN ("[…]") is returned as is.
func shellCommand(s string) string {
	for _, sh := range []string{"/bin/sh -c ", "/bin/bash -c "} {
		if rest, ok := strings.CutPrefix(s, sh); ok {
			s = rest
			break
		}
	}
	return strings.Join(strings.Fields(s), " ")
}

// sameArgument reports whether a history command's argument agrees with
// the instruction: a RUN's command, a COPY's or ADD's absolute destination
// (a relative one, or one only the history knows, agrees with anything).
func sameArgument(in *Instruction, arg string) bool {
	if arg == "" {
		return true
	}
	switch in.Cmd {
	case "RUN":
		v := in.Value
		if strings.HasPrefix(v, "--") { // RUN --mount=…: BuildKit leaves the flags out
			for strings.HasPrefix(v, "--") {
				_, v, _ = strings.Cut(v, " ")
			}
		}
		if strings.HasPrefix(v, "[") {
			return true // exec form: BuildKit writes the array its own way
		}
		return strings.Join(strings.Fields(v), " ") == arg
	case "COPY", "ADD":
		f := strings.Fields(in.Value)
		if len(f) == 0 {
			return true
		}
		dst := strings.Trim(f[len(f)-1], `"[]`)
		if !strings.HasPrefix(dst, "/") || !strings.HasPrefix(arg, "/") {
			return true
		}
		return strings.TrimSuffix(dst, "/") == strings.TrimSuffix(arg, "/")
	}
	return true
}
