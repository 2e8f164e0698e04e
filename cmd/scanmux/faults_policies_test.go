package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// Fault matrix, hostile policies (hardening issue, defect 4): a Rego
// policy given with --policy that reaches the network, reads the clock or
// the environment, fails at evaluation, or costs without bound. Every row
// runs scanmux scan as a process on a target whose Dockerfile the built-in
// IaC rules report, with a CI secret in the environment and an old output
// in place: exit 2 with the policy's FILE:LINE, quickly, in bounded
// memory. A policy that does not load stops the scan before it runs (the
// old output is kept); one that fails on findings fails the gate, and with
// --partial the output keeps every finding, as it was.
func TestFaultsHostilePolicies(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{"deny": true}`))
	}))
	defer srv.Close()
	rows := []struct {
		name    string
		policy  string
		args    []string
		stderr  []string // FILE:LINE and what went wrong
		keepOld bool     // the policy did not load: the old output stays
		maxTime time.Duration
	}{
		{
			name: "network: sends every finding to a server",
			policy: `package scanmux

deny contains "remote says no" if {
	resp := http.send({"method": "POST", "url": "` + srv.URL + `", "body": input.finding})
	resp.body.deny
}
`,
			stderr:  []string{"policy.rego:4: built-in http.send is not allowed: it reaches the network"},
			keepOld: true,
		},
		{
			name: "clock: decides by the time of day",
			policy: `package scanmux

suppress contains "after hours" if {
	time.clock([time.now_ns(), "UTC"])[0] > 17
}
`,
			stderr:  []string{"policy.rego:4: built-in time.now_ns is not allowed: it reads the clock"},
			keepOld: true,
		},
		{
			name: "environment: reads the CI's secret through opa.runtime",
			policy: `package scanmux

deny contains sprintf("%v", [opa.runtime().env.` + ciSecretName + `]) if true
`,
			stderr:  []string{"policy.rego:3: built-in opa.runtime is not allowed"},
			keepOld: true,
		},
		{
			name: "a deny rule that fails at evaluation (eval_conflict_error)",
			policy: `package scanmux

deny contains msg if {
	input.finding.category == "iac"
	msg := sprintf("%s: %s", [input.finding.rule.id, label(input.finding.severity)])
}

label(s) := "bad" if s != "info"
label(s) := "worse" if s != "critical"
`,
			stderr: []string{"gate: scanmux-iac (built-in): filter policy failed on findings (4 findings, e.g. policy: ", "policy.rego:3: deny rule failed: ", "policy.rego:9: eval_conflict_error: function data.scanmux.label produced conflicting values"},
		},
		{
			name: "numbers.range(1, 300000000)",
			policy: `package scanmux

deny contains "many" if {
	count([x | some x in numbers.range(1, 300000000)]) > 1
}
`,
			stderr: []string{"policy.rego:4: numbers.range would generate 300000000 elements, more than the 65536 a policy may: refused"},
		},
		{
			name: `net.cidr_expand("10.0.0.0/4")`,
			policy: `package scanmux

suppress contains "internal address" if {
	some ip in net.cidr_expand("10.0.0.0/4")
	contains(input.finding.message, ip)
}
`,
			stderr: []string{"policy.rego:4: net.cidr_expand would generate 268435456 elements, more than the 65536 a policy may: refused"},
		},
		{
			name: "a heavy comprehension (4 billion steps), against --timeout 3s",
			policy: `package scanmux

severity := "critical" if {
	count([x | some x in numbers.range(1, 65536); some y in numbers.range(1, 65536); x == y]) > 70000
}
`,
			args:    []string{"--timeout", "3s"},
			stderr:  []string{"gate: scanmux-iac (built-in): filter policy failed on findings", "policy.rego:3: severity rule", "context deadline exceeded"},
			maxTime: 20 * time.Second,
		},
		{
			name: "a comprehension that grows the heap by 500 MB a second",
			policy: `package scanmux

severity := "critical" if {
	count([[x, y] | some x in numbers.range(1, 65536); some y in numbers.range(1, 65536)]) > 0
}
`,
			stderr:  []string{"gate: scanmux-iac (built-in): filter policy failed on findings", "policy.rego:3: severity rule ", "policy evaluation took too much memory"},
			maxTime: 20 * time.Second,
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			dir := t.TempDir()
			target := scanTarget(t, dir)
			pol := filepath.Join(dir, "policies", "policy.rego")
			mustWrite(t, pol, []byte(row.policy), 0o644)
			maxTime := row.maxTime
			if maxTime == 0 {
				maxTime = time.Minute
			}
			args := append([]string{"--in-process", "--scanners", "scanmux-iac", "--policy", pol, "--partial"}, row.args...)
			h := scanProcess(t, dir, target, nil, "", maxTime+time.Minute, args...)
			t.Logf("exit %d in %s, peak RSS %d MiB; stderr:\n%s", h.res.code, h.took.Round(time.Millisecond), h.rss>>10, truncateLog(h.res.stderr))
			h.check(t, want{code: 2, keepOld: row.keepOld, stderr: row.stderr, absent: []string{ciSecretValue}})
			if h.took > maxTime {
				t.Errorf("the run took %s, want at most %s", h.took, maxTime)
			}
			// Unbounded, these took gigabytes; scanmux scanning a
			// Dockerfile takes well under 100 MiB, and an evaluation may
			// grow the heap by 256 MiB (policy.DefaultMemoryLimit). Under
			// the race detector, the resident memory is its shadow
			// memory's: 1 GiB whatever the policy.
			if !raceEnabled && h.rss>>10 > 768 {
				t.Errorf("peak RSS %d MiB, want at most 768", h.rss>>10)
			}
		})
	}
	if n := hits.Load(); n > 0 {
		t.Errorf("the policy reached the server %d times", n)
	}
}
