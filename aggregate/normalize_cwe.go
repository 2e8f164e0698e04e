package aggregate

import (
	"slices"
	"strconv"
	"strings"
)

// PropCWEUntrusted is the Properties key under which the normalize stage
// lists, comma-separated, the CWE ids of a finding that are not trusted for
// deduplication: CWE categories, views and deprecated entries (see
// [CWEUntrusted]), ids above [maxCWE] and 0.
const PropCWEUntrusted = "scanmux/cwe-untrusted"

// maxCWE is the highest CWE id taken as a possible weakness. CWE 4.x ends
// in the low 1400s, so anything above is a typo or another scheme's number.
const maxCWE = 1500

// cweNotWeakness lists CWE ids that tools emit although they are not
// weaknesses: categories (PROHIBITED for mapping by MITRE), views and
// deprecated entries. Two findings sharing only one of these say little
// about being the same issue ("Configuration", "Cryptographic Issues").
// The list is the common ones, not the whole catalog.
var cweNotWeakness = map[int]string{
	1: "deprecated", 2: "category", 16: "category", 17: "deprecated category",
	18: "deprecated category", 19: "category", 21: "deprecated category",
	71: "deprecated", 92: "deprecated", 132: "deprecated", 133: "category",
	136: "category", 137: "category", 139: "deprecated", 169: "deprecated",
	189: "category", 199: "category", 217: "deprecated", 218: "deprecated",
	225: "deprecated", 249: "deprecated", 254: "category", 255: "category",
	264: "category", 265: "category", 275: "category", 292: "deprecated",
	310: "category", 320: "category", 355: "category", 361: "category",
	371: "category", 373: "deprecated", 387: "category", 388: "category",
	389: "category", 398: "category", 399: "category", 411: "category",
	417: "category", 423: "deprecated", 429: "category", 438: "category",
	443: "deprecated", 452: "category", 458: "deprecated", 465: "category",
	485: "category", 503: "category", 516: "deprecated", 533: "deprecated",
	534: "deprecated", 542: "deprecated", 545: "deprecated", 557: "category",
	559: "deprecated", 569: "category", 592: "deprecated", 596: "deprecated",
	629: "view", 630: "deprecated", 631: "deprecated", 632: "deprecated",
	633: "deprecated", 634: "deprecated", 635: "view", 658: "view", 659: "view",
	660: "view", 661: "view", 677: "view", 679: "deprecated", 699: "view",
	700: "view", 711: "view", 769: "deprecated", 1000: "view", 1003: "view",
	1006: "category", 1008: "view", 1009: "category", 1010: "category",
	1011: "category", 1012: "category", 1013: "category", 1014: "category",
	1015: "category", 1016: "category", 1017: "category", 1018: "category",
	1019: "category", 1020: "category", 1026: "view", 1027: "category",
	1028: "category", 1029: "category", 1030: "category", 1031: "category",
	1032: "category", 1033: "category", 1034: "category", 1035: "category",
	1036: "category", 1037: "category", 1187: "deprecated", 1194: "view",
	1200: "view", 1337: "view", 1344: "view", 1345: "category", 1346: "category",
	1347: "category", 1348: "category", 1349: "category", 1350: "view",
	1352: "category", 1353: "category", 1354: "category", 1355: "category",
	1356: "category", 1387: "view", 1400: "view",
}

// CWEUntrusted reports whether CWE id n is not trusted as a weakness, and
// why: "category", "view", "deprecated", "unknown" (0 or above 1500).
func CWEUntrusted(n int) (reason string, untrusted bool) {
	if n <= 0 || n > maxCWE {
		return "unknown", true
	}
	r, ok := cweNotWeakness[n]
	return r, ok
}

// The CWE references the normalize stage reads are found by byte scans
// that give exactly what these regular expressions would (ASCII word
// boundaries, leftmost-first, non-overlapping matches):
//
//	tag:    (?i)\bcwe[-_: ]?0*(\d{1,6})\b   tags and property values: "external/cwe/cwe-79", "CWE-79", "cwe_79", "CWE:79", "CWE 79"
//	text:   (?i)\bcwe-0*(\d{1,6})\b        prose: "CWE-89"
//	digits: \b\d{1,6}\b                    bare numbers in a CWE-named property ("79", "[79, 89]")

// isWordByte reports whether c is a regexp word character ([0-9A-Za-z_]).
// Bytes of multi-byte runes are not, as runes other than ASCII are not.
func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// appendCWEMatches appends the ids of the CWE references in s: the "tag"
// forms when tag is set, else only the "text" form.
func appendCWEMatches(dst []int, s string, tag bool) []int {
	for i := 0; i+3 <= len(s); {
		c := s[i]
		if c != 'c' && c != 'C' || s[i+1]|0x20 != 'w' || s[i+2]|0x20 != 'e' || i > 0 && isWordByte(s[i-1]) {
			i++
			continue
		}
		k := i + 3
		if k < len(s) {
			switch s[k] {
			case '-':
				k++
			case '_', ':', ' ':
				if tag {
					k++
				}
			}
		}
		if !tag && (k == i+3) {
			i++ // the text form needs its "-"
			continue
		}
		n, end, ok := cweNumber(s, k)
		if !ok {
			i++
			continue
		}
		dst = append(dst, n)
		i = end
	}
	return dst
}

// cweNumber reads `0*(\d{1,6})\b` at s[k:]: a run of digits that ends a
// word and has at most 6 digits after its leading zeros (a run of zeros
// reads as 0). It returns the number and where the run ends.
func cweNumber(s string, k int) (n, end int, ok bool) {
	m := k
	for m < len(s) && isDigit(s[m]) {
		m++
	}
	if m == k || m < len(s) && isWordByte(s[m]) {
		return 0, 0, false
	}
	z := k
	for z < m-1 && s[z] == '0' {
		z++
	}
	if m-z > 6 {
		return 0, 0, false
	}
	for _, c := range []byte(s[z:m]) {
		n = n*10 + int(c-'0')
	}
	return n, m, true
}

// cwesFromProperty returns the CWE ids in a property whose key names CWEs
// ("cwe", "cwe_ids", "CWE"): references, or bare numbers.
func cwesFromProperty(v string) []int {
	if ids := appendCWEMatches(nil, v, true); len(ids) > 0 {
		return ids
	}
	var ids []int
	for i := 0; i < len(v); {
		if !isDigit(v[i]) {
			i++
			continue
		}
		m := i
		for m < len(v) && isDigit(v[m]) {
			m++
		}
		if (i == 0 || !isWordByte(v[i-1])) && (m == len(v) || !isWordByte(v[m])) && m-i <= 6 {
			n := 0
			for _, c := range []byte(v[i:m]) {
				n = n*10 + int(c-'0')
			}
			ids = append(ids, n)
		}
		i = m
	}
	return ids
}

// splitCWEs sorts and deduplicates ids and splits them into the ones kept
// in Finding.CWEs (positive) and the untrusted ones (see [CWEUntrusted]).
// kept is appended to buf (nil when there are none).
func splitCWEs(ids, buf []int) (kept, untrusted []int) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, n := range ids {
		if n > 0 {
			if kept == nil {
				kept = buf[:0]
			}
			kept = append(kept, n)
		}
		if _, bad := CWEUntrusted(n); bad {
			untrusted = append(untrusted, n)
		}
	}
	return kept, untrusted
}

// trustedCWEs returns the ids of cwes that deduplication may use: cwes
// itself when all are (the result must not be modified).
func trustedCWEs(cwes []int) []int {
	all := true
	for _, n := range cwes {
		if _, bad := CWEUntrusted(n); bad {
			all = false
			break
		}
	}
	if all {
		if len(cwes) == 0 {
			return nil
		}
		return cwes
	}
	var out []int
	for _, n := range cwes {
		if _, bad := CWEUntrusted(n); !bad {
			out = append(out, n)
		}
	}
	return out
}

// formatInts joins ids with commas.
func formatInts(ids []int) string {
	var b strings.Builder
	for i, n := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
