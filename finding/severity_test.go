package finding

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

func TestParseSeverity(t *testing.T) {
	tests := []struct {
		reason string
		in     string
		want   Severity
		err    bool
	}{
		{"CVSS word", "CRITICAL", SeverityCritical, false},
		{"CVSS word", "HIGH", SeverityHigh, false},
		{"CVSS word", "MEDIUM", SeverityMedium, false},
		{"CVSS word", "LOW", SeverityLow, false},
		{"trivy/grype info", "INFO", SeverityInfo, false},
		{"trivy unknown is info", "UNKNOWN", SeverityInfo, false},
		{"ZAP word", "Informational", SeverityInfo, false},
		{"information", "information", SeverityInfo, false},
		{"none", "none", SeverityInfo, false},
		{"negligible", "Negligible", SeverityInfo, false},
		{"unspecified", "unspecified", SeverityInfo, false},
		{"trivial", "trivial", SeverityInfo, false},
		{"SARIF level error", "error", SeverityHigh, false},
		{"SARIF level warning", "warning", SeverityMedium, false},
		{"SARIF level note", "note", SeverityLow, false},
		{"npm moderate", "moderate", SeverityMedium, false},
		{"warn", "warn", SeverityMedium, false},
		{"crit", "crit", SeverityCritical, false},
		{"sonar blocker", "BLOCKER", SeverityCritical, false},
		{"sonar major", "Major", SeverityHigh, false},
		{"severe", "severe", SeverityHigh, false},
		{"sonar minor", "minor", SeverityLow, false},
		{"mixed case", "hIgH", SeverityHigh, false},
		{"mixed case", "Critical", SeverityCritical, false},
		{"surrounding spaces", "  medium\t", SeverityMedium, false},
		{"surrounding newline", "low\n", SeverityLow, false},
		{"score high", "7.5", SeverityHigh, false},
		{"score with spaces", " 9.8 ", SeverityCritical, false},
		{"score integer", "5", SeverityMedium, false},
		{"score zero", "0", SeverityInfo, false},
		{"score zero point zero", "0.0", SeverityInfo, false},
		{"score ten", "10.0", SeverityCritical, false},
		{"score low", "3.9", SeverityLow, false},
		{"score negative", "-1", SeverityUnset, true},
		{"score above ten", "10.1", SeverityUnset, true},
		{"score NaN", "NaN", SeverityUnset, true},
		{"score infinity", "+Inf", SeverityUnset, true},
		{"empty", "", SeverityUnset, true},
		{"only spaces", "   ", SeverityUnset, true},
		{"unknown word", "urgent", SeverityUnset, true},
		{"inner space", "very high", SeverityUnset, true},
		{"unset is not a severity a tool gives", "unset", SeverityUnset, true},
	}
	for _, tt := range tests {
		got, err := ParseSeverity(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%s: ParseSeverity(%q) = %v, %v; want %v, error %v", tt.reason, tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestSeverityFromScore(t *testing.T) {
	tests := []struct {
		reason string
		score  float64
		want   Severity
		err    bool
	}{
		{"zero is info", 0, SeverityInfo, false},
		{"negative zero is info", math.Copysign(0, -1), SeverityInfo, false},
		{"lowest low", 0.1, SeverityLow, false},
		{"between 0 and 0.1 is low", 0.05, SeverityLow, false},
		{"highest low", 3.9, SeverityLow, false},
		{"just below medium", 3.99, SeverityLow, false},
		{"lowest medium", 4.0, SeverityMedium, false},
		{"highest medium", 6.9, SeverityMedium, false},
		{"lowest high", 7.0, SeverityHigh, false},
		{"highest high", 8.9, SeverityHigh, false},
		{"lowest critical", 9.0, SeverityCritical, false},
		{"highest critical", 10, SeverityCritical, false},
		{"negative", -1, SeverityUnset, true},
		{"just below zero", -0.01, SeverityUnset, true},
		{"above ten", 10.1, SeverityUnset, true},
		{"NaN", math.NaN(), SeverityUnset, true},
		{"+Inf", math.Inf(1), SeverityUnset, true},
		{"-Inf", math.Inf(-1), SeverityUnset, true},
	}
	for _, tt := range tests {
		got, err := SeverityFromScore(tt.score)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%s: SeverityFromScore(%v) = %v, %v; want %v, error %v", tt.reason, tt.score, got, err, tt.want, tt.err)
		}
	}
}

func TestSeverityFromSARIFLevel(t *testing.T) {
	tests := []struct {
		reason string
		level  string
		want   Severity
		err    bool
	}{
		{"error", "error", SeverityHigh, false},
		{"warning", "warning", SeverityMedium, false},
		{"note", "note", SeverityLow, false},
		{"none", "none", SeverityInfo, false},
		{"empty is SARIF's default, warning", "", SeverityMedium, false},
		{"case and space ignored", " Error ", SeverityHigh, false},
		{"upper case", "NOTE", SeverityLow, false},
		{"not a SARIF level", "high", SeverityUnset, true},
		{"not a SARIF level", "info", SeverityUnset, true},
	}
	for _, tt := range tests {
		got, err := SeverityFromSARIFLevel(tt.level)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%s: SeverityFromSARIFLevel(%q) = %v, %v; want %v, error %v", tt.reason, tt.level, got, err, tt.want, tt.err)
		}
	}
}

func TestSeverityFromZAPRisk(t *testing.T) {
	tests := []struct {
		reason string
		code   int
		want   Severity
		err    bool
	}{
		{"informational", 0, SeverityInfo, false},
		{"low", 1, SeverityLow, false},
		{"medium", 2, SeverityMedium, false},
		{"high", 3, SeverityHigh, false},
		{"below range", -1, SeverityUnset, true},
		{"above range", 4, SeverityUnset, true},
		{"far above range", 100, SeverityUnset, true},
	}
	for _, tt := range tests {
		got, err := SeverityFromZAPRisk(tt.code)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%s: SeverityFromZAPRisk(%d) = %v, %v; want %v, error %v", tt.reason, tt.code, got, err, tt.want, tt.err)
		}
	}
}

func TestSeverityMethods(t *testing.T) {
	tests := []struct {
		s     Severity
		name  string
		valid bool
		level string
		score string
	}{
		{SeverityUnset, "unset", false, "none", "0.0"},
		{SeverityInfo, "info", true, "note", "0.0"},
		{SeverityLow, "low", true, "note", "2.0"},
		{SeverityMedium, "medium", true, "warning", "5.5"},
		{SeverityHigh, "high", true, "error", "8.0"},
		{SeverityCritical, "critical", true, "error", "9.5"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.name {
			t.Errorf("Severity(%d).String() = %q, want %q", int(tt.s), got, tt.name)
		}
		if got := tt.s.Valid(); got != tt.valid {
			t.Errorf("%v.Valid() = %v, want %v", tt.s, got, tt.valid)
		}
		if got := tt.s.SARIFLevel(); got != tt.level {
			t.Errorf("%v.SARIFLevel() = %q, want %q", tt.s, got, tt.level)
		}
		if got := tt.s.Score(); got != tt.score {
			t.Errorf("%v.Score() = %q, want %q", tt.s, got, tt.score)
		}
		if !tt.valid {
			continue
		}
		// The score lies in the severity's own band.
		f, err := strconv.ParseFloat(tt.s.Score(), 64)
		if err != nil {
			t.Fatalf("%v.Score() = %q is not a number", tt.s, tt.s.Score())
		}
		if back, err := SeverityFromScore(f); err != nil || back != tt.s {
			t.Errorf("SeverityFromScore(%v.Score() = %v) = %v, %v; want %v", tt.s, f, back, err, tt.s)
		}
		// The SARIF level maps back to a severity with the same level.
		if back, err := SeverityFromSARIFLevel(tt.s.SARIFLevel()); err != nil || back.SARIFLevel() != tt.s.SARIFLevel() {
			t.Errorf("SeverityFromSARIFLevel(%q) = %v, %v", tt.s.SARIFLevel(), back, err)
		}
	}

	for _, s := range []Severity{-1, 6, 100} {
		want := "Severity(" + strconv.Itoa(int(s)) + ")"
		if got := s.String(); got != want {
			t.Errorf("Severity(%d).String() = %q, want %q", int(s), got, want)
		}
		if s.Valid() {
			t.Errorf("Severity(%d).Valid() = true", int(s))
		}
	}

	if len(Severities) != 5 {
		t.Fatalf("Severities has %d entries, want 5", len(Severities))
	}
	for i, s := range Severities {
		if !s.Valid() || (i > 0 && s >= Severities[i-1]) {
			t.Errorf("Severities[%d] = %v: want valid levels, most severe first", i, s)
		}
	}
}

func TestSeverityText(t *testing.T) {
	// Round trip: every level, and the zero value.
	for _, s := range append([]Severity{SeverityUnset}, Severities...) {
		b, err := s.MarshalText()
		if err != nil {
			t.Fatalf("%v.MarshalText(): %v", s, err)
		}
		if string(b) != s.String() {
			t.Errorf("%v.MarshalText() = %q, want %q", s, b, s.String())
		}
		var back Severity = 42
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, back, err, s)
		}
	}

	for _, s := range []Severity{-1, 6} {
		if b, err := s.MarshalText(); err == nil {
			t.Errorf("Severity(%d).MarshalText() = %q, want an error", int(s), b)
		}
	}

	tests := []struct {
		in   string
		want Severity
		err  bool
	}{
		{"HIGH", SeverityHigh, false},
		{"7.5", SeverityHigh, false},
		{"Informational", SeverityInfo, false},
		{"", SeverityUnset, true},
		{"bogus", SeverityUnset, true},
	}
	for _, tt := range tests {
		got := SeverityLow
		err := got.UnmarshalText([]byte(tt.in))
		if tt.err {
			if err == nil || got != SeverityLow {
				t.Errorf("UnmarshalText(%q) = %v, %v; want an error and no change", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}

	// Through encoding/json, as a field of a struct.
	type doc struct{ S Severity }
	b, err := json.Marshal(doc{SeverityCritical})
	if err != nil || string(b) != `{"S":"critical"}` {
		t.Fatalf("json.Marshal = %s, %v", b, err)
	}
	var d doc
	if err := json.Unmarshal([]byte(`{"S":"Moderate"}`), &d); err != nil || d.S != SeverityMedium {
		t.Fatalf("json.Unmarshal = %v, %v", d.S, err)
	}
}
