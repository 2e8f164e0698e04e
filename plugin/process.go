package plugin

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
)

// process runs a plugin binary for go-plugin (it is go-plugin's
// runner.Runner): with nothing on its standard input, in a process group
// of its own on Unix, and so that nothing it started outlives it. When the
// plugin exits, whatever it left running in its group is killed; killing
// the plugin kills its whole group.
//
// go-plugin's own runner gives the plugin the host's standard input and
// kills only the plugin's process, leaving its children running (and
// holding its output pipes, so that go-plugin waits for them).
type process struct {
	cmd    *exec.Cmd
	stdout *os.File // read ends of the plugin's output pipes
	stderr *os.File

	exited chan struct{} // closed once the plugin has exited and its group been killed
	state  *os.ProcessState
	err    error

	mu     sync.Mutex
	pid    int
	reaped bool // the plugin was waited for: its pid may belong to another process
}

func newProcess(cmd *exec.Cmd) *process {
	cmd.Stdin = nil // reads give EOF (go-plugin passes os.Stdin)
	setProcessGroup(cmd)
	return &process{cmd: cmd, exited: make(chan struct{})}
}

// Start starts the plugin and a goroutine that waits for it to exit.
func (p *process) Start(context.Context) error {
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return err
	}
	p.cmd.Stdout, p.cmd.Stderr = outW, errW
	err = p.cmd.Start()
	// The plugin (and whatever it starts) holds the write ends now: the
	// read ends see EOF once they have all exited.
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return err
	}
	p.stdout, p.stderr = outR, errR
	p.mu.Lock()
	p.pid = p.cmd.Process.Pid
	p.mu.Unlock()
	go p.wait()
	return nil
}

// wait waits for the plugin's process, then kills what is left of its
// group, which closes the output pipes the children held.
func (p *process) wait() {
	state, err := p.cmd.Process.Wait()
	p.mu.Lock()
	killGroup(p.pid) // the group keeps its id while any of it runs
	p.reaped = true
	p.mu.Unlock()
	p.state, p.err = state, err
	if err == nil && !state.Success() {
		p.err = &exec.ExitError{ProcessState: state}
	}
	close(p.exited)
}

// Wait waits until the plugin has exited and its group has been killed,
// and closes the output pipes, which go-plugin has read to their end.
func (p *process) Wait(context.Context) error {
	<-p.exited
	p.stdout.Close()
	p.stderr.Close()
	return p.err
}

// Kill kills the plugin and its process group at once.
func (p *process) Kill(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pid == 0 || p.reaped {
		return nil
	}
	killGroup(p.pid)
	if err := p.cmd.Process.Kill(); err != nil && err != os.ErrProcessDone {
		return err
	}
	return nil
}

// exitState returns how the plugin ended, nil while it runs.
func (p *process) exitState() *os.ProcessState {
	select {
	case <-p.exited:
		return p.state
	default:
		return nil
	}
}

func (p *process) Stdout() io.ReadCloser { return p.stdout }
func (p *process) Stderr() io.ReadCloser { return p.stderr }
func (p *process) Name() string          { return p.cmd.Path }

func (p *process) ID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pid == 0 {
		return ""
	}
	return strconv.Itoa(p.pid)
}

// Diagnose says why a plugin may have failed to start, as go-plugin's
// runner does.
func (p *process) Diagnose(context.Context) string {
	return fmt.Sprintf("This usually means\n  the plugin was not compiled for this architecture,\n"+
		"  the plugin is missing dynamic-link libraries necessary to run,\n"+
		"  the plugin is not executable by this process due to file permissions, or\n"+
		"  the plugin failed to negotiate the initial go-plugin protocol handshake\n(%s)", p.cmd.Path)
}

// PluginToHost and HostToPlugin translate nothing: the plugin runs beside
// the host.
func (p *process) PluginToHost(network, addr string) (string, string, error) {
	return network, addr, nil
}
func (p *process) HostToPlugin(network, addr string) (string, string, error) {
	return network, addr, nil
}
