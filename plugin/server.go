package plugin

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/scanmux/scanmux/finding"
	pb "github.com/scanmux/scanmux/proto/scanmux/plugin/v1"
)

// Handshake is the go-plugin handshake every scanmux plugin and host use.
// The magic cookie only keeps users from running a plugin by hand by
// mistake; it is not a security measure.
var Handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "SCANMUX_PLUGIN",
	MagicCookieValue: "d7c1f0a4-scanmux-scanner-v1",
}

// pluginName is the name of the scanner in go-plugin's plugin set.
const pluginName = "scanner"

// MaxMessageSize is the largest gRPC message either side accepts. Batches
// aim far below it (see maxBatchBytes); it bounds a single huge finding.
const MaxMessageSize = 64 << 20

// Batching limits: a batch is sent when it holds maxBatchFindings findings
// or maxBatchBytes bytes, whichever comes first.
const (
	maxBatchFindings = 4096
	maxBatchBytes    = 1 << 20
)

// LogLevelEnv names the environment variable through which a host tells a
// plugin the lowest level worth logging ("debug", "info", "warn", "error").
const LogLevelEnv = "SCANMUX_PLUGIN_LOG_LEVEL"

// Serve serves s as a plugin over protocol v1 and returns when the host is
// done with it. It is meant to be the whole of a plugin's main:
//
//	func main() { plugin.Serve(bannedcalls.Scanner{}) }
//
// Serve points the default slog logger at stderr in JSON, which the host
// routes to its own logger under the plugin's name. A plugin must never
// write to stdout: stdout carries go-plugin's handshake.
func Serve(s Scanner) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(os.Getenv(LogLevelEnv))); err != nil {
		level = slog.LevelInfo
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	processStderr = os.Stderr
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         PluginSet(s),
		GRPCServer:      newGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name: "go-plugin", Output: os.Stderr, Level: hclog.Warn, JSONFormat: true,
		}),
	})
}

// processStderr is the process's stderr as Serve found it. go-plugin then
// points os.Stderr at a pipe that it forwards over its gRPC stdio stream,
// which the host stops reading when it closes the plugin, losing the lines
// still in flight. The first call Serve handles points os.Stderr back at
// the process's stderr, which the host reads to the end (and where the
// default slog logger writes), so that a plugin's output is never lost
// and keeps its order.
var (
	processStderr *os.File
	stderrBack    sync.Once
)

// restoreStderr points os.Stderr back at the process's stderr (see
// processStderr).
func restoreStderr() {
	stderrBack.Do(func() {
		if processStderr != nil {
			os.Stderr = processStderr
		}
	})
}

// PluginSet returns the go-plugin plugin set that serves s. [Serve] uses
// it; it is exported for programs that call go-plugin's Serve themselves
// (for example to serve several protocol versions).
func PluginSet(s Scanner) goplugin.PluginSet {
	return goplugin.PluginSet{pluginName: &GRPCPlugin{Impl: s}}
}

func newGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	opts = append(opts, grpc.MaxRecvMsgSize(MaxMessageSize), grpc.MaxSendMsgSize(MaxMessageSize))
	return grpc.NewServer(opts...)
}

// GRPCPlugin is the go-plugin glue for a [Scanner]: on the plugin side it
// serves Impl, on the host side it returns a client. Most programs use
// [Serve] and [Open] instead.
type GRPCPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	// Impl is the scanner to serve. Hosts leave it nil.
	Impl Scanner
}

var _ goplugin.GRPCPlugin = (*GRPCPlugin)(nil)

// GRPCServer registers the scanner service on s.
func (p *GRPCPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterScannerServer(s, &grpcServer{impl: p.Impl})
	return nil
}

// GRPCClient returns a client for the scanner service on c.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &grpcClient{rpc: pb.NewScannerClient(c)}, nil
}

// grpcServer adapts a Scanner to the generated service.
type grpcServer struct {
	pb.UnimplementedScannerServer
	impl Scanner

	mu   sync.Mutex
	self *finding.Tool // the scanner's own tool, once known
}

func (s *grpcServer) Describe(ctx context.Context, _ *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	restoreStderr()
	info, err := s.impl.Describe(ctx)
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	return infoToPB(info), nil
}

// tool returns the scanner's own finding.Tool, asking Describe once.
func (s *grpcServer) tool(ctx context.Context) (finding.Tool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.self == nil {
		info, err := s.impl.Describe(ctx)
		if err != nil {
			return finding.Tool{}, err
		}
		t := info.Tool()
		s.self = &t
	}
	return *s.self, nil
}

func (s *grpcServer) Scan(req *pb.ScanRequest, stream grpc.ServerStreamingServer[pb.ScanResponse]) (err error) {
	restoreStderr()
	ctx := stream.Context()
	self, err := s.tool(ctx)
	if err != nil {
		return status.Error(codes.Unknown, err.Error())
	}
	e := &streamEmitter{stream: stream, self: self, rules: make(map[string]*finding.Rule)}
	defer func() {
		// A panic in the scanner's own goroutine fails the scan, not the
		// process: the findings already emitted still reach the host.
		if r := recover(); r != nil {
			slog.Error("scanner panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = status.Errorf(codes.Internal, "scanner panicked: %v", r)
		}
		if ferr := e.close(); err == nil && ferr != nil {
			err = ferr
		}
	}()
	if err := s.impl.Scan(ctx, requestFromPB(req), e); err != nil {
		if ctx.Err() != nil {
			return status.FromContextError(ctx.Err()).Err()
		}
		return status.Error(codes.Unknown, err.Error())
	}
	return nil
}

// streamEmitter batches findings onto a Scan stream. It is safe for
// concurrent use.
type streamEmitter struct {
	stream grpc.ServerStreamingServer[pb.ScanResponse]
	self   finding.Tool

	mu     sync.Mutex
	batch  []*pb.Finding
	size   int
	timer  *time.Timer
	rules  map[string]*finding.Rule // rules sent in full so far
	err    error                    // first send error; sticky
	closed bool
	buf    []byte // scratch space to encode a finding in

	// Findings that cannot be sent (a string that is not UTF-8, which
	// would make the whole batch fail to encode) are dropped, and a
	// warning diagnostic counts them at the end.
	dropped    int
	dropReason string
}

func (e *streamEmitter) Finding(f *finding.Finding) error {
	if f == nil {
		return fmt.Errorf("plugin: nil finding")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return err
	}
	_, known := e.rules[f.Rule.ID]
	p := findingToPB(f, e.ruleRef(&f.Rule))
	if f.Tool == e.self {
		p.Tool = nil // the default: the plugin itself
	}
	b, err := proto.MarshalOptions{}.MarshalAppend(e.buf[:0], p)
	if err != nil {
		if !known {
			delete(e.rules, f.Rule.ID) // not sent after all
		}
		if e.dropped++; e.dropReason == "" {
			e.dropReason = fmt.Sprintf("rule %q at %q: %v", f.Rule.ID, f.Location.Path, err)
		}
		return nil
	}
	e.buf = b[:0]
	n := len(b)
	if n > MaxMessageSize-1024 {
		return fmt.Errorf("plugin: finding for rule %q at %q is %d bytes, over the %d-byte message limit",
			f.Rule.ID, f.Location.Path, n, MaxMessageSize)
	}
	if e.size+n > maxBatchBytes && len(e.batch) > 0 {
		if err := e.flushLocked(); err != nil {
			return err
		}
	}
	e.batch = append(e.batch, p)
	e.size += n
	if len(e.batch) >= maxBatchFindings || e.size >= maxBatchBytes {
		return e.flushLocked()
	}
	if e.timer == nil {
		e.timer = time.AfterFunc(FlushInterval, e.timedFlush)
	}
	return nil
}

// ruleRef returns the wire form of r: in full the first time (or when it
// changed), then as a reference carrying only the id.
func (e *streamEmitter) ruleRef(r *finding.Rule) *pb.Rule {
	if prev, ok := e.rules[r.ID]; ok && ruleEqual(prev, r) {
		return &pb.Rule{Id: r.ID}
	}
	c := *r
	c.Tags = slices.Clone(r.Tags)
	e.rules[r.ID] = &c
	return ruleToPB(r)
}

func ruleEqual(a, b *finding.Rule) bool {
	return a.ID == b.ID && a.Name == b.Name && a.ShortDescription == b.ShortDescription &&
		a.FullDescription == b.FullDescription && a.HelpText == b.HelpText &&
		a.HelpMarkdown == b.HelpMarkdown && a.HelpURI == b.HelpURI && slices.Equal(a.Tags, b.Tags)
}

func (e *streamEmitter) Progress(p Progress) error {
	return e.sendEvent(&pb.ScanResponse{Event: &pb.ScanResponse_Progress{
		Progress: &pb.Progress{Done: p.Done, Total: p.Total, Phase: p.Phase},
	}})
}

func (e *streamEmitter) Diagnostic(d Diagnostic) error {
	return e.sendEvent(&pb.ScanResponse{Event: &pb.ScanResponse_Diagnostic{Diagnostic: diagnosticToPB(&d)}})
}

// sendEvent sends a non-finding event after the findings before it.
func (e *streamEmitter) sendEvent(r *pb.ScanResponse) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.usable(); err != nil {
		return err
	}
	if err := e.flushLocked(); err != nil {
		return err
	}
	return e.send(r)
}

func (e *streamEmitter) usable() error {
	if e.err != nil {
		return e.err
	}
	if e.closed {
		return fmt.Errorf("plugin: emitter used after Scan returned")
	}
	return nil
}

func (e *streamEmitter) timedFlush() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed && e.err == nil {
		_ = e.flushLocked() // a send error is sticky and reported by the next call
	}
}

func (e *streamEmitter) flushLocked() error {
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	if len(e.batch) == 0 {
		return nil
	}
	r := &pb.ScanResponse{Event: &pb.ScanResponse_Findings{Findings: &pb.FindingBatch{Findings: e.batch}}}
	e.batch, e.size = nil, 0
	return e.send(r)
}

func (e *streamEmitter) send(r *pb.ScanResponse) error {
	if err := e.stream.Send(r); err != nil {
		e.err = fmt.Errorf("plugin: sending to host: %w", err)
		return e.err
	}
	return nil
}

// close flushes what is left; later calls fail.
func (e *streamEmitter) close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	err := e.err
	if err == nil && !e.closed {
		err = e.flushLocked()
	}
	if err == nil && !e.closed && e.dropped > 0 {
		err = e.send(&pb.ScanResponse{Event: &pb.ScanResponse_Diagnostic{Diagnostic: diagnosticToPB(&Diagnostic{
			Level:   LevelWarning,
			Message: fmt.Sprintf("%d findings could not be sent and were dropped, e.g. %s", e.dropped, e.dropReason),
		})}})
	}
	e.closed = true
	return err
}

// levelFromString maps a slog or hclog level name to a slog level.
func levelFromString(s string) (slog.Level, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "trace", "debug":
		return slog.LevelDebug, true
	case "info":
		return slog.LevelInfo, true
	case "warn", "warning":
		return slog.LevelWarn, true
	case "error", "fatal", "panic":
		return slog.LevelError, true
	}
	return 0, false
}
