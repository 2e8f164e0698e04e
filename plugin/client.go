package plugin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/scanmux/scanmux/finding"
	pb "github.com/scanmux/scanmux/proto/scanmux/plugin/v1"
)

// Config configures how a host launches a plugin. The zero value (or nil)
// gives the defaults documented on each field.
type Config struct {
	// Args are passed to the plugin binary.
	Args []string
	// Env sets "KEY=value" entries in the plugin's environment.
	Env []string
	// PassEnv names the host's environment variables the plugin gets
	// besides the basic ones every plugin gets (PATH, HOME, USER,
	// LOGNAME, TMPDIR, TZ, LANG, LC_*, the proxy variables HTTP_PROXY,
	// HTTPS_PROXY, NO_PROXY and their lowercase forms, SSL_CERT_FILE,
	// SSL_CERT_DIR, and on Windows the variables programs need to run,
	// such as SYSTEMROOT); a name ending in "*" passes every variable
	// that starts with what precedes it. The plugin gets nothing else of
	// the host's environment: not the tokens and secrets a CI job holds.
	PassEnv []string
	// SHA256 pins the plugin binary: if set (hex), a binary whose SHA-256
	// differs is refused before it runs, with an error wrapping
	// [ErrChecksum] (and so [ErrRefused]). The binary is hashed right
	// before it is started.
	SHA256 string
	// Logger receives the plugin's stderr, one record per line, with a
	// "plugin" attribute naming the binary. Default: slog.Default().
	Logger *slog.Logger
	// Stderr, if set, also receives every line the plugin writes to stderr
	// (or, after the handshake, to stdout).
	Stderr io.Writer
	// StartTimeout bounds the handshake. Default: 30s.
	StartTimeout time.Duration
	// ScanTimeout bounds each Scan; a scan still running then is killed
	// with the process. Default: no limit beyond the context's.
	ScanTimeout time.Duration
	// StderrLines is how many of the last stderr lines a [*CrashError]
	// carries. Default: 20.
	StderrLines int
}

// Client is a running plugin process. It implements [Scanner]; its methods
// are safe for concurrent use. A scan that times out or whose context is
// cancelled kills the process: later calls then fail with [ErrClosed].
//
// The process reads nothing from the host's standard input, and on Unix
// runs in a process group of its own: when it exits or is killed, every
// process it started in its group is killed too.
type Client struct {
	path   string
	name   string
	cfg    Config
	pc     *goplugin.Client
	proc   *process
	rpc    *grpcClient
	stderr *stderrLog

	killed    atomic.Bool
	closeOnce sync.Once
}

var _ Scanner = (*Client)(nil)

// Open starts the plugin binary at path, completes the handshake and asks
// it to describe itself. The caller must Close the client.
func Open(ctx context.Context, path string, cfg *Config) (*Client, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.StartTimeout <= 0 {
		c.StartTimeout = 30 * time.Second
	}
	if c.StderrLines <= 0 {
		c.StderrLines = 20
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("plugin %s: %w", path, err)
	}
	name := filepath.Base(abs)
	var want string
	if c.SHA256 != "" {
		sum, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(c.SHA256), "sha256:"))
		if err != nil || len(sum) != sha256.Size {
			return nil, fmt.Errorf("plugin %s: pinned SHA-256 %q is not 64 hex digits", path, c.SHA256)
		}
		want = hex.EncodeToString(sum)
	}

	cl := &Client{path: abs, name: name, cfg: c}
	logger := c.Logger.With("plugin", name)
	cl.stderr = newStderrLog(logger, c.Stderr, c.StderrLines)
	cl.proc = newProcess(exec.Command(abs, c.Args...))
	env := pluginEnv(os.Environ(), c.PassEnv, c.Env)
	if level := hostLogLevel(ctx, c.Logger); level != "" {
		env = append(env, LogLevelEnv+"="+level)
	}
	cl.pc = goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: Handshake,
		Plugins:         goplugin.PluginSet{pluginName: &GRPCPlugin{}},
		// go-plugin calls this right before it starts the plugin, with
		// the environment it adds (the magic cookie, the client
		// certificate) in spec.
		RunnerFunc: func(_ hclog.Logger, spec *exec.Cmd, _ string) (runner.Runner, error) {
			if want != "" {
				got, err := fileSHA256(abs)
				if err != nil {
					return nil, fmt.Errorf("plugin %s: %w", path, err)
				}
				if got != want {
					return nil, fmt.Errorf("%w: plugin %s has SHA-256 %s, configuration pins %s; refusing to run it",
						ErrChecksum, path, got, want)
				}
			}
			cl.proc.cmd.Env = append(env, spec.Env...)
			return cl.proc, nil
		},
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     c.StartTimeout,
		Stderr:           cl.stderr.stream(),
		SyncStderr:       cl.stderr.stream(),
		SyncStdout:       cl.stderr.stream(slog.String("stream", "stdout")),
		SkipHostEnv:      true, // the plugin gets pluginEnv's environment only
		Logger:           hclog.New(&hclog.LoggerOptions{Output: io.Discard, Level: hclog.Off}),
		GRPCDialOptions: []grpc.DialOption{grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(MaxMessageSize), grpc.MaxCallSendMsgSize(MaxMessageSize))},
	})
	rpcClient, err := cl.pc.Client()
	if err != nil {
		cl.pc.Kill()
		return nil, cl.startError(err)
	}
	raw, err := rpcClient.Dispense(pluginName)
	if err != nil {
		cl.pc.Kill()
		return nil, fmt.Errorf("plugin %s: %w", path, err)
	}
	cl.rpc = raw.(*grpcClient)
	info, err := cl.rpc.Describe(ctx)
	if err != nil {
		err = cl.callError(ctx, "describe", err)
		cl.Close()
		return nil, err
	}
	if info.ProtocolVersion != 0 && info.ProtocolVersion != ProtocolVersion {
		cl.Close()
		return nil, &VersionError{Plugin: path, PluginVersion: fmt.Sprint(info.ProtocolVersion), HostVersions: []int{ProtocolVersion}}
	}
	return cl, nil
}

var pluginVersionRE = regexp.MustCompile(`Plugin version: (\d+)`)

// startError turns go-plugin's start errors into scanmux's.
func (c *Client) startError(err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, ErrChecksum):
		return err
	case strings.Contains(msg, "incompatible API version"):
		v := ""
		if m := pluginVersionRE.FindStringSubmatch(msg); m != nil {
			v = m[1]
		}
		return &VersionError{Plugin: c.path, PluginVersion: v, HostVersions: []int{ProtocolVersion}}
	case strings.Contains(msg, "Unrecognized remote plugin message") && !strings.Contains(msg, "Failed to read any lines"):
		line, _, _ := strings.Cut(strings.TrimPrefix(msg, "Unrecognized remote plugin message: "), "\n")
		return fmt.Errorf("%w: plugin %s wrote %q to stdout before the handshake; plugins must not write to stdout (log to stderr instead)",
			ErrHandshake, c.path, truncate(line, 200))
	case strings.Contains(msg, "exited before we could connect"),
		strings.Contains(msg, "Failed to read any lines from plugin's stdout"):
		return fmt.Errorf("%w: plugin %s exited before the handshake (%s)%s",
			ErrHandshake, c.path, c.exitState(), c.stderrSuffix())
	case strings.Contains(msg, "timeout while waiting for plugin to start"):
		return fmt.Errorf("%w: plugin %s did not complete the handshake within %s%s",
			ErrHandshake, c.path, c.cfg.StartTimeout, c.stderrSuffix())
	}
	return fmt.Errorf("plugin %s: %w", c.path, err)
}

func (c *Client) stderrSuffix() string {
	lines := c.stderr.lastLines()
	if len(lines) == 0 {
		return ""
	}
	return "; its stderr ends with:\n    " + strings.Join(lines, "\n    ")
}

// exitState waits briefly for the process to be reaped and describes how
// it ended.
func (c *Client) exitState() string {
	code, state := c.waitExit(3 * time.Second)
	if state == "" {
		return fmt.Sprintf("exit code %d", code)
	}
	return state
}

// waitExit waits up to d for the process to exit; it returns the exit code
// and a description, or (-1, "still running").
func (c *Client) waitExit(d time.Duration) (int, string) {
	deadline := time.Now().Add(d)
	for !c.pc.Exited() {
		if time.Now().After(deadline) {
			return -1, "still running"
		}
		time.Sleep(5 * time.Millisecond)
	}
	ps := c.proc.exitState()
	if ps == nil {
		return -1, "exited"
	}
	return ps.ExitCode(), ps.String()
}

// Name returns the plugin binary's base name, the name its log lines carry.
func (c *Client) Name() string { return c.name }

// Path returns the plugin binary's absolute path.
func (c *Client) Path() string { return c.path }

// Describe returns the plugin's description.
func (c *Client) Describe(ctx context.Context) (*Info, error) {
	if c.pc.Exited() || c.killed.Load() {
		return nil, fmt.Errorf("plugin %s: %w", c.name, ErrClosed)
	}
	info, err := c.rpc.Describe(ctx)
	if err != nil {
		return nil, c.callError(ctx, "describe", err)
	}
	return info, nil
}

// Scan runs a scan in the plugin process and passes what it streams to out.
// Findings reach out as the plugin sends them, so when the plugin crashes
// the findings before the crash have been delivered and Scan returns a
// [*CrashError]. When ctx is done or [Config.ScanTimeout] passes, the
// process is killed and Scan returns an error wrapping ctx's error
// ([context.Canceled] or [context.DeadlineExceeded]).
func (c *Client) Scan(ctx context.Context, req *Request, out Emitter) error {
	if c.pc.Exited() || c.killed.Load() {
		return fmt.Errorf("plugin %s: %w", c.name, ErrClosed)
	}
	if c.cfg.ScanTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.ScanTimeout)
		defer cancel()
	}
	stop := context.AfterFunc(ctx, c.kill)
	defer stop()
	err := c.rpc.Scan(ctx, req, out)
	if err == nil {
		return nil
	}
	var ee *emitError
	if errors.As(err, &ee) {
		return ee.err
	}
	return c.callError(ctx, "scan", err)
}

// callError classifies an error from a call to the plugin.
func (c *Client) callError(ctx context.Context, call string, err error) error {
	st, _ := status.FromError(err)
	// gRPC sends the deadline to the plugin, whose side may end the stream
	// (RST_STREAM CANCEL) a moment before this side's timer fires: a
	// cancellation that comes just before the deadline is the deadline.
	if dl, ok := ctx.Deadline(); ok && ctx.Err() == nil &&
		(st.Code() == codes.Canceled || st.Code() == codes.DeadlineExceeded) && time.Until(dl) < 2*time.Second {
		select {
		case <-ctx.Done():
		case <-time.After(time.Until(dl) + 100*time.Millisecond):
		}
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		what := "was cancelled"
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			what = "timed out"
			if c.cfg.ScanTimeout > 0 && call == "scan" {
				what += " after " + c.cfg.ScanTimeout.String()
			}
		}
		return fmt.Errorf("plugin %s: %s %s; the process was killed: %w", c.name, call, what, ctxErr)
	}
	if st.Code() == codes.Unavailable || st.Code() == codes.Canceled || c.pc.Exited() {
		code, state := c.waitExit(3 * time.Second)
		if code != -1 || state != "still running" {
			return &CrashError{Plugin: c.name, ExitCode: code, State: state, Stderr: c.stderr.lastLines(), Err: err}
		}
	}
	return fmt.Errorf("plugin %s: %s failed: %s", c.name, call, st.Message())
}

// kill ends the process and its process group at once.
func (c *Client) kill() {
	c.killed.Store(true)
	_ = c.proc.Kill(context.Background())
}

// Close ends the plugin process. It is safe to call more than once.
func (c *Client) Close() error {
	// go-plugin's Kill asks the plugin to exit, kills it if it has not
	// within two seconds, and reaps it; after our own kill it only reaps.
	c.closeOnce.Do(c.pc.Kill)
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// FileSHA256 returns the hex SHA-256 of the file at path, the form
// [Config.SHA256] pins.
func FileSHA256(path string) (string, error) {
	s, err := fileSHA256(path)
	if err != nil {
		return "", fmt.Errorf("plugin: checksum of %s: %w", path, err)
	}
	return s, nil
}

func hostLogLevel(ctx context.Context, l *slog.Logger) string {
	for _, lv := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn} {
		if l.Enabled(ctx, lv) {
			return strings.ToLower(lv.String())
		}
	}
	return "error"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// emitError marks an error returned by the host's own Emitter, so that it
// is passed through unchanged rather than blamed on the plugin.
type emitError struct{ err error }

func (e *emitError) Error() string { return e.err.Error() }
func (e *emitError) Unwrap() error { return e.err }

// grpcClient is the host side of the generated service.
type grpcClient struct {
	rpc pb.ScannerClient

	mu   sync.Mutex
	info *Info // from the last Describe
}

func (g *grpcClient) Describe(ctx context.Context) (*Info, error) {
	r, err := g.rpc.Describe(ctx, &pb.DescribeRequest{})
	if err != nil {
		return nil, err
	}
	info := infoFromPB(r)
	g.mu.Lock()
	g.info = info
	g.mu.Unlock()
	return info, nil
}

func (g *grpcClient) cachedInfo(ctx context.Context) (*Info, error) {
	g.mu.Lock()
	info := g.info
	g.mu.Unlock()
	if info != nil {
		return info, nil
	}
	return g.Describe(ctx)
}

func (g *grpcClient) Scan(ctx context.Context, req *Request, out Emitter) error {
	info, err := g.cachedInfo(ctx)
	if err != nil {
		return err
	}
	self := info.Tool()
	catalog := make(map[string]*finding.Rule, len(info.Rules))
	for i := range info.Rules {
		catalog[info.Rules[i].ID] = &info.Rules[i]
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := g.rpc.Scan(ctx, requestToPB(req))
	if err != nil {
		return err
	}
	rules := make(map[string]finding.Rule)
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch ev := resp.GetEvent().(type) {
		case *pb.ScanResponse_Findings:
			for _, p := range ev.Findings.GetFindings() {
				f := findingFromPB(p)
				if p.GetTool() == nil {
					f.Tool = self
				}
				resolveRule(&f.Rule, rules, catalog)
				if err := out.Finding(f); err != nil {
					return &emitError{err}
				}
			}
		case *pb.ScanResponse_Progress:
			p := ev.Progress
			if err := out.Progress(Progress{Done: p.GetDone(), Total: p.GetTotal(), Phase: p.GetPhase()}); err != nil {
				return &emitError{err}
			}
		case *pb.ScanResponse_Diagnostic:
			if err := out.Diagnostic(diagnosticFromPB(ev.Diagnostic)); err != nil {
				return &emitError{err}
			}
		}
	}
}

// resolveRule completes a rule reference (a rule with only an id) from the
// rules sent earlier in the stream or the catalog, and remembers full rules.
func resolveRule(r *finding.Rule, seen map[string]finding.Rule, catalog map[string]*finding.Rule) {
	if r.Name != "" || r.ShortDescription != "" || r.FullDescription != "" || r.HelpText != "" ||
		r.HelpMarkdown != "" || r.HelpURI != "" || len(r.Tags) > 0 || r.ID == "" {
		seen[r.ID] = *r
		return
	}
	if full, ok := seen[r.ID]; ok {
		*r = full
	} else if full, ok := catalog[r.ID]; ok {
		*r = *full
	} else {
		return
	}
	r.Tags = slices.Clone(r.Tags) // findings never share a slice
}
