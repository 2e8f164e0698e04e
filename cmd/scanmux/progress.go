package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/internal/termsafe"
)

// progress prints one line per scanner on stderr. On a terminal it also
// prints when each scanner starts and, every few seconds, how many
// findings it has so far; in CI logs (not a terminal) it prints only the
// final line per scanner, so logs stay short. Source names (a report's
// file name, a plugin's), coverage and errors are escaped (termsafe): they
// come from the scanned tree and the tools.
type progress struct {
	w   io.Writer
	tty bool

	mu   sync.Mutex
	last map[string]time.Time
}

func newProgress(w io.Writer) *progress {
	tty := false
	tw := w
	for {
		u, ok := tw.(interface{ Unwrap() io.Writer })
		if !ok {
			break
		}
		tw = u.Unwrap()
	}
	if f, ok := tw.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, tty: tty, last: map[string]time.Time{}}
}

func (p *progress) event(ev aggregate.SourceEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	el := ev.Elapsed.Round(10 * time.Millisecond)
	name := termsafe.String(ev.Source)
	switch ev.State {
	case aggregate.SourceRunning:
		if !p.tty {
			return
		}
		if ev.Started {
			fmt.Fprintf(p.w, "  %-28s running\n", name)
			p.last[ev.Source] = time.Now()
			return
		}
		if time.Since(p.last[ev.Source]) >= 3*time.Second {
			fmt.Fprintf(p.w, "  %-28s running, %d findings so far (%s)\n", name, ev.Findings, el)
			p.last[ev.Source] = time.Now()
		}
	case aggregate.SourceOK:
		fmt.Fprintf(p.w, "  %-28s done    %5d findings  %8s  %s\n", name, ev.Findings, el, termsafe.String(ev.Coverage))
	case aggregate.SourceNotApplicable:
		fmt.Fprintf(p.w, "  %-28s n/a                          %s\n", name, termsafe.String(firstLine(errText(ev.Err))))
	default:
		msg := firstLine(errText(ev.Err))
		if ev.Coverage != "" {
			msg = "covered " + ev.Coverage + ": " + msg
		}
		fmt.Fprintf(p.w, "  %-28s %-7s %5d findings  %8s  %s\n", name, ev.State, ev.Findings, el, termsafe.String(msg))
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
