// Package plugin runs security scanners out of process and in process
// behind one interface, [Scanner].
//
// A plugin author implements [Scanner] and calls [Serve] from main:
//
//	func main() { plugin.Serve(myScanner{}) }
//
// A host launches the plugin binary with [Open], which returns a [*Client]
// that is itself a [Scanner]: the host cannot tell a plugin process from a
// scanner compiled into it.
//
// Under the hood plugins speak protocol v1 (package scanmux.plugin.v1,
// see proto/) over gRPC, launched by hashicorp/go-plugin: a magic-cookie
// handshake with a protocol version, optional SHA-256 pinning of the binary,
// mutual TLS with per-launch certificates, the plugin's stderr routed to the
// host's logger, and a crash of the plugin process costing only its own
// scan.
//
// # Isolation
//
// A plugin process gets a minimal environment (see [Config].PassEnv), so
// that the secrets a CI job holds in its environment stay out of it; it
// reads nothing from the host's standard input; and on Unix it runs in a
// process group of its own, killed as a group, so that nothing it starts
// outlives it. A binary pinned by [Config].SHA256 that does not match is
// refused before it runs ([ErrRefused]).
//
// # Streaming
//
// Scanners stream what they find through an [Emitter] as they find it:
// [Emitter.Finding], [Emitter.Progress] and [Emitter.Diagnostic]. Over the
// wire findings travel in batches, so that small findings do not pay one
// message each and large ones stay well under gRPC's message limits; a batch
// is flushed when it is full, before any progress or diagnostic event, and at
// most [FlushInterval] after its first finding.
//
// # Versioning
//
// [ProtocolVersion] is 1. Protocol v1 only grows compatibly (new fields,
// never renumbered or retyped ones); an incompatible change becomes v2, which
// hosts will negotiate with go-plugin's versioned plugin sets while still
// launching v1 plugins. A plugin and host with no version in common fail at
// the handshake with a [*VersionError] naming both versions.
package plugin

import (
	"context"
	"time"

	"github.com/scanmux/scanmux/finding"
)

// ProtocolVersion is the version of the plugin protocol this package speaks.
const ProtocolVersion = 1

// FlushInterval is the longest a plugin holds a finding before sending it.
const FlushInterval = 50 * time.Millisecond

// Scanner is a security scanner. Implementations must be safe for concurrent
// use by multiple goroutines if they are to serve concurrent scans.
type Scanner interface {
	// Describe tells who the scanner is and what it can scan.
	Describe(ctx context.Context) (*Info, error)

	// Scan scans req's target and reports what it finds to out, as it finds
	// it. It returns nil when the scan is complete, or an error if it
	// failed, in which case the findings emitted are partial. Scan must stop
	// soon after ctx is done. If an Emitter method returns an error, Scan
	// should stop and return that error.
	Scan(ctx context.Context, req *Request, out Emitter) error
}

// Emitter receives what a scan produces. The emitter a plugin's Scan is
// given is safe for concurrent use and does not retain the values passed to
// it; an emitter given to a [*Client] is called from one goroutine at a time
// and may keep the findings it receives.
type Emitter interface {
	// Finding reports one finding. Tool may be left empty: it defaults to
	// the scanner's own name and version.
	Finding(f *finding.Finding) error
	// Progress reports how far the scan is.
	Progress(p Progress) error
	// Diagnostic reports a message about the scan itself.
	Diagnostic(d Diagnostic) error
}

// EmitFuncs adapts functions to [Emitter]. Nil functions ignore their
// events.
type EmitFuncs struct {
	OnFinding    func(*finding.Finding) error
	OnProgress   func(Progress) error
	OnDiagnostic func(Diagnostic) error
}

// Finding calls e.OnFinding, if set.
func (e EmitFuncs) Finding(f *finding.Finding) error {
	if e.OnFinding == nil {
		return nil
	}
	return e.OnFinding(f)
}

// Progress calls e.OnProgress, if set.
func (e EmitFuncs) Progress(p Progress) error {
	if e.OnProgress == nil {
		return nil
	}
	return e.OnProgress(p)
}

// Diagnostic calls e.OnDiagnostic, if set.
func (e EmitFuncs) Diagnostic(d Diagnostic) error {
	if e.OnDiagnostic == nil {
		return nil
	}
	return e.OnDiagnostic(d)
}

// Info describes a scanner.
type Info struct {
	// Name is the scanner's name, e.g. "gosec". Required.
	Name string
	// Version is the scanner's version (not the protocol's).
	Version string
	// Description is one paragraph about the scanner.
	Description string
	// InformationURI is the scanner's home page.
	InformationURI string
	// Categories are the kinds of finding it reports.
	Categories []finding.Category
	// Targets are the kinds of target it accepts.
	Targets []TargetKind
	// Rules is the scanner's rule catalog, if it has one.
	Rules []finding.Rule
	// ProtocolVersion is the plugin protocol version the scanner speaks. A
	// [*Client] fills it in; in-process scanners may leave it 0.
	ProtocolVersion int
}

// Tool returns the finding.Tool that names this scanner.
func (i *Info) Tool() finding.Tool {
	return finding.Tool{Name: i.Name, Version: i.Version, InformationURI: i.InformationURI}
}

// Accepts reports whether the scanner accepts targets of kind k.
func (i *Info) Accepts(k TargetKind) bool {
	for _, t := range i.Targets {
		if t == k {
			return true
		}
	}
	return false
}

// Request asks a scanner to scan a target.
type Request struct {
	// Target is what to scan. Required.
	Target Target
	// Options are free-form scanner options.
	Options map[string]string
	// Config is opaque scanner configuration, e.g. a config file's bytes.
	Config []byte
}

// Target is what a scanner scans.
type Target struct {
	// Kind is the kind of target. Required.
	Kind TargetKind
	// Root is the absolute path of the scan root, for TargetDirectory and
	// TargetFiles. Finding paths are relative to it.
	Root string
	// Files lists the files to scan, relative to Root, for TargetFiles.
	Files []string
	// URL is the URL to scan, for TargetURL.
	URL string
	// Image is the container image reference, for TargetImage.
	Image string
}

// TargetKind is the kind of a scan target.
type TargetKind string

const (
	// TargetDirectory is a directory tree.
	TargetDirectory TargetKind = "directory"
	// TargetFiles is a list of files inside a root directory.
	TargetFiles TargetKind = "files"
	// TargetURL is a running web application.
	TargetURL TargetKind = "url"
	// TargetImage is a container image.
	TargetImage TargetKind = "image"
)

// Progress reports how far a scan is.
type Progress struct {
	// Done counts units of work done.
	Done int64
	// Total is the total units of work, or 0 if unknown.
	Total int64
	// Phase names the current phase, e.g. "loading packages".
	Phase string
}

// Diagnostic is a message from a scanner about its own execution.
type Diagnostic struct {
	// Level is the importance: LevelDebug ... LevelError.
	Level Level
	// Message is the text.
	Message string
	// Attrs are structured attributes.
	Attrs map[string]string
}

// Level is the importance of a [Diagnostic].
type Level string

const (
	// LevelDebug is for developers of the scanner.
	LevelDebug Level = "debug"
	// LevelInfo is routine information.
	LevelInfo Level = "info"
	// LevelWarning is a problem that did not stop the scan.
	LevelWarning Level = "warning"
	// LevelError is a problem that made part of the scan fail.
	LevelError Level = "error"
)
