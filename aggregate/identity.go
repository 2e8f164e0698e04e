package aggregate

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/scanmux/scanmux/finding"
)

// IdentityVersion is the prefix of every identity [Identify] writes
// in [finding.Finding.ID]: "v1:" followed by 32 hex digits.
const IdentityVersion = "v1:"

// Identify gives each finding a stable identity that survives unrelated
// edits of the code, and stores it in
// f.ID as "v1:<32 hex digits>" (written to SARIF under
// [finding.FingerprintScanmuxV1]).
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

	// Every key goes into one buffer, followed by 8 bytes for the
	// occurrence number, so that an identity is one SHA-256 of a slice of
	// it: no key is a string of its own.
	var kb idKeyBuilder
	items := make([]idItem, 0, len(findings))
	for n, f := range findings {
		if n == idSizeSample && len(findings) > 2*idSizeSample {
			// Size the buffer for all keys from the first ones'.
			kb.buf = slices.Grow(kb.buf, len(kb.buf)/n*(len(findings)-n)*9/8)
		}
		if f == nil {
			continue
		}
		off := len(kb.buf)
		fallback := kb.identityKey(f, src)
		it := idItem{f: f, off: off, end: len(kb.buf)}
		kb.buf = append(kb.buf, make([]byte, 8)...)
		if fallback {
			if old := f.ID; isIdentity(old) {
				it.keep = old
			}
		}
		items = append(items, it)
	}
	ids := idSet{buf: kb.buf, items: items}
	ids.group()
	if !ids.assignFast() {
		ids.assignOrdered()
	}
	return nil
}

// idSizeSample is the number of findings from whose keys Identify
// estimates the size of all keys.
const idSizeSample = 64

// idItem is one finding of an Identify call with its key.
type idItem struct {
	f        *finding.Finding
	off, end int    // the key without the occurrence number is buf[off:end]
	k        int    // the occurrence number
	keep     string // an identity to keep, when the key is only a fallback
}

// idOrd is an entry of the order of an Identify call's findings: h is the
// hash of the key of items[i].
type idOrd struct {
	h uint64
	i int
}

// idSet holds the findings of one Identify call.
type idSet struct {
	buf   []byte // keys, each followed by 8 bytes for its occurrence number
	items []idItem
	order []idOrd
}

func (s *idSet) key(i int) []byte { return s.buf[s.items[i].off:s.items[i].end] }

// group orders the findings by key hash, key and position, so that the
// findings of a key are adjacent and ordered as the occurrence numbers
// follow, and sets the occurrence numbers.
func (s *idSet) group() {
	seed := maphash.MakeSeed()
	s.order = make([]idOrd, len(s.items))
	for i := range s.items {
		s.order[i] = idOrd{h: maphash.Bytes(seed, s.key(i)), i: i}
	}
	// By hash, then each run of one hash by key and position.
	radixSort(s.order, nil, func(o idOrd) uint64 { return o.h })
	for lo := 0; lo < len(s.order); {
		hi := lo + 1
		for hi < len(s.order) && s.order[hi].h == s.order[lo].h {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(s.order[lo:hi], func(a, b idOrd) int {
				if c := bytes.Compare(s.key(a.i), s.key(b.i)); c != 0 {
					return c
				}
				return s.cmpPosition(a.i, b.i)
			})
		}
		lo = hi
	}
	for j, k := 0, 0; j < len(s.order); j++ {
		if j > 0 && s.order[j].h == s.order[j-1].h && bytes.Equal(s.key(s.order[j].i), s.key(s.order[j-1].i)) {
			k++
		} else {
			k = 0
		}
		s.items[s.order[j].i].k = k
	}
}

// cmpPosition orders findings i and j of one key by position (see
// [idCmpPosition]), then by their order in the call, as a stable sort
// would.
func (s *idSet) cmpPosition(i, j int) int {
	if c := idCmpPosition(s.items[i].f, s.items[j].f); c != 0 {
		return c
	}
	return cmp.Compare(i, j)
}

// sum returns the SHA-256 of item i's key followed by occurrence number k
// (8 bytes, big-endian), written into the room after the key.
func (s *idSet) sum(i, k int) [sha256.Size]byte {
	it := &s.items[i]
	b := s.buf[it.off : it.end+8]
	binary.BigEndian.PutUint64(b[it.end-it.off:], uint64(k))
	return sha256.Sum256(b)
}

// appendID appends the identity of a hash.
func appendID(dst []byte, sum *[sha256.Size]byte) []byte {
	var h [32]byte
	hex.Encode(h[:], sum[:16])
	return append(append(dst, IdentityVersion...), h[:]...)
}

// assignFast sets the identities when the order of the keys does not
// matter: no two findings keep the same identity, and no computed
// identity equals a kept one or another computed one. Then each kept
// identity is kept and each other finding gets the hash of its key and
// occurrence number, as in any order. It reports false, having set
// nothing, otherwise.
func (s *idSet) assignFast() bool {
	var kept map[string]struct{}
	pending := len(s.items)
	for i := range s.items {
		if keep := s.items[i].keep; keep != "" {
			if kept == nil {
				kept = make(map[string]struct{})
			}
			if _, dup := kept[keep]; dup {
				return false
			}
			kept[keep] = struct{}{}
			pending--
		}
	}
	const idLen = len(IdentityVersion) + 32
	var b strings.Builder
	b.Grow(pending * idLen)
	// The first 8 bytes of each computed identity, sorted afterwards to
	// find repeats (cheaper than a map of 500,000 entries).
	prefixes := make([]uint64, 0, pending)
	var scratch []byte
	for i := range s.items {
		if s.items[i].keep != "" {
			continue
		}
		sum := s.sum(i, s.items[i].k)
		scratch = appendID(scratch[:0], &sum)
		if _, clash := kept[string(scratch)]; clash {
			return false
		}
		prefixes = append(prefixes, binary.BigEndian.Uint64(sum[:8]))
		b.Write(scratch)
	}
	radixSort(prefixes, nil, func(p uint64) uint64 { return p })
	for i := 1; i < len(prefixes); i++ {
		if prefixes[i] == prefixes[i-1] {
			return false // maybe a hash collision: see assignOrdered
		}
	}
	all := b.String()
	for i := range s.items {
		it := &s.items[i]
		if it.keep != "" {
			setIdentity(it.f, it.keep)
			continue
		}
		setIdentity(it.f, all[:idLen])
		all = all[idLen:]
	}
	return true
}

// assignOrdered sets the identities in the order of the keys, then
// positions: a kept identity goes to the first finding that keeps it, and
// a computed identity that clashes with a kept one or an earlier one is
// rehashed until unique.
func (s *idSet) assignOrdered() {
	slices.SortFunc(s.order, func(a, b idOrd) int {
		if c := bytes.Compare(s.key(a.i), s.key(b.i)); c != 0 {
			return c
		}
		return s.cmpPosition(a.i, b.i)
	})
	used := make(map[string]bool, len(s.items))
	var pending []int // computed identities, set once kept ones are known
	var ids []string
	for _, o := range s.order {
		it := &s.items[o.i]
		if it.keep != "" && !used[it.keep] {
			used[it.keep] = true
			setIdentity(it.f, it.keep)
			continue
		}
		sum := s.sum(o.i, it.k)
		pending = append(pending, o.i)
		ids = append(ids, string(appendID(nil, &sum)))
	}
	var clash []byte
	for j, i := range pending {
		id := ids[j]
		// Only a kept identity or a 128-bit hash collision can clash;
		// rehash deterministically until unique.
		for n := 1; used[id]; n++ {
			clash = append(append(clash[:0], s.key(i)...), "\x00clash"...)
			clash = binary.BigEndian.AppendUint64(clash, uint64(n))
			sum := sha256.Sum256(clash)
			id = string(appendID(nil, &sum))
		}
		used[id] = true
		setIdentity(s.items[i].f, id)
	}
}

// isIdentity reports whether s looks like an identity Identify writes.
func isIdentity(s string) bool {
	if len(s) != len(IdentityVersion)+32 || !strings.HasPrefix(s, IdentityVersion) {
		return false
	}
	for i := len(IdentityVersion); i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// setIdentity stores id in f.
func setIdentity(f *finding.Finding, id string) { f.ID = id }

// idCmpPosition orders findings of one key by where they are, then by
// anything else that tells them apart, for a deterministic order.
func idCmpPosition(a, b *finding.Finding) int {
	ra, rb := &a.Location.Region, &b.Location.Region
	if c := cmp.Compare(ra.StartLine, rb.StartLine); c != 0 {
		return c
	}
	if c := cmp.Compare(ra.StartColumn, rb.StartColumn); c != 0 {
		return c
	}
	if c := cmp.Compare(ra.EndLine, rb.EndLine); c != 0 {
		return c
	}
	if c := cmp.Compare(ra.EndColumn, rb.EndColumn); c != 0 {
		return c
	}
	if c := strings.Compare(a.Message, b.Message); c != 0 {
		return c
	}
	if c := strings.Compare(idWebURL(a), idWebURL(b)); c != 0 {
		return c
	}
	if c := idCmpPkgVersion(a.Location.Package, b.Location.Package); c != 0 {
		return c
	}
	return strings.Compare(a.Location.Snippet, b.Location.Snippet)
}

func idWebURL(f *finding.Finding) string {
	if f.Location.Web == nil {
		return ""
	}
	return f.Location.Web.URL
}

// idCmpPkgVersion compares the packages' Image+"@"+Version, "" for nil,
// without building the strings.
func idCmpPkgVersion(a, b *finding.Package) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1 // "" before any "image@version"
	case b == nil:
		return 1
	}
	var pa, pb idConcat
	pa.parts = [3]string{a.Image, "@", a.Version}
	pb.parts = [3]string{b.Image, "@", b.Version}
	for {
		ca, oka := pa.next()
		cb, okb := pb.next()
		switch {
		case !oka && !okb:
			return 0
		case !oka:
			return -1
		case !okb:
			return 1
		case ca != cb:
			return cmp.Compare(ca, cb)
		}
	}
}

// idConcat walks the bytes of the concatenation of its parts.
type idConcat struct {
	parts [3]string
	p, i  int
}

func (c *idConcat) next() (byte, bool) {
	for c.p < len(c.parts) {
		if c.i < len(c.parts[c.p]) {
			b := c.parts[c.p][c.i]
			c.i++
			return b, true
		}
		c.p, c.i = c.p+1, 0
	}
	return 0, false
}

// idKeyBuilder builds keys from length-prefixed fields, so that no two
// lists of fields give the same key. Keys are appended to buf one after
// the other.
type idKeyBuilder struct {
	buf     []byte
	scratch []byte // one field being built
}

func (k *idKeyBuilder) add(s string) {
	k.buf = strconv.AppendInt(k.buf, int64(len(s)), 10)
	k.buf = append(k.buf, ':')
	k.buf = append(k.buf, s...)
}

func (k *idKeyBuilder) addBytes(s []byte) {
	k.buf = strconv.AppendInt(k.buf, int64(len(s)), 10)
	k.buf = append(k.buf, ':')
	k.buf = append(k.buf, s...)
}

// head adds the fields every key starts with.
func (k *idKeyBuilder) head(kind string, f *finding.Finding) {
	k.add(kind)
	k.add(f.Tool.Name)
	k.add(f.Rule.ID)
}

// identityKey appends f's key without the occurrence number to k.buf, and
// reports whether it is only a fallback because f's source file could not
// be read.
func (k *idKeyBuilder) identityKey(f *finding.Finding, src *idSources) (fallback bool) {
	loc := &f.Location
	if s := f.Fingerprints["secret/sha256"]; s != "" {
		k.head("secret", f)
		k.add(loc.Path)
		k.add(s)
		return false
	}
	if loc.Resource != "" {
		k.head("resource", f)
		k.add(loc.Path)
		k.add(loc.Resource)
		return false
	}
	if loc.Path != "" && loc.Region.StartLine > 0 {
		if sf := src.get(loc.Path); sf != nil && loc.Region.StartLine <= sf.lineCount() {
			n := loc.Region.StartLine
			k.head("source", f)
			k.add(loc.Path)
			var col int
			k.scratch, col = sf.appendNormalized(k.scratch[:0], n, loc.Region.StartColumn)
			k.addBytes(k.scratch)
			k.scratch = strconv.AppendInt(k.scratch[:0], int64(col), 10)
			k.addBytes(k.scratch)
			k.scratch = sf.appendDeclaration(k.scratch[:0], n)
			k.addBytes(k.scratch)
			return false
		}
	}
	if p := loc.Package; p != nil {
		k.head("package", f)
		k.add(loc.Path)
		k.add(p.Ecosystem)
		k.add(p.Name)
		k.add(idImageName(p.Image))
		return false
	}
	if w := loc.Web; w != nil {
		method, path, params := idWebKey(w.URL)
		if w.Method != "" {
			method = strings.ToUpper(w.Method)
		}
		k.head("web", f)
		k.add(method)
		k.add(path)
		k.add(params)
		k.add(w.Parameter)
		return false
	}
	// Fallbacks for source findings whose file is not at hand.
	if loc.Snippet != "" {
		k.head("snippet", f)
		k.add(loc.Path)
		k.scratch = idAppendNoSpace(k.scratch[:0], loc.Snippet)
		k.addBytes(k.scratch)
		return true
	}
	if lh := f.Fingerprints[finding.FingerprintLineHash]; lh != "" {
		lh, _, _ = strings.Cut(lh, ":")
		k.head("linehash", f)
		k.add(loc.Path)
		k.add(lh)
		return true
	}
	k.head("message", f)
	k.add(loc.Path)
	k.add(f.Message)
	return true
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

// idAppendNoSpace appends s without white space to dst. Like a range
// over a string, it reads each invalid UTF-8 byte as U+FFFD, which it
// appends as such.
func idAppendNoSpace[S ~string | ~[]byte](dst []byte, s S) []byte {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if !idIsASCIISpace(c) {
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, w := idDecodeRune(s[i:])
		if !idIsSpace(r) {
			dst = utf8.AppendRune(dst, r)
		}
		i += w
	}
	return dst
}

// idDecodeRune is [utf8.DecodeRune] for a string or a byte slice.
func idDecodeRune[S ~string | ~[]byte](s S) (rune, int) {
	var b [utf8.UTFMax]byte
	n := copy(b[:], s)
	return utf8.DecodeRune(b[:n])
}

// idIsASCIISpace is idIsSpace for c < utf8.RuneSelf.
func idIsASCIISpace(c byte) bool { return c == ' ' || c-'\t' <= '\r'-'\t' }

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
	data  []byte
	lines []idSpan // the lines, as offsets in data: no pointers for the GC to scan
	decl  []int32  // decl[i] is the index of line i's declaration line, or -1; built on first use
}

// idSpan is the line data[start:end] of an idSource.
type idSpan struct{ start, end int32 }

// newIDSource splits data into lines at "\r\n", "\r" and "\n", as
// [finding.LineHashes] does.
func newIDSource(data []byte) *idSource {
	sf := &idSource{data: data}
	sf.lines = make([]idSpan, 0, 1+bytes.Count(data, []byte("\n"))+bytes.Count(data, []byte("\r")))
	start := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			sf.lines = append(sf.lines, idSpan{int32(start), int32(i)})
			start = i + 1
		case '\r':
			sf.lines = append(sf.lines, idSpan{int32(start), int32(i)})
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	sf.lines = append(sf.lines, idSpan{int32(start), int32(len(data))})
	return sf
}

func (sf *idSource) lineCount() int { return len(sf.lines) }

// line returns line i (from 0).
func (sf *idSource) line(i int) []byte {
	l := sf.lines[i]
	return sf.data[l.start:l.end:l.end]
}

// appendNormalized appends line n (from 1) without white space to dst,
// and returns how many non-white characters come before column col
// (UTF-16 units, from 1; 0 means unknown and gives 0).
func (sf *idSource) appendNormalized(dst []byte, n, col int) ([]byte, int) {
	line := sf.line(n - 1)
	units, before := 0, 0
	for i := 0; i < len(line); {
		var r rune
		var space bool
		if c := line[i]; c < utf8.RuneSelf {
			r, space = rune(c), idIsASCIISpace(c)
			i++
		} else {
			var w int
			r, w = utf8.DecodeRune(line[i:])
			space = idIsSpace(r)
			i += w
		}
		if col > 0 && units < col-1 && !space {
			before++
		}
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		if !space {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst, before
}

func idIsSpace(r rune) bool { return unicode.IsSpace(r) || r == 0xFEFF }

// appendDeclaration appends the normalized declaration that encloses
// line n (from 1) to dst: see [Identify].
func (sf *idSource) appendDeclaration(dst []byte, n int) []byte {
	if sf.decl == nil {
		sf.decl = make([]int32, len(sf.lines))
		last := int32(-1)
		for i := range sf.lines {
			if idIsDeclaration(sf.line(i)) {
				last = int32(i)
			}
			sf.decl[i] = last
		}
	}
	i := sf.decl[n-1]
	if i < 0 {
		return dst
	}
	return idAppendNoSpace(dst, idDeclarationName(sf.line(int(i))))
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
	s := bytes.TrimRightFunc(line, idIsSpace)
	if w, ok := bytes.CutSuffix(s, []byte(":")); ok && idIsIdent(w) {
		return false
	}
	return true
}

// idDeclarationName cuts a declaration line after its first "(" that
// follows an identifier character: "func (r *T) Name(a int) {" gives
// "func (r *T) Name(".
func idDeclarationName(line []byte) []byte {
	for i := 1; i < len(line); i++ {
		if line[i] == '(' && idIsIdentByte(line[i-1]) {
			return line[:i+1]
		}
	}
	return line
}

func idIsIdent(s []byte) bool {
	if len(s) == 0 {
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
