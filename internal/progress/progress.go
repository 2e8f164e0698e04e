// Package progress shows how the scanners of a run are doing, on stderr.
//
// In a CI log (not a terminal) it prints a heartbeat for every scanner
// still running every Interval (10 s), "... gosec: running, 30s, 12
// findings so far", and one line per scanner when it ends. On a terminal it keeps
// a live line per running scanner at the bottom, redrawn every second,
// and prints the final lines above it.
//
// Source names, coverage and errors come from the scanned tree and the
// tools: they are escaped (internal/termsafe) before they are printed.
package progress

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scanmux/scanmux/aggregate"
	"github.com/scanmux/scanmux/internal/termsafe"
)

// Options controls a Display.
type Options struct {
	// Interval is the time between heartbeats in a log (default 10 s).
	Interval time.Duration
	// TTY forces the terminal mode on or off (default: detected).
	TTY *bool
}

// Display prints progress; a nil *Display prints nothing.
type Display struct {
	w        io.Writer // the guarded writer, for log lines
	raw      io.Writer // the terminal itself, for the live lines
	tty      bool
	width    int // the terminal's columns, 0 when unknown
	interval time.Duration

	mu      sync.Mutex
	running map[string]*state
	order   []string
	drawn   int // live lines on screen
	stop    chan struct{}
	done    chan struct{}
	frame   int
}

type state struct {
	start    time.Time
	findings int
}

// New starts a display writing to w (stderr, perhaps under a
// termsafe.Writer line guard).
func New(w io.Writer, o Options) *Display {
	d := &Display{w: w, raw: w, interval: o.Interval, running: map[string]*state{}, stop: make(chan struct{}), done: make(chan struct{})}
	if d.interval <= 0 {
		d.interval = 10 * time.Second
	}
	inner := w
	for {
		u, ok := inner.(interface{ Unwrap() io.Writer })
		if !ok {
			break
		}
		inner = u.Unwrap()
	}
	if o.TTY != nil {
		d.tty = *o.TTY
	} else if f, ok := inner.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			d.tty = true
			d.width = termWidth(f)
		}
	}
	if d.tty {
		d.raw = inner
	}
	go d.loop()
	return d
}

func (d *Display) loop() {
	defer close(d.done)
	every := d.interval
	if d.tty {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			d.mu.Lock()
			if d.tty {
				d.frame++
				d.redraw()
			} else {
				for _, name := range d.order {
					s := d.running[name]
					if time.Since(s.start) < d.interval {
						continue // started since the last heartbeat
					}
					fmt.Fprintf(d.w, "  ... %s: running, %s, %s so far\n", termsafe.String(name), Elapsed(time.Since(s.start)), plural(s.findings, "finding"))
				}
			}
			d.mu.Unlock()
		}
	}
}

// Stop ends the display and clears the live lines.
func (d *Display) Stop() {
	if d == nil {
		return
	}
	close(d.stop)
	<-d.done
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clear()
}

// Event takes an aggregate.SourceEvent (aggregate.Options.Progress).
func (d *Display) Event(ev aggregate.SourceEvent) {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if ev.State == aggregate.SourceRunning {
		s := d.running[ev.Source]
		if s == nil {
			s = &state{start: time.Now().Add(-ev.Elapsed)}
			d.running[ev.Source] = s
			d.order = append(d.order, ev.Source)
		}
		s.findings = ev.Findings
		if d.tty {
			d.redraw()
		}
		return
	}
	delete(d.running, ev.Source)
	d.order = slices.DeleteFunc(d.order, func(n string) bool { return n == ev.Source })
	d.clear()
	d.line(finalLine(ev))
	if d.tty {
		d.redraw()
	}
}

// line prints a finished line (above the live lines on a terminal).
func (d *Display) line(s string) {
	if d.tty {
		fmt.Fprint(d.raw, d.fit(s)+"\n")
		return
	}
	fmt.Fprint(d.w, s+"\n")
}

func finalLine(ev aggregate.SourceEvent) string {
	name := termsafe.String(ev.Source)
	el := Elapsed(ev.Elapsed)
	switch ev.State {
	case aggregate.SourceOK:
		s := fmt.Sprintf("  %-28s done     %14s  %7s", name, plural(ev.Findings, "finding"), el)
		if ev.Coverage != "" {
			s += "  " + termsafe.String(ev.Coverage)
		}
		return s
	case aggregate.SourceNotApplicable:
		return fmt.Sprintf("  %-28s n/a      %s", name, termsafe.String(firstLine(errText(ev.Err))))
	}
	msg := oneLine(errText(ev.Err))
	if ev.Coverage != "" {
		msg = "covered " + ev.Coverage + ": " + msg
	}
	return fmt.Sprintf("  %-28s %-8s %14s  %7s  %s", name, ev.State, plural(ev.Findings, "finding"), el, termsafe.String(msg))
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// clear erases the live lines (terminal only).
func (d *Display) clear() {
	if !d.tty || d.drawn == 0 {
		return
	}
	fmt.Fprintf(d.raw, "\x1b[%dA\x1b[J", d.drawn)
	d.drawn = 0
}

// redraw draws a live line per running scanner (terminal only).
func (d *Display) redraw() {
	d.clear()
	var b strings.Builder
	for _, name := range d.order {
		s := d.running[name]
		b.WriteString(d.fit(fmt.Sprintf("  %s %-26s running  %14s  %7s", spinner[d.frame%len(spinner)], termsafe.String(name), plural(s.findings, "finding"), Elapsed(time.Since(s.start)))) + "\n")
	}
	fmt.Fprint(d.raw, b.String())
	d.drawn = len(d.order)
}

// fit cuts a line to the terminal's width, so that a live line never
// wraps (the redraw counts one row per line) and a final one stays one
// row.
func (d *Display) fit(s string) string {
	if d.width <= 0 {
		return s
	}
	if r := []rune(s); len(r) > d.width-1 {
		return string(r[:d.width-2]) + "…"
	}
	return s
}

// Elapsed formats a duration for people: "850ms", "12.3s", "3m33s".
func Elapsed(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// oneLine joins the non-empty lines of s with " | ", cut to 200 runes.
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	s = strings.Join(parts, " | ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
