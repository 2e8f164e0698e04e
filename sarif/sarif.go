package sarif

import (
	"time"

	"github.com/scanmux/scanmux/finding"
)

// Run is one tool's run: what it reported and how its execution went.
type Run struct {
	// Tool is the tool that ran. Required: Name.
	Tool finding.Tool

	// Rules is the tool's rule catalog, if known. The writer emits only the
	// rules that findings use, completed from this catalog; rules that no
	// finding names are left out.
	Rules []finding.Rule

	// Findings are the run's results. When reading with [Decode] this is
	// nil: findings are passed to the handler one at a time instead.
	Findings []*finding.Finding

	// Invocation records how the tool's execution went.
	Invocation Invocation

	// Category is the run's automationDetails.id, if any.
	Category string
}

// Invocation records how a tool's execution went (SARIF invocation).
type Invocation struct {
	// Failed reports that the tool did not complete: it crashed, timed out or
	// could not start. Its findings may be partial.
	Failed bool

	// Notifications are messages about the execution, e.g. the error of a
	// failed plugin or what the writer left out to stay within limits.
	Notifications []Notification

	// StartTime and EndTime bound the execution; zero means unknown, and the
	// writer leaves unknown times out.
	StartTime, EndTime time.Time
}

// Notification is a message about a tool's execution
// (SARIF toolExecutionNotification).
type Notification struct {
	// Level is "error", "warning" or "note".
	Level string
	// Message is the text.
	Message string
}
