package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// stderrLog receives a plugin's output line by line: it logs each line to
// the host's logger and keeps the last few for crash reports. A plugin's
// output arrives on several streams (the process's stderr, and go-plugin's
// forwarded os.Stderr and os.Stdout); each gets its own [lineSplitter] so
// that partial lines of one stream never mix with another's.
type stderrLog struct {
	logger *slog.Logger
	copyTo io.Writer // optional raw copy

	mu      sync.Mutex
	tail    []string // ring of the last cap(tail) lines
	next    int
	inPanic bool
}

func newStderrLog(logger *slog.Logger, copyTo io.Writer, keep int) *stderrLog {
	return &stderrLog{logger: logger, copyTo: copyTo, tail: make([]string, 0, keep)}
}

// stream returns a writer for one output stream; attrs label its lines.
func (s *stderrLog) stream(attrs ...slog.Attr) *lineSplitter {
	return &lineSplitter{sink: s, attrs: attrs}
}

// lineSplitter cuts one stream into lines; go-plugin may split a line
// across calls. A line longer than maxLineBytes is cut there: its start
// is passed on at once, the rest dropped, so that a plugin that writes
// without newlines cannot make the host hold its output.
type lineSplitter struct {
	sink    *stderrLog
	attrs   []slog.Attr
	mu      sync.Mutex
	partial []byte
	cut     int // bytes dropped from the current line, once it was cut
}

// maxLineBytes is the longest line of a plugin's output the host keeps.
const maxLineBytes = 16 << 10

func (w *lineSplitter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		chunk, rest, eol := bytes.Cut(p, []byte{'\n'})
		p = rest
		switch room := maxLineBytes - len(w.partial); {
		case w.cut > 0:
			w.cut += len(chunk)
		case len(chunk) > room:
			w.partial = append(w.partial, chunk[:room]...)
			w.cut = len(chunk) - room
			w.sink.add(append(w.partial, " [line cut: longer than 16 KiB]"...), w.attrs)
		default:
			w.partial = append(w.partial, chunk...)
		}
		if !eol {
			break
		}
		if w.cut == 0 {
			w.sink.add(bytes.TrimRight(w.partial, "\r"), w.attrs)
		}
		w.partial, w.cut = w.partial[:0], 0
	}
	return n, nil
}

func (s *stderrLog) add(line []byte, attrs []slog.Attr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.copyTo != nil {
		_, _ = s.copyTo.Write(append(line, '\n'))
	}
	s.line(string(line), attrs)
}

func (s *stderrLog) line(l string, extra []slog.Attr) {
	if l == "" {
		return
	}
	if cap(s.tail) > 0 {
		if len(s.tail) < cap(s.tail) {
			s.tail = append(s.tail, l)
		} else {
			s.tail[s.next] = l
			s.next = (s.next + 1) % cap(s.tail)
		}
	}
	level, msg, attrs := s.parse(l)
	s.logger.LogAttrs(context.Background(), level, msg, append(attrs, extra...)...)
}

// parse reads a JSON log line (slog's or hclog's) or a plain line.
func (s *stderrLog) parse(l string) (slog.Level, string, []slog.Attr) {
	if strings.HasPrefix(l, "{") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			level := slog.LevelInfo
			for _, k := range []string{"level", "@level"} {
				if v, ok := m[k].(string); ok {
					if lv, ok := levelFromString(v); ok {
						level = lv
					}
				}
			}
			var msg string
			for _, k := range []string{"msg", "@message"} {
				if v, ok := m[k].(string); ok {
					msg = v
				}
			}
			var attrs []slog.Attr
			for k, v := range m {
				switch k {
				case "level", "@level", "msg", "@message", "time", "@timestamp", "@module", "@caller":
					continue
				}
				attrs = append(attrs, slog.Any(k, v))
			}
			return level, msg, attrs
		}
	}
	if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
		s.inPanic = true
	}
	if s.inPanic {
		return slog.LevelError, l, nil
	}
	return slog.LevelInfo, l, nil
}

// lastLines returns the kept lines, oldest first.
func (s *stderrLog) lastLines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tail)+1)
	out = append(out, s.tail[s.next:]...)
	out = append(out, s.tail[:s.next]...)
	return out
}
