package aggregate

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/scanmux/scanmux/finding"
)

// IdentityVersionV1 is the prefix of the identities scanmux wrote before
// [IdentityVersion] v2: "v1:" followed by 32 hex digits, under the SARIF
// partial fingerprint [finding.FingerprintScanmuxV1].
const IdentityVersionV1 = "v1:"

// IdentitiesV1 returns the scanmux/v1 identity of each finding ("" for a
// nil one) as scanmux versions before v2 computed them, so that baselines
// they wrote can still be matched. It does not modify the findings; root
// is read as by [Identify], and the only error is a root that cannot be
// opened.
//
// The v1 key is that of v2 (see [Identify]) with three differences: the
// declaration of a finding on a doc comment is the one above it, not
// below; findings of the same key are told apart by an occurrence number
// alone (among the findings of the call with the same key, ordered by
// position, the k-th gets k, 0 for the first); and a finding whose file
// is missing keeps a "v1:" identity it came with. The hash is the SHA-256
// (first 128 bits) of the key followed by k as 8 bytes, big-endian.
func IdentitiesV1(findings []*finding.Finding, root string) ([]string, error) {
	src, err := newIDSources(root)
	if err != nil {
		return nil, err
	}
	defer src.close()

	type item struct {
		i    int // index in findings
		key  string
		k    int // occurrence number
		keep string
	}
	var items []*item
	for i, f := range findings {
		if f == nil {
			continue
		}
		it := &item{i: i, key: src.keyV1(f)}
		if !src.hasLine(f.Location.Path, f.Location.Region.StartLine) && isIdentityV1(f.ID) &&
			f.Fingerprints["secret/sha256"] == "" && f.Location.Resource == "" && f.Location.Package == nil && f.Location.Web == nil {
			it.keep = f.ID
		}
		items = append(items, it)
	}
	// By key, position and order in the call: the occurrence numbers, and
	// the order in which kept identities are given out.
	slices.SortFunc(items, func(a, b *item) int {
		return cmp.Or(strings.Compare(a.key, b.key), idCmpPosition(findings[a.i], findings[b.i]), cmp.Compare(a.i, b.i))
	})
	for j := 1; j < len(items); j++ {
		if items[j].key == items[j-1].key {
			items[j].k = items[j-1].k + 1
		}
	}
	ids := make([]string, len(findings))
	used := map[string]bool{}
	var rest []*item
	for _, it := range items {
		if it.keep != "" && !used[it.keep] {
			used[it.keep] = true
			ids[it.i] = it.keep
			continue
		}
		rest = append(rest, it)
	}
	for _, it := range rest {
		id := idHashV1(binary.BigEndian.AppendUint64([]byte(it.key), uint64(it.k)))
		// Only a kept identity or a 128-bit hash collision can clash.
		for n := uint64(1); used[id]; n++ {
			id = idHashV1(binary.BigEndian.AppendUint64([]byte(it.key+"\x00clash"), n))
		}
		used[id] = true
		ids[it.i] = id
	}
	return ids, nil
}

func idHashV1(b []byte) string {
	sum := sha256.Sum256(b)
	return IdentityVersionV1 + hex.EncodeToString(sum[:16])
}

// isIdentityV1 reports whether s looks like a scanmux/v1 identity.
func isIdentityV1(s string) bool {
	h, ok := strings.CutPrefix(s, IdentityVersionV1)
	if !ok || len(h) != 32 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// keyV1 returns f's scanmux/v1 key without its occurrence number.
func (s *idSources) keyV1(f *finding.Finding) string {
	loc := &f.Location
	head := func(kind string, fields ...string) string {
		return idKey(append([]string{kind, f.Tool.Name, f.Rule.ID}, fields...)...)
	}
	switch {
	case f.Fingerprints["secret/sha256"] != "":
		return head("secret", loc.Path, f.Fingerprints["secret/sha256"])
	case loc.Resource != "":
		return head("resource", loc.Path, loc.Resource)
	case s.hasLine(loc.Path, loc.Region.StartLine):
		sf := s.get(loc.Path)
		n := loc.Region.StartLine - 1
		text, col := sf.normalized(n, loc.Region.StartColumn)
		return head("source", loc.Path, text, strconv.Itoa(col), sf.declaration(n))
	case loc.Package != nil:
		p := loc.Package
		return head("package", loc.Path, p.Ecosystem, p.Name, idImageName(p.Image))
	case loc.Web != nil:
		method, path, params := idWebKey(loc.Web.URL)
		if loc.Web.Method != "" {
			method = strings.ToUpper(loc.Web.Method)
		}
		return head("web", method, path, params, loc.Web.Parameter)
	case loc.Snippet != "":
		return head("snippet", loc.Path, idNoSpace(loc.Snippet))
	}
	if lh, _, _ := strings.Cut(f.Fingerprints[finding.FingerprintLineHash], ":"); lh != "" {
		return head("linehash", loc.Path, lh)
	}
	return head("message", loc.Path, f.Message)
}
