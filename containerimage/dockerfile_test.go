package containerimage_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/scanmux/scanmux/containerimage"
)

// imageWithHistory describes an image whose layers the history entries
// (non-empty ones add a layer) made.
func imageWithHistory(t *testing.T, history ...string) *containerimage.Image {
	t.Helper()
	type h struct {
		CreatedBy  string `json:"created_by"`
		EmptyLayer bool   `json:"empty_layer,omitempty"`
	}
	cfg := struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
		RootFS       struct {
			Type    string   `json:"type"`
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
		History []h `json:"history"`
	}{Architecture: "amd64", OS: "linux"}
	cfg.RootFS.Type = "layers"
	for i, c := range history {
		empty := c == "EXPOSE 80" || c == `CMD ["app"]` || c == "ENV A=1 # buildkit"
		cfg.History = append(cfg.History, h{CreatedBy: c, EmptyLayer: empty})
		if !empty {
			cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, fmt.Sprintf("sha256:%064x", i))
		}
	}
	b, _ := json.Marshal(cfg)
	im, err := containerimage.FromConfig("app:1", b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// Which line of the Dockerfile added each layer, for BuildKit's and the
// classic builder's histories; where the history and the file disagree
// the pairing stops and the rest stays unknown (0).
func TestAttributeLayers(t *testing.T) {
	base := "/bin/sh -c #(nop) ADD file:abc in / "
	for _, c := range []struct {
		name       string
		dockerfile string
		history    []string
		want       []int
	}{
		{"buildkit, multi-stage, continuation",
			"FROM golang AS build\nRUN go build -o /out/app .\n\nFROM alpine:3.16\nRUN apk add --no-cache \\\n    curl\nCOPY --from=build /out/app /usr/bin/app\nCMD [\"app\"]\n",
			[]string{base, "RUN /bin/sh -c apk add --no-cache curl # buildkit", "COPY /out/app /usr/bin/app # buildkit", `CMD ["app"]`},
			[]int{4, 5, 7}},
		{"classic builder",
			"FROM debian:12\nRUN apt-get update && apt-get install -y curl\nWORKDIR /srv\nCOPY app /srv/app\n",
			[]string{"/bin/sh -c #(nop) ADD file:1 in / ", "/bin/sh -c #(nop) ADD file:2 in /usr ",
				"/bin/sh -c apt-get update && apt-get install -y curl", "/bin/sh -c #(nop) COPY file:3 in /srv/app "},
			[]int{1, 1, 2, 4}},
		{"a WORKDIR that adds a layer",
			"FROM alpine\nWORKDIR /app\nCOPY . .\n",
			[]string{base, "WORKDIR /app", "COPY . . # buildkit"},
			[]int{1, 2, 3}},
		{"the history disagrees: the rest is unknown",
			"FROM alpine\nRUN echo one\nRUN echo two\n",
			[]string{base, "RUN /bin/sh -c echo other # buildkit", "RUN /bin/sh -c echo two # buildkit"},
			[]int{0, 0, 3}},
		{"another destination",
			"FROM alpine\nCOPY app /opt/app\n",
			[]string{base, "COPY app /usr/app # buildkit"},
			[]int{0, 0}},
		{"a history without commands",
			"FROM alpine\nRUN true\n",
			[]string{"", ""},
			[]int{0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			im := imageWithHistory(t, c.history...)
			df := &containerimage.Dockerfile{Path: "Dockerfile", Instructions: containerimage.ParseDockerfile([]byte(c.dockerfile))}
			a := containerimage.NewAnnotator(im, df)
			var got []int
			for i := range im.Layers {
				n := 0
				if in := a.Instruction(i); in != nil {
					n = in.Line
				}
				got = append(got, n)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("lines %v, want %v", got, c.want)
			}
		})
	}
}

// The parser joins continuation lines (an escape directive changes the
// character), skips comments and empty lines inside them, and numbers
// stages.
func TestParseDockerfile(t *testing.T) {
	got := containerimage.ParseDockerfile([]byte("# escape=`\n# comment\nFROM windows AS a\nRUN dir `\n  # inside\n  c:\\\n\nfrom b\ncopy x y\n"))
	want := []containerimage.Instruction{
		{Cmd: "FROM", Value: "windows AS a", Line: 3, EndLine: 3, Stage: 0},
		{Cmd: "RUN", Value: `dir c:\`, Line: 4, EndLine: 6, Stage: 0},
		{Cmd: "FROM", Value: "b", Line: 8, EndLine: 8, Stage: 1},
		{Cmd: "COPY", Value: "x y", Line: 9, EndLine: 9, Stage: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// A heredoc's body belongs to its instruction: a body line that reads like
// an instruction ("FROM …", "COPY …") is not one, and the instructions
// after the heredoc keep their lines and stage.
func TestParseDockerfileHeredoc(t *testing.T) {
	got := containerimage.ParseDockerfile([]byte("FROM alpine:3.16\nRUN <<EOF\nFROM inside\nCOPY not an instruction\nEOF\nCOPY app /app\n"))
	want := []containerimage.Instruction{
		{Cmd: "FROM", Value: "alpine:3.16", Line: 1, EndLine: 1, Stage: 0},
		{Cmd: "RUN", Value: "<<EOF FROM inside COPY not an instruction", Line: 2, EndLine: 5, Stage: 0},
		{Cmd: "COPY", Value: "app /app", Line: 6, EndLine: 6, Stage: 0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
