package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scanmux/scanmux/sarif"
)

// Fault matrix, concurrent writers: several scanmux processes write one
// output at once (two CI jobs sharing a workspace, a retry racing the
// first run) while a reader reads it again and again. Every writer exits
// 0; the reader only ever sees the old log or one writer's whole log,
// never a part of one or a mix of two; the output at the end is one
// writer's whole log; no temporary file is left.
func TestFaultsConcurrentWriters(t *testing.T) {
	const writers = 6
	dir := t.TempDir()
	out := filepath.Join(dir, "o.sarif")
	old := sarifLog("old", "", "a.go", 1)
	mustWrite(t, out, old, 0o644)
	inputs := make([]string, writers)
	for i := range inputs {
		inputs[i] = filepath.Join(dir, fmt.Sprintf("in%d.sarif", i))
		// Each writer's log has its own tool and a size of its own, from
		// 2,000 to 12,000 results, so that the writes overlap.
		mustWrite(t, inputs[i], sarifLog(fmt.Sprintf("tool%d", i), "", "a.go", 2000*(i+1)), 0o644)
	}

	var stop atomic.Bool
	var reads, bad atomic.Int64
	var readerErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			b, err := os.ReadFile(out)
			if err != nil {
				readerErr = err
				return
			}
			reads.Add(1)
			if bytes.Equal(b, old) {
				continue
			}
			if _, err := sarif.Read(bytes.NewReader(b), "o.sarif", nil); err != nil || !json.Valid(b) {
				bad.Add(1)
				readerErr = fmt.Errorf("the reader saw a broken log (%d bytes): %v", len(b), err)
			}
		}
	}()

	cmds := make([]*exec.Cmd, writers)
	outs := make([]*bytes.Buffer, writers)
	for i := range cmds {
		cmds[i] = scanmuxCmd(t, dir, "merge", "-q", "--output-profile", "full", "-o", "o.sarif", inputs[i])
		outs[i] = &bytes.Buffer{}
		cmds[i].Stderr = outs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if res := wait(t, c, 2*time.Minute, &bytes.Buffer{}, outs[i]); res.code != 0 {
			t.Errorf("writer %d: exit %d: %s", i, res.code, res.stderr)
		}
	}
	stop.Store(true)
	wg.Wait()
	if readerErr != nil {
		t.Errorf("%v (%d of %d reads)", readerErr, bad.Load(), reads.Load())
	}
	runs, err := sarif.ReadFile(out, nil)
	if err != nil {
		t.Fatalf("the output at the end: %v", err)
	}
	if len(runs) != 1 {
		t.Fatalf("%d runs at the end, want one writer's one run", len(runs))
	}
	var i int
	if _, err := fmt.Sscanf(runs[0].Tool.Name, "tool%d", &i); err != nil || len(runs[0].Findings) != 2000*(i+1) {
		t.Errorf("the output at the end is not one writer's whole log: tool %q, %d results", runs[0].Tool.Name, len(runs[0].Findings))
	}
	if tmp := tempFilesIn(t, dir); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	t.Logf("%d reads while %d writers ran; %s won", reads.Load(), writers, runs[0].Tool.Name)
}
