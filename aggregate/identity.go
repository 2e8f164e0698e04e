package aggregate

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/scanmux/scanmux/finding"
)

// IdentityVersion is the prefix of every identity [Identify] writes under
// [finding.FingerprintScanmuxV1]: "v1:" followed by 32 hex digits.
const IdentityVersion = "v1:"

// Identify gives each finding a stable identity that survives unrelated
// edits of the code, and stores it in
// f.Fingerprints[finding.FingerprintScanmuxV1] as "v1:<32 hex digits>".
// Two findings of one call never share an identity. root is the scan
// root; source files are read from it (through [os.Root], each file once).
// An empty root reads no file, so every finding gets the fallback key of
// its kind. The only error is a root that cannot be opened.
//
// The identity is the SHA-256 (first 128 bits) of length-prefixed fields,
// the first of which names the kind of key. Every kind starts with the
// tool name and the rule id, and ends with the occurrence number: among
// the findings of the call with the same key, ordered by position, the
// k-th gets k (0 for the first), so that identical code twice in a
// function still gets two identities. The kinds, the first that applies:
//
//   - "secret": a finding with a "secret/sha256" fingerprint: the path and
//     that hash, so the secret keeps its identity wherever it moves in the
//     file, and the secret itself is never hashed again.
//   - "resource": a finding with Location.Resource (IaC): the path and the
//     resource address, not the line.
//   - "source": a finding with a path and a start line that exists in its
//     file under root: the path; the text of the start line with every
//     white space removed; the start column as a count of non-white
//     characters before it on that line (same-line findings of one rule
//     differ by it); and the enclosing declaration: the nearest line at or
//     above the start line that starts in column 0 and is neither blank, a
//     comment nor a closing bracket, cut after its first "(" that follows
//     an identifier ("func (r *T) Name(" for Go, "def name(" for Python),
//     so that parameter changes do not matter. Neither the line number nor
//     other lines of the region are hashed: inserting or deleting code
//     elsewhere, re-indenting, and editing other lines of the function
//     keep the identity; editing the finding's own line, renaming the
//     enclosing function or moving the code to another function or file
//     gives a new one.
//   - "package": Location.Package (dependency, container): the path of the
//     manifest, the ecosystem, the package name and the image name without
//     tag or digest; not the version, so an upgrade that does not fix the
//     vulnerability keeps it.
//   - "web": Location.Web (DAST): the HTTP method, the URL path without
//     scheme, host and query values, the sorted query parameter names and
//     the tested parameter; the host is left out so that staging and
//     production runs agree.
//   - a finding whose source file is missing keeps the "v1:" identity it
//     already has (from an imported scanmux SARIF), else gets "snippet" (the
//     path and Location.Snippet without white space), else "linehash" (the
//     path and its primaryLocationLineHash without the ":n" count), else
//     "message" (the path and the message).
//
// Nothing else is an input: not the line number, the tool version, the
// severity or the message of a finding that has a better key.
func Identify(findings []*finding.Finding, root string) error {
	src, err := newIDSources(root)
	if err != nil {
		return err
	}
	defer src.close()

	type keyed struct {
		f    *finding.Finding
		key  string // the key without the occurrence number
		keep string // an identity to keep, when the key is only a fallback
	}
	items := make([]keyed, 0, len(findings))
	for _, f := range findings {
		if f == nil {
			continue
		}
		key, fallback := identityKey(f, src)
		it := keyed{f: f, key: key}
		if fallback {
			if old := f.Fingerprints[finding.FingerprintScanmuxV1]; isIdentity(old) {
				it.keep = old
			}
		}
		items = append(items, it)
	}
	// Order by key then position, so that occurrence numbers follow the
	// file and do not depend on the order of findings.
	slices.SortStableFunc(items, func(a, b keyed) int {
		return cmp.Or(strings.Compare(a.key, b.key), idCmpPosition(a.f, b.f))
	})

	used := make(map[string]bool, len(items))
	var pending []*keyed // computed identities, set once kept ones are known
	var ids []string
	for i, k := 0, 0; i < len(items); i++ {
		if i > 0 && items[i].key == items[i-1].key {
			k++
		} else {
			k = 0
		}
		it := &items[i]
		if it.keep != "" && !used[it.keep] {
			used[it.keep] = true
			setIdentity(it.f, it.keep)
			continue
		}
		pending = append(pending, it)
		ids = append(ids, hashIdentity(it.key, k))
	}
	for i, it := range pending {
		id := ids[i]
		// Only a kept identity or a 128-bit hash collision can clash;
		// rehash deterministically until unique.
		for n := 1; used[id]; n++ {
			id = hashIdentity(it.key+"\x00clash", n)
		}
		used[id] = true
		setIdentity(it.f, id)
	}
	return nil
}

// isIdentity reports whether s looks like an identity Identify writes.
func isIdentity(s string) bool {
	if len(s) != len(IdentityVersion)+32 || !strings.HasPrefix(s, IdentityVersion) {
		return false
	}
	_, err := hex.DecodeString(s[len(IdentityVersion):])
	return err == nil
}

// setIdentity stores id in f's fingerprints.
func setIdentity(f *finding.Finding, id string) {
	if f.Fingerprints == nil {
		f.Fingerprints = make(map[string]string, 2)
	}
	f.Fingerprints[finding.FingerprintScanmuxV1] = id
}

// hashIdentity returns the identity of key with occurrence number k.
func hashIdentity(key string, k int) string {
	h := sha256.New()
	h.Write([]byte(key))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(k))
	h.Write(b[:])
	sum := h.Sum(nil)
	return IdentityVersion + hex.EncodeToString(sum[:16])
}

// idCmpPosition orders findings of one key by where they are, then by
// anything else that tells them apart, for a deterministic order.
func idCmpPosition(a, b *finding.Finding) int {
	ra, rb := a.Location.Region, b.Location.Region
	return cmp.Or(
		cmp.Compare(ra.StartLine, rb.StartLine),
		cmp.Compare(ra.StartColumn, rb.StartColumn),
		cmp.Compare(ra.EndLine, rb.EndLine),
		cmp.Compare(ra.EndColumn, rb.EndColumn),
		strings.Compare(a.Message, b.Message),
		strings.Compare(idWebURL(a), idWebURL(b)),
		strings.Compare(idPkgVersion(a), idPkgVersion(b)),
		strings.Compare(a.Location.Snippet, b.Location.Snippet),
	)
}

func idWebURL(f *finding.Finding) string {
	if f.Location.Web == nil {
		return ""
	}
	return f.Location.Web.URL
}

func idPkgVersion(f *finding.Finding) string {
	if f.Location.Package == nil {
		return ""
	}
	return f.Location.Package.Image + "@" + f.Location.Package.Version
}

// idKeyBuilder builds a key from length-prefixed fields, so that no two
// lists of fields give the same key.
type idKeyBuilder struct{ b strings.Builder }

func (k *idKeyBuilder) add(fields ...string) *idKeyBuilder {
	for _, s := range fields {
		fmt.Fprintf(&k.b, "%d:", len(s))
		k.b.WriteString(s)
	}
	return k
}

func (k *idKeyBuilder) String() string { return k.b.String() }

// identityKey returns f's key without the occurrence number, and whether
// it is only a fallback because f's source file could not be read.
func identityKey(f *finding.Finding, src *idSources) (key string, fallback bool) {
	loc := &f.Location
	var k idKeyBuilder
	head := func(kind string) *idKeyBuilder { return k.add(kind, f.Tool.Name, f.Rule.ID) }

	if s := f.Fingerprints["secret/sha256"]; s != "" {
		return head("secret").add(loc.Path, s).String(), false
	}
	if loc.Resource != "" {
		return head("resource").add(loc.Path, loc.Resource).String(), false
	}
	if loc.Path != "" && loc.Region.StartLine > 0 {
		if sf := src.get(loc.Path); sf != nil && loc.Region.StartLine <= sf.lineCount() {
			n := loc.Region.StartLine
			text, col := sf.normalized(n, loc.Region.StartColumn)
			return head("source").add(loc.Path, text, fmt.Sprint(col), sf.declaration(n)).String(), false
		}
	}
	if p := loc.Package; p != nil {
		return head("package").add(loc.Path, p.Ecosystem, p.Name, idImageName(p.Image)).String(), false
	}
	if w := loc.Web; w != nil {
		method, path, params := idWebKey(w.URL)
		if w.Method != "" {
			method = strings.ToUpper(w.Method)
		}
		return head("web").add(method, path, params, w.Parameter).String(), false
	}
	// Fallbacks for source findings whose file is not at hand.
	if loc.Snippet != "" {
		return head("snippet").add(loc.Path, idRemoveSpace(loc.Snippet)).String(), true
	}
	if lh := f.Fingerprints[finding.FingerprintLineHash]; lh != "" {
		lh, _, _ = strings.Cut(lh, ":")
		return head("linehash").add(loc.Path, lh).String(), true
	}
	return head("message").add(loc.Path, f.Message).String(), true
}

// idImageName returns a container image reference without its tag and
// digest: "docker.io/library/alpine:3.19@sha256:..." gives
// "docker.io/library/alpine".
func idImageName(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		ref = ref[:i]
	}
	return ref
}

// idWebKey returns the parts of a URL that identify a DAST finding: the
// method ("" here), the path, and the query parameter names, sorted.
func idWebKey(raw string) (method, path, params string) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", raw, ""
	}
	path = u.EscapedPath()
	if path == "" {
		path = "/"
	}
	names := make([]string, 0, len(u.Query()))
	for name := range u.Query() {
		names = append(names, name)
	}
	slices.Sort(names)
	return "", path, strings.Join(names, "&")
}

// idRemoveSpace returns s without white space.
func idRemoveSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if idIsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// idSources reads and caches source files under a root.
type idSources struct {
	root  *os.Root
	files map[string]*idSource
}

func newIDSources(dir string) (*idSources, error) {
	s := &idSources{files: map[string]*idSource{}}
	if dir == "" {
		return s, nil
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("aggregate: identity: scan root: %w", err)
	}
	s.root = r
	return s, nil
}

func (s *idSources) close() {
	if s.root != nil {
		s.root.Close()
	}
}

// idMaxSourceBytes bounds the files read; a larger file counts as missing.
const idMaxSourceBytes = 64 << 20

// get returns the file at path p, relative to the root, or nil when it
// cannot be read.
func (s *idSources) get(p string) *idSource {
	if sf, ok := s.files[p]; ok {
		return sf
	}
	var sf *idSource
	if s.root != nil {
		if data, ok := idReadLimited(s.root, p); ok {
			sf = newIDSource(data)
		}
	}
	s.files[p] = sf
	return sf
}

func idReadLimited(r *os.Root, p string) ([]byte, bool) {
	st, err := r.Stat(p)
	if err != nil || !st.Mode().IsRegular() || st.Size() > idMaxSourceBytes {
		return nil, false
	}
	data, err := r.ReadFile(p)
	if err != nil || len(data) > idMaxSourceBytes {
		return nil, false
	}
	return data, true
}

// idSource is one source file split into lines.
type idSource struct {
	lines [][]byte
	decl  []int32 // decl[i] is the index of line i's declaration line, or -1; built on first use
}

// newIDSource splits data into lines at "\r\n", "\r" and "\n", as
// [finding.LineHashes] does.
func newIDSource(data []byte) *idSource {
	sf := &idSource{}
	start := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			sf.lines = append(sf.lines, data[start:i])
			start = i + 1
		case '\r':
			sf.lines = append(sf.lines, data[start:i])
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	sf.lines = append(sf.lines, data[start:])
	return sf
}

func (sf *idSource) lineCount() int { return len(sf.lines) }

// normalized returns line n (from 1) without white space, and how many
// non-white characters come before column col (UTF-16 units, from 1; 0
// means unknown and gives 0).
func (sf *idSource) normalized(n, col int) (string, int) {
	line := string(sf.lines[n-1])
	var b strings.Builder
	units, before := 0, 0
	for _, r := range line {
		if col > 0 && units < col-1 && !idIsSpace(r) {
			before++
		}
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		if !idIsSpace(r) {
			b.WriteRune(r)
		}
	}
	return b.String(), before
}

func idIsSpace(r rune) bool { return unicode.IsSpace(r) || r == 0xFEFF }

// declaration returns the normalized declaration that encloses line n
// (from 1): see [Identify].
func (sf *idSource) declaration(n int) string {
	if sf.decl == nil {
		sf.decl = make([]int32, len(sf.lines))
		last := int32(-1)
		for i, l := range sf.lines {
			if idIsDeclaration(l) {
				last = int32(i)
			}
			sf.decl[i] = last
		}
	}
	i := sf.decl[n-1]
	if i < 0 {
		return ""
	}
	return idRemoveSpace(idDeclarationName(string(sf.lines[i])))
}

// idIsDeclaration reports whether line starts in column 0 with something
// other than a comment, a closing bracket or a Go label.
func idIsDeclaration(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	switch line[0] {
	case ' ', '\t', '\f', '\v', '}', ')', ']', '#', '*', '/', '<', '-', ';', '%':
		return false
	}
	// A Go label ("outer:") is written in column 0 inside functions.
	s := strings.TrimRightFunc(string(line), idIsSpace)
	if w, ok := strings.CutSuffix(s, ":"); ok && idIsIdent(w) {
		return false
	}
	return true
}

// idDeclarationName cuts a declaration line after its first "(" that
// follows an identifier character: "func (r *T) Name(a int) {" gives
// "func (r *T) Name(".
func idDeclarationName(line string) string {
	for i := 1; i < len(line); i++ {
		if line[i] == '(' && idIsIdentByte(line[i-1]) {
			return line[:i+1]
		}
	}
	return line
}

func idIsIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !idIsIdentByte(s[i]) {
			return false
		}
	}
	return true
}

func idIsIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
