package finding

import (
	"fmt"
	"strconv"
	"strings"
)

// Severity is scanmux's normalized severity: one of five levels, ordered so
// that a greater value is more severe. The zero value, SeverityUnset, is not
// a valid severity for a finding.
type Severity int8

const (
	// SeverityUnset means no severity was given.
	SeverityUnset Severity = iota
	// SeverityInfo is informational: no direct risk.
	SeverityInfo
	// SeverityLow is a low risk (CVSS 0.1-3.9).
	SeverityLow
	// SeverityMedium is a medium risk (CVSS 4.0-6.9).
	SeverityMedium
	// SeverityHigh is a high risk (CVSS 7.0-8.9).
	SeverityHigh
	// SeverityCritical is a critical risk (CVSS 9.0-10.0).
	SeverityCritical
)

// Severities lists the valid severities, most severe first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}

var severityNames = [...]string{"unset", "info", "low", "medium", "high", "critical"}

// String returns the lower-case name: "critical", "high", "medium", "low",
// "info", or "unset".
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "Severity(" + strconv.Itoa(int(s)) + ")"
	}
	return severityNames[s]
}

// Valid reports whether s is one of the five levels.
func (s Severity) Valid() bool { return s >= SeverityInfo && s <= SeverityCritical }

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) {
	if s != SeverityUnset && !s.Valid() {
		return nil, fmt.Errorf("finding: invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler. It accepts everything
// [ParseSeverity] accepts, and "unset", which MarshalText writes for
// SeverityUnset.
func (s *Severity) UnmarshalText(b []byte) error {
	if string(b) == "unset" {
		*s = SeverityUnset
		return nil
	}
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// SARIFLevel returns the SARIF result level for s: "error" for critical and
// high, "warning" for medium, "note" for low and info.
func (s Severity) SARIFLevel() string {
	switch {
	case s >= SeverityHigh:
		return "error"
	case s == SeverityMedium:
		return "warning"
	case s == SeverityUnset:
		return "none"
	default:
		return "note"
	}
}

// Score returns a representative CVSS-like score for s, used as the SARIF
// "security-severity" property when the tool gave none. Each score lies in
// the middle of GitHub's band for s; info is "0.0".
func (s Severity) Score() string {
	switch s {
	case SeverityCritical:
		return "9.5"
	case SeverityHigh:
		return "8.0"
	case SeverityMedium:
		return "5.5"
	case SeverityLow:
		return "2.0"
	default:
		return "0.0"
	}
}

// SeverityFromScore maps a CVSS score or a SARIF "security-severity" value
// to a severity using GitHub's bands: >= 9.0 critical, 7.0-8.9 high,
// 4.0-6.9 medium, 0.1-3.9 low, and 0 info. Scores outside 0-10 are
// errors.
func SeverityFromScore(score float64) (Severity, error) {
	switch {
	case score != score || score < 0 || score > 10: // NaN or out of range
		return SeverityUnset, fmt.Errorf("finding: severity score %v outside 0-10", score)
	case score >= 9.0:
		return SeverityCritical, nil
	case score >= 7.0:
		return SeverityHigh, nil
	case score >= 4.0:
		return SeverityMedium, nil
	case score > 0:
		return SeverityLow, nil
	default:
		return SeverityInfo, nil
	}
}

// SeverityFromSARIFLevel maps a SARIF result level to a severity: "error"
// is high, "warning" medium, "note" low and "none" info. The empty level
// is SARIF's default, "warning".
func SeverityFromSARIFLevel(level string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(level)) {
	case "error":
		return SeverityHigh, nil
	case "warning", "":
		return SeverityMedium, nil
	case "note":
		return SeverityLow, nil
	case "none":
		return SeverityInfo, nil
	}
	return SeverityUnset, fmt.Errorf("finding: unknown SARIF level %q", level)
}

// SeverityFromZAPRisk maps an OWASP ZAP risk code (0 informational, 1 low,
// 2 medium, 3 high) to a severity.
func SeverityFromZAPRisk(code int) (Severity, error) {
	switch code {
	case 0:
		return SeverityInfo, nil
	case 1:
		return SeverityLow, nil
	case 2:
		return SeverityMedium, nil
	case 3:
		return SeverityHigh, nil
	}
	return SeverityUnset, fmt.Errorf("finding: ZAP risk code %d outside 0-3", code)
}

// ParseSeverity normalizes a severity written in any vocabulary scanners
// use, ignoring case and surrounding space:
//
//   - words: critical, high, medium/moderate, low, info/informational/
//     information/none/negligible, unknown (info);
//   - SARIF levels: error (high), warning (medium), note (low);
//   - numbers: a CVSS score or SARIF "security-severity" ("7.5"), mapped by
//     [SeverityFromScore].
//
// ZAP risk codes are also small numbers, so use [SeverityFromZAPRisk] for
// them instead.
func ParseSeverity(s string) (Severity, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	switch w {
	case "critical", "crit", "blocker":
		return SeverityCritical, nil
	case "high", "error", "major", "severe":
		return SeverityHigh, nil
	case "medium", "moderate", "warning", "warn":
		return SeverityMedium, nil
	case "low", "note", "minor":
		return SeverityLow, nil
	case "info", "informational", "information", "none", "negligible", "unknown", "unspecified", "trivial":
		return SeverityInfo, nil
	case "":
		return SeverityUnset, fmt.Errorf("finding: empty severity")
	}
	if f, err := strconv.ParseFloat(w, 64); err == nil {
		return SeverityFromScore(f)
	}
	return SeverityUnset, fmt.Errorf("finding: unknown severity %q", s)
}
