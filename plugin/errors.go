package plugin

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrHandshake means a plugin process started but did not complete the
	// go-plugin handshake: it exited, wrote something else to stdout, was
	// made for another program, or did not answer in time.
	ErrHandshake = errors.New("plugin handshake failed")

	// ErrRefused means the host refused to run a plugin binary, which was
	// not started: its checksum did not match its pin ([ErrChecksum]), or
	// the host does not trust where the plugin came from. A security
	// control refused it, so a host should not treat it as a plugin that
	// merely failed.
	ErrRefused = errors.New("plugin refused")

	// ErrChecksum means a plugin binary's SHA-256 does not match the pinned
	// checksum; the binary was not run. errors.Is(err, ErrRefused) is true
	// for it too.
	ErrChecksum error = &refusal{"plugin checksum mismatch"}

	// ErrClosed means the plugin process is no longer running: the client was
	// closed, or the process was killed after a timeout or cancellation, or
	// it crashed.
	ErrClosed = errors.New("plugin is not running")
)

// refusal is an error that is also [ErrRefused].
type refusal struct{ msg string }

func (e *refusal) Error() string        { return e.msg }
func (e *refusal) Is(target error) bool { return target == ErrRefused }

// VersionError reports a plugin that speaks a protocol version the host does
// not.
type VersionError struct {
	// Plugin is the plugin's path.
	Plugin string
	// PluginVersion is the version the plugin offered, "" if unknown.
	PluginVersion string
	// HostVersions are the versions the host speaks.
	HostVersions []int
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("plugin %s speaks protocol version %s, this host speaks version %s: rebuild the plugin against a matching scanmux release",
		e.Plugin, orUnknown(e.PluginVersion), joinInts(e.HostVersions))
}

// Is makes errors.Is(err, ErrHandshake) true for a VersionError.
func (e *VersionError) Is(target error) bool { return target == ErrHandshake }

// CrashError reports a plugin process that exited in the middle of a call.
// The findings it streamed before it died have been delivered.
type CrashError struct {
	// Plugin is the plugin's name.
	Plugin string
	// ExitCode is the process's exit status, or -1 if it was killed by a
	// signal.
	ExitCode int
	// State describes how the process ended, e.g. "exit status 2" or
	// "signal: segmentation fault".
	State string
	// Stderr holds the last lines the process wrote to stderr.
	Stderr []string
	// Err is the error the call failed with.
	Err error
}

func (e *CrashError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plugin %s crashed (%s)", e.Plugin, e.State)
	if len(e.Stderr) > 0 {
		b.WriteString("; last stderr lines:")
		for _, l := range e.Stderr {
			b.WriteString("\n    ")
			b.WriteString(l)
		}
	}
	return b.String()
}

// Unwrap returns the underlying call error.
func (e *CrashError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrClosed) true for a CrashError: the process is
// gone.
func (e *CrashError) Is(target error) bool { return target == ErrClosed }

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
