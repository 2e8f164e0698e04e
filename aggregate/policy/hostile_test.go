package policy

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scanmux/scanmux/finding"
)

func hostileFinding() *finding.Finding {
	return &finding.Finding{
		Tool:     finding.Tool{Name: "gosec"},
		Rule:     finding.Rule{ID: "G101"},
		Message:  "hard-coded credential",
		Category: finding.CategorySAST,
		Severity: finding.SeverityHigh,
		CWEs:     []int{798},
		Location: finding.Location{Path: "main.go", Region: finding.Region{StartLine: 3}},
	}
}

// heapGuard fails the test process when the heap grows by more than limit
// while the returned stop has not been called: a policy that is not
// memory-bounded would otherwise take the machine's memory.
func heapGuard(limit uint64) (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			if h := read(); h > base {
				if h-base > peak.Load() {
					peak.Store(h - base)
				}
				if h-base > limit {
					panic(fmt.Sprintf("the heap grew by %d MiB during a policy evaluation: not memory-bounded", (h-base)>>20))
				}
			}
		}
	}()
	return func() uint64 { close(done); return peak.Load() }
}

// Hostile policies: each fails Apply with an error that names the policy
// file and line, quickly and without taking the machine's memory.
func TestHostilePolicies(t *testing.T) {
	cases := []struct {
		name, src string
		opts      Options
		ctx       time.Duration // context timeout, if any
		want      []string      // in the error
		wantIs    error
		maxTime   time.Duration
	}{
		{
			name: "deny rule with a conflict error",
			src: `package scanmux

deny contains msg if {
	some cwe in input.finding.cwes
	msg := sprintf("CWE %v: %v", [cwe, label(cwe)])
}

label(x) := "bad" if x > 0
label(x) := "worse" if x > 1
`,
			want: []string{"deny.rego:3: deny rule failed", "deny.rego:8", "eval_conflict_error"},
		},
		{
			name: "numbers.range of 300,000,000 numbers",
			src: `package scanmux

deny contains "too many" if {
	count([x | some x in numbers.range(1, 300000000)]) > 10
}
`,
			want:   []string{"deny.rego:4: numbers.range would generate 300000000 elements"},
			wantIs: ErrExpand,
		},
		{
			name: "numbers.range_step of a billion numbers",
			src: `package scanmux

deny contains "too many" if {
	n := numbers.range_step(0, 1000000000, 1)
	count(n) > input.finding.location.startLine
}
`,
			want:   []string{"deny.rego:4: numbers.range_step would generate 1000000001 elements"},
			wantIs: ErrExpand,
		},
		{
			name: "net.cidr_expand of a /4",
			src: `package scanmux

suppress contains "internal" if {
	some ip in net.cidr_expand("10.0.0.0/4")
	ip == input.finding.message
}
`,
			want:   []string{"deny.rego:4: net.cidr_expand would generate 268435456 elements"},
			wantIs: ErrExpand,
		},
		{
			name: "heavy comprehension against the file's budget",
			src: `package scanmux

deny contains "heavy" if {
	count([x | some x in numbers.range(1, 60000); some y in numbers.range(1, 60000)]) > 0
}
`,
			opts:    Options{Budget: 500 * time.Millisecond},
			want:    []string{"deny.rego:3: deny rule stopped", "policy time budget used up"},
			wantIs:  ErrBudget,
			maxTime: 3 * time.Second,
		},
		{
			name: "comprehension that grows the heap",
			src: `package scanmux

deny contains "heavy" if {
	count([[x, y] | some x in numbers.range(1, 60000); some y in numbers.range(1, 60000)]) > 0
}
`,
			opts:    Options{Budget: -1, MemoryLimit: 64 << 20},
			want:    []string{"deny.rego:3: deny rule stopped after", "took too much memory (the heap grew by more than 64 MiB)"},
			wantIs:  ErrMemory,
			maxTime: 10 * time.Second,
		},
		{
			name: "heavy comprehension against the context",
			src: `package scanmux

severity := "critical" if {
	count({x | some x in numbers.range(1, 60000); some y in numbers.range(1, 60000)}) > 0
}
`,
			ctx:     500 * time.Millisecond,
			want:    []string{"deny.rego:3: severity rule stopped after", "context deadline exceeded"},
			wantIs:  context.DeadlineExceeded,
			maxTime: 3 * time.Second,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			paths := writePolicies(t, "deny.rego", tc.src)
			opts := tc.opts
			opts.CacheSize = -1
			p := mustLoad(t, paths, &opts)
			ctx := context.Background()
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			stop := heapGuard(1 << 30)
			start := time.Now()
			_, err := p.Apply(ctx, hostileFinding())
			took := time.Since(start)
			peak := stop()
			t.Logf("%v in %s, heap +%d MiB", err, took, peak>>20)
			if err == nil {
				t.Fatal("Apply passed")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.wantIs)
			}
			if max := cmpOr(tc.maxTime, 2*time.Second); took > max {
				t.Errorf("Apply took %s, want at most %s", took, max)
			}
			// A later finding fails too: the policy is broken, not this finding.
			if tc.ctx == 0 {
				if _, err := p.Apply(context.Background(), hostileFinding()); err == nil {
					t.Error("a second Apply passed")
				}
			}
		})
	}
}

func cmpOr(a, b time.Duration) time.Duration {
	if a != 0 {
		return a
	}
	return b
}

// The bounded built-ins give OPA's results within MaxExpand.
func TestBoundedBuiltinsWithinLimit(t *testing.T) {
	paths := writePolicies(t, "ok.rego", `package scanmux

deny contains sprintf("%d %d %d %v", [count(numbers.range(1, 65536)), count(numbers.range_step(10, 1, 3)), count(net.cidr_expand("10.1.0.0/16")), numbers.range(3, 1)]) if true
`)
	p := mustLoad(t, paths, nil)
	v := apply(t, p, hostileFinding())
	if want := []string{"65536 4 65536 [3, 2, 1]"}; fmt.Sprint(v.Deny) != fmt.Sprint(want) {
		t.Errorf("deny = %q, want %q", v.Deny, want)
	}
}
