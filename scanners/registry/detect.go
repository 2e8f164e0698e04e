package registry

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/scanmux/scanmux/internal/jsonlimit"
	"github.com/scanmux/scanmux/sarif"
	"github.com/scanmux/scanmux/scanners"
)

// ErrTruncated is wrapped by the error for a report that ends in the
// middle of its JSON document.
var ErrTruncated = errors.New("truncated JSON")

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// report is an opened report: its content, decompressed when the file is
// gzip-compressed, behind a buffer that holds at least its head.
type report struct {
	*bufio.Reader
	f  *os.File
	gz *gzip.Reader
}

// openReport opens the report at path, decompressing it when it starts
// with gzip's magic bytes, whatever its name.
func openReport(path string) (*report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := &report{f: f}
	br := bufio.NewReaderSize(f, scanners.DetectBytes)
	if magic, _ := br.Peek(2); bytes.Equal(magic, gzipMagic) {
		if r.gz, err = gzip.NewReader(br); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		r.gz.Multistream(true)
		br = bufio.NewReaderSize(r.gz, scanners.DetectBytes)
	}
	r.Reader = br
	return r, nil
}

// head returns the first bytes of the report, up to scanners.DetectBytes.
func (r *report) head(path string) ([]byte, error) {
	head, err := r.Peek(scanners.DetectBytes)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return head, nil
}

// Close closes the file.
func (r *report) Close() error {
	if r.gz != nil {
		r.gz.Close()
	}
	return r.f.Close()
}

// detectFile decides the format of the report at path. The head decides
// when it can (see [Detect]); a JSON object it cannot decide is read to
// its end, member by member without keeping the values, because a tool
// may write the members that tell its format last (gosec's SARIF writes
// "runs" first and "version" last).
func detectFile(path string) (string, error) {
	r, err := openReport(path)
	if err != nil {
		return "", err
	}
	defer r.Close()
	head, err := r.head(path)
	if err != nil {
		return "", err
	}
	format, err := Detect(path, head)
	if err == nil || !errors.Is(err, ErrUnknownFormat) {
		return format, err
	}
	if t := bytes.TrimLeft(head, " \t\r\n\ufeff"); len(t) == 0 || t[0] != '{' {
		return "", err
	}
	return detectMembers(path, r)
}

// topLevel is what the top-level members of a JSON object say about its
// format.
type topLevel struct {
	names   []string // member names, in order
	version string   // "version", when a string
	schema  string   // "$schema", when a string
}

// sarif reports whether the members are a SARIF log's: "runs" and a
// SARIF version or schema.
func (t *topLevel) sarif() bool {
	if !slices.Contains(t.names, "runs") {
		return false
	}
	return strings.HasPrefix(t.version, "2.") || strings.HasPrefix(t.version, "1.") ||
		strings.Contains(strings.ToLower(t.schema), "sarif")
}

// detectMembers reads the JSON object in r to its end and decides its
// format from its top-level members.
func detectMembers(path string, r io.Reader) (string, error) {
	// Long strings are cut as they stream in: skipping a value still
	// buffers a string token whole, and one 200 MB string would cost its
	// size again. Offsets then count the text as cut.
	dec := jsontext.NewDecoder(bufio.NewReader(jsonlimit.NewReader(r, sarif.MaxStringBytes)),
		jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	var top topLevel
	bad := func(err error) (string, error) {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return "", fmt.Errorf("%s: %w at byte %d: the report ends inside its JSON document", path, ErrTruncated, dec.InputOffset())
		}
		return "", fmt.Errorf("%s: %w: not valid JSON at byte %d: %v", path, ErrUnknownFormat, dec.InputOffset(), err)
	}
	if _, err := dec.ReadToken(); err != nil { // '{', checked by the caller
		return bad(err)
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return bad(err)
		}
		n := name.String()
		top.names = append(top.names, n)
		if (n == "version" || n == "$schema") && dec.PeekKind() == '"' {
			v, err := dec.ReadToken()
			if err != nil {
				return bad(err)
			}
			if n == "version" {
				top.version = v.String()
			} else {
				top.schema = v.String()
			}
			continue
		}
		if err := dec.SkipValue(); err != nil {
			return bad(err)
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return bad(err)
	}
	if top.sarif() {
		return SARIF, nil
	}
	return "", fmt.Errorf("%s: %w: a JSON object with members %s; expected SARIF 2.1.0 or a report of one of: %s (use --format to force one)",
		path, ErrUnknownFormat, quoteList(top.names, 8), strings.Join(Formats(), ", "))
}

// quoteList quotes the first max names of names, then says how many more.
func quoteList(names []string, max int) string {
	var b strings.Builder
	for i, n := range names {
		if i == max {
			fmt.Fprintf(&b, " and %d more", len(names)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", n)
	}
	return b.String()
}
