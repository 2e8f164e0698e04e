package progress

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scanmux/scanmux/aggregate"
)

// syncBuffer is a bytes.Buffer safe for the display's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// In a log, a scanner still running gets a heartbeat every interval with
// its elapsed time and findings so far, and one line when it ends; a
// scanner's name from outside is escaped.
func TestHeartbeats(t *testing.T) {
	var buf syncBuffer
	off := false
	d := New(&buf, Options{Interval: 30 * time.Millisecond, TTY: &off})
	d.Event(aggregate.SourceEvent{Source: "gosec", State: aggregate.SourceRunning, Started: true})
	d.Event(aggregate.SourceEvent{Source: "bad\n::error::x", State: aggregate.SourceRunning, Started: true})
	d.Event(aggregate.SourceEvent{Source: "gosec", State: aggregate.SourceRunning, Findings: 12})
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(buf.String(), "gosec: running") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	d.Event(aggregate.SourceEvent{Source: "gosec", State: aggregate.SourceOK, Findings: 12, Elapsed: 2 * time.Second, Coverage: "1 module"})
	d.Event(aggregate.SourceEvent{Source: "bad\n::error::x", State: aggregate.SourceFailed, Err: errors.New("exit 1\nmore")})
	d.Stop()
	out := buf.String()
	if n := strings.Count(out, "  ... gosec: running, "); n < 2 {
		t.Errorf("%d heartbeats for gosec, want 2 or more:\n%s", n, out)
	}
	for _, want := range []string{"12 findings so far", "gosec                        done        12 findings       2s  1 module", `bad\n::error::x              failed       0 findings`, "exit 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\n::error") || !strings.Contains(out, "exit 1 | more\n") {
		t.Errorf("terminal codes, an injected command, or the error not on one line:\n%q", out)
	}
	n := strings.Count(out, "\n")
	time.Sleep(100 * time.Millisecond)
	if strings.Count(buf.String(), "\n") != n {
		t.Error("heartbeats after Stop")
	}
}

// On a terminal the running scanners are live lines, redrawn in place
// and erased when the run ends; the final lines stay.
func TestLiveLines(t *testing.T) {
	var buf syncBuffer
	on := true
	d := New(&buf, Options{TTY: &on})
	d.Event(aggregate.SourceEvent{Source: "gosec", State: aggregate.SourceRunning, Started: true})
	d.Event(aggregate.SourceEvent{Source: "gitleaks", State: aggregate.SourceRunning, Started: true})
	d.Event(aggregate.SourceEvent{Source: "gitleaks", State: aggregate.SourceOK, Findings: 1})
	d.Stop()
	out := buf.String()
	for _, want := range []string{"gosec                      running", "\x1b[2A\x1b[J", "gitleaks                     done"} {
		if !strings.Contains(out, want) {
			t.Errorf("the terminal output lacks %q:\n%q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\x1b[1A\x1b[J") {
		t.Errorf("the live line is not erased at the end:\n%q", out)
	}
	var nilDisplay *Display
	nilDisplay.Event(aggregate.SourceEvent{Source: "x"}) // a quiet run has none
	nilDisplay.Stop()
}

// On a terminal of known width, lines are cut to it: a live line that
// wrapped would throw off the redraw.
func TestFitsTheTerminal(t *testing.T) {
	d := &Display{tty: true, width: 40}
	got := d.fit(strings.Repeat("x", 100))
	if n := len([]rune(got)); n != 39 || !strings.HasSuffix(got, "…") {
		t.Errorf("fit to 40 columns: %d runes %q", n, got)
	}
	if s := "short"; d.fit(s) != s {
		t.Error("a short line changed")
	}
}
