package aggregate

import (
	"bytes"
	"cmp"
	"context"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/scanmux/scanmux/aggregate/internal/idhash"
	"github.com/scanmux/scanmux/finding"
	"github.com/scanmux/scanmux/sourcefile"
)

// IdentityVersion is the prefix of every identity [Identify] writes in
// [finding.Finding.ID]: "v2:" followed by 32 hex digits, the partial
// fingerprint [finding.FingerprintScanmuxV2] in SARIF.
const IdentityVersion = idhash.Version

// Identify gives each finding an identity that survives the edits code
// goes through between two scans, and stores it in f.ID as "v2:<32 hex
// digits>". Two findings of one call never share an identity. root is the
// scan root; source files are read from it (through [os.Root], each file
// once). An empty root reads no file, so every finding gets the fallback
// key of its kind. The only error is a root that cannot be opened.
// Identities of scanmux/v1, which older versions wrote, are computed by
// [IdentitiesV1].
//
// An identity is the SHA-256 (first 128 bits) of what a reviewer would
// use to recognise the finding, as length-prefixed fields. Every key
// starts with its kind, the tool name and the rule id. The kinds, the
// first that applies:
//
//   - "secret": a finding with a "secret/sha256" fingerprint: the path and
//     that hash, so the secret keeps its identity wherever it moves in the
//     file, and the secret itself is never hashed again.
//   - "resource": a finding with Location.Resource (IaC): the path and the
//     resource address, not the line.
//   - "source": a finding with a path and a start line that exists in its
//     file under root: the path, the text of the start line with every
//     white space removed, and the start column as a count of non-white
//     characters before it on that line (same-line findings of one rule
//     differ by it).
//   - "package": Location.Package (dependency, container): the path of the
//     manifest, the ecosystem, the package name and the image name without
//     tag or digest; not the version, so an upgrade that does not fix the
//     vulnerability keeps it.
//   - "web": Location.Web (DAST): the HTTP method, the URL path without
//     scheme, host and query values, the sorted query parameter names and
//     the tested parameter; the host is left out so that staging and
//     production runs agree.
//   - a finding whose source file is missing keeps the "v2:" identity it
//     already has (from an imported scanmux SARIF), else gets "snippet" (the
//     path and Location.Snippet without white space), else "linehash" (the
//     path and its primaryLocationLineHash without the ":n" count), else
//     "message" (the path and the message).
//
// Several findings can share a key: the same statement at several places
// of a file. Each place is then told apart by the first of these that no
// other place of the key shares: its enclosing symbol; its nearest
// significant line below (not blank, not a comment, not only brackets);
// the one above; the symbol and the line below; the symbol and the line
// above; all three. The enclosing symbol is the declaration around the
// line: the nearest line at or above it that starts in column 0 and is
// neither blank, a comment nor a closing bracket, cut after its first "("
// that follows an identifier ("func (r *T) Name(" for Go, "def name(" for
// Python); for a finding on a comment in column 0 (a doc comment), the
// declaration below it. Findings of one rule on one IaC resource are told
// apart by their messages. What is still alike (one place reported twice,
// fallback keys, places alike in every way) is numbered in the order of
// the positions.
//
// Nothing else is an input: not the line number, the tool version, the
// severity or the message of a finding that has a better key. So
// inserting or deleting code elsewhere, re-indenting, editing other lines,
// renaming the enclosing function, moving the code into another function
// and adding copies of a statement that has some keep an identity.
// Editing the finding's own line or moving it to another file gives a new
// one, and so, for a statement with copies in the file, does editing what
// told it apart, or the first copy appearing or the last one going (the
// key gains or loses what tells it apart).
func Identify(findings []*finding.Finding, root string) error {
	src, err := newIDSources(root)
	if err != nil {
		return err
	}
	defer src.close()

	items := make([]idItem, 0, len(findings))
	for _, f := range findings {
		if f != nil {
			items = append(items, idItem{f: f})
		}
	}
	// The keys, in parts at once (idSources is safe for that).
	inParts(len(items), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			items[i] = src.item(items[i].f)
		}
	})
	// Findings that share a key, told apart below. Most keys are unique:
	// only those seen twice get a list.
	first := make(map[string]*idItem, len(items))
	alike := map[string][]*idItem{}
	for i := range items {
		it := &items[i]
		if g, seen := first[it.key]; !seen {
			first[it.key] = it
		} else if l := alike[it.key]; l == nil {
			alike[it.key] = []*idItem{g, it}
		} else {
			alike[it.key] = append(l, it)
		}
	}
	for _, l := range alike {
		idTellApart(l)
	}
	idAssign(items)
	return nil
}

// idItem is one finding of an Identify call.
type idItem struct {
	f    *finding.Finding
	key  string    // the key of its kind (see Identify)
	full string    // key with what tells it apart from findings of the same key
	src  *idSource // its source file, for a "source" key
	line int       // its start line in src, from 0
	keep string    // an identity to keep, for a fallback key
}

// idTellApart adds to the full key of each finding of alike, which share
// their key, what tells it apart from the others (see [Identify]), then
// numbers those still alike in the order of their positions.
func idTellApart(alike []*idItem) {
	if sf := alike[0].src; sf != nil && slices.ContainsFunc(alike, func(it *idItem) bool { return it.line != alike[0].line }) {
		// Neighbours tell lines apart; findings of one key on one line (a
		// tool that reports a finding twice) only have their order.
		line := func(it *idItem) string { return strconv.Itoa(it.line) }
		idTellApartBy(alike, line, []func(*idItem) string{
			func(it *idItem) string { return idKey("symbol", sf.symbol(it.line)) },
			func(it *idItem) string { return idKey("below", sf.below(it.line)) },
			func(it *idItem) string { return idKey("above", sf.above(it.line)) },
			func(it *idItem) string { return idKey("symbol", sf.symbol(it.line), "below", sf.below(it.line)) },
			func(it *idItem) string { return idKey("symbol", sf.symbol(it.line), "above", sf.above(it.line)) },
			func(it *idItem) string {
				return idKey("symbol", sf.symbol(it.line), "below", sf.below(it.line), "above", sf.above(it.line))
			},
		})
	} else if alike[0].f.Location.Resource != "" {
		// Findings of one rule on one resource, as policy engines report
		// them with a generic rule id: their messages.
		message := func(it *idItem) string { return it.f.Message }
		idTellApartBy(alike, message, []func(*idItem) string{
			func(it *idItem) string { return idKey("message", it.f.Message) },
		})
	}
	byFull := map[string][]*idItem{}
	for _, it := range alike {
		byFull[it.full] = append(byFull[it.full], it)
	}
	for _, same := range byFull {
		if len(same) < 2 {
			continue
		}
		slices.SortStableFunc(same, func(a, b *idItem) int { return idCmpPosition(a.f, b.f) })
		for k, it := range same {
			it.full = idKey(it.full, strconv.Itoa(k))
		}
	}
}

// idTellApartBy adds to the full key of each finding of alike the first of
// contexts that no other place of alike shares (findings at one place
// count once), else the last one. Contexts are computed as far as needed.
func idTellApartBy(alike []*idItem, place func(*idItem) string, contexts []func(*idItem) string) {
	left := len(alike)
	told := make([]bool, len(alike))
	for level, context := range contexts {
		cs := make([]string, len(alike))
		shared := map[string]int{}
		places := map[string]bool{}
		for i, it := range alike {
			cs[i] = context(it)
			if p := place(it); !places[p] {
				places[p] = true
				shared[cs[i]]++
			}
		}
		for i, it := range alike {
			if !told[i] && (shared[cs[i]] == 1 || level == len(contexts)-1) {
				it.full = idKey(it.key, cs[i])
				told[i] = true
				left--
			}
		}
		if left == 0 {
			return
		}
	}
}

// idAssign sets the identities: the hash of each full key, or the
// identity a fallback finding came with. When identities were kept, one
// goes to the first finding that keeps it, in the order of full keys and
// positions, and a computed identity that equals a kept one is rehashed.
func idAssign(items []idItem) {
	kept := false
	for i := range items {
		kept = kept || items[i].keep != ""
	}
	if !kept {
		// No order to decide: every identity is its key's hash.
		idhash.All(len(items), func(i int) string { return items[i].full },
			func(i int, id string) { items[i].f.ID = id })
		return
	}
	order := make([]*idItem, len(items))
	for i := range items {
		order[i] = &items[i]
	}
	slices.SortStableFunc(order, func(a, b *idItem) int {
		return cmp.Or(strings.Compare(a.full, b.full), idCmpPosition(a.f, b.f))
	})
	used := make(map[string]bool, len(items))
	var rest []*idItem
	for _, it := range order {
		if it.keep != "" && !used[it.keep] {
			used[it.keep] = true
			it.f.ID = it.keep
			continue
		}
		rest = append(rest, it)
	}
	for _, it := range rest {
		id := idhash.Hash(it.full)
		for n := 1; used[id]; n++ {
			id = idhash.Hash(idKey(it.full, "clash", strconv.Itoa(n)))
		}
		used[id] = true
		it.f.ID = id
	}
}

// idKey returns fields as a key: each one length-prefixed, so that no two
// lists of fields give the same key.
func idKey(fields ...string) string {
	var k idKeyBuilder
	k.add(fields...)
	return k.String()
}

// idKeyBuilder builds a key as idKey does, field by field.
type idKeyBuilder struct{ strings.Builder }

func (k *idKeyBuilder) add(fields ...string) {
	n := 0
	for _, s := range fields {
		n += len(s) + 4
	}
	k.Grow(n)
	for _, s := range fields {
		k.WriteString(strconv.Itoa(len(s)))
		k.WriteByte(':')
		k.WriteString(s)
	}
}

// addNoSpace adds s without white space as a field: idNoSpace(s), without
// making that string.
func (k *idKeyBuilder) addNoSpace(s string) {
	n := 0
	for _, r := range s {
		if !idIsSpace(r) {
			n += utf8.RuneLen(r)
		}
	}
	k.Grow(n + 4)
	k.WriteString(strconv.Itoa(n))
	k.WriteByte(':')
	for _, r := range s {
		if !idIsSpace(r) {
			k.WriteRune(r)
		}
	}
}

// isIdentity reports whether s looks like an identity Identify writes.
func isIdentity(s string) bool {
	hexPart, ok := strings.CutPrefix(s, IdentityVersion)
	if !ok || len(hexPart) != 32 {
		return false
	}
	_, err := hex.DecodeString(hexPart)
	return err == nil
}

// item returns f with its key.
func (s *idSources) item(f *finding.Finding) idItem {
	it := idItem{f: f}
	loc := &f.Location
	tool, rule := f.Tool.Name, f.Rule.ID
	switch {
	case f.Fingerprints["secret/sha256"] != "":
		it.key = idKey("secret", tool, rule, loc.Path, f.Fingerprints["secret/sha256"])
	case loc.Resource != "":
		it.key = idKey("resource", tool, rule, loc.Path, loc.Resource)
	case s.hasLine(loc.Path, loc.Region.StartLine):
		sf := s.get(loc.Path)
		n := loc.Region.StartLine - 1
		text, col := sf.normalized(n, loc.Region.StartColumn)
		it.key = idKey("source", tool, rule, loc.Path, text, strconv.Itoa(col))
		it.src, it.line = sf, n
	case loc.Package != nil:
		p := loc.Package
		it.key = idKey("package", tool, rule, loc.Path, p.Ecosystem, p.Name, idImageName(p.Image))
	case loc.Web != nil:
		method, path, params := idWebKey(loc.Web.URL)
		if loc.Web.Method != "" {
			method = strings.ToUpper(loc.Web.Method)
		}
		it.key = idKey("web", tool, rule, method, path, params, loc.Web.Parameter)
	default:
		// Fallbacks for source findings whose file is not at hand.
		if isIdentity(f.ID) {
			it.keep = f.ID
		}
		switch lh, _, _ := strings.Cut(f.Fingerprints[finding.FingerprintLineHash], ":"); {
		case loc.Snippet != "":
			var k idKeyBuilder
			k.Grow(len(tool) + len(rule) + len(loc.Path) + len(loc.Snippet) + 32)
			k.add("snippet", tool, rule, loc.Path)
			k.addNoSpace(loc.Snippet)
			it.key = k.String()
		case lh != "":
			it.key = idKey("linehash", tool, rule, loc.Path, lh)
		default:
			it.key = idKey("message", tool, rule, loc.Path, f.Message)
		}
	}
	it.full = it.key
	return it
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

// idCmpPosition orders findings of one key by where they are, then by
// anything else that tells them apart, for a deterministic order.
func idCmpPosition(a, b *finding.Finding) int {
	ra, rb := &a.Location.Region, &b.Location.Region
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
	if p := f.Location.Package; p != nil {
		return p.Image + "@" + p.Version
	}
	return ""
}

// idNoSpace returns s without white space. Like a range over a string,
// it reads each invalid UTF-8 byte as U+FFFD.
func idNoSpace[S ~string | ~[]byte](s S) string {
	return strings.Map(func(r rune) rune {
		if idIsSpace(r) {
			return -1
		}
		return r
	}, string(s))
}

func idIsSpace(r rune) bool { return unicode.IsSpace(r) || r == 0xFEFF }

// idSources reads and caches source files under a root, through package
// sourcefile (inside the root, regular files only, size-capped).
type idSources struct {
	root  *sourcefile.Root
	mu    sync.Mutex // guards files: keys are made concurrently
	files map[string]*idSource
}

func newIDSources(dir string) (*idSources, error) {
	s := &idSources{files: map[string]*idSource{}}
	if dir == "" {
		return s, nil
	}
	r, err := sourcefile.Open(dir, idMaxSourceBytes)
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
	s.mu.Lock()
	defer s.mu.Unlock()
	if sf, ok := s.files[p]; ok {
		return sf
	}
	var sf *idSource
	if s.root != nil && p != "" {
		if lines, err := s.root.Lines(context.Background(), p); err == nil {
			sf = &idSource{lines: lines}
		}
	}
	s.files[p] = sf
	return sf
}

// hasLine reports whether the file at path p has line n (from 1).
func (s *idSources) hasLine(p string, n int) bool {
	if p == "" || n <= 0 {
		return false
	}
	sf := s.get(p)
	return sf != nil && n <= len(sf.lines)
}

// idSource is one source file split into lines (at "\r\n", "\r" and
// "\n", as [finding.LineHashes] does: see [sourcefile.SplitLines]).
type idSource struct {
	lines [][]byte
	decl  []int // decl[i] is the index of line i's declaration line, or -1; built on first use
}

// normalized returns line n (from 0) without white space, and how many
// non-white characters come before column col (UTF-16 units, from 1; 0
// means unknown and gives 0).
func (sf *idSource) normalized(n, col int) (string, int) {
	var text []byte
	units, before := 0, 0
	for _, r := range string(sf.lines[n]) {
		space := idIsSpace(r)
		if col > 0 && units < col-1 && !space {
			before++
		}
		units += utf16Len(r)
		if !space {
			text = utf8.AppendRune(text, r)
		}
	}
	return string(text), before
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// symbol returns the enclosing symbol of line n (from 0): see
// [Identify].
func (sf *idSource) symbol(n int) string {
	if line := sf.lines[n]; len(line) > 0 && !idIsSpace(rune(line[0])) && idIsComment(line) {
		// A doc comment: the declaration below it.
		for i := n + 1; i < len(sf.lines); i++ {
			if idIsDeclaration(sf.lines[i]) {
				return idNoSpace(idDeclarationName(sf.lines[i]))
			}
		}
		return ""
	}
	return sf.declaration(n)
}

// declaration returns the normalized declaration line at or above line n
// (from 0), or "".
func (sf *idSource) declaration(n int) string {
	if sf.decl == nil {
		sf.decl = make([]int, len(sf.lines))
		last := -1
		for i, l := range sf.lines {
			if idIsDeclaration(l) {
				last = i
			}
			sf.decl[i] = last
		}
	}
	i := sf.decl[n]
	if i < 0 {
		return ""
	}
	return idNoSpace(idDeclarationName(sf.lines[i]))
}

// below returns the nearest significant line after line n (from 0),
// normalized, or "" at the end of the file.
func (sf *idSource) below(n int) string {
	for i := n + 1; i < len(sf.lines); i++ {
		if idIsSignificant(sf.lines[i]) {
			return idNoSpace(sf.lines[i])
		}
	}
	return ""
}

// above returns the nearest significant line before line n (from 0),
// normalized, or "" at the start of the file.
func (sf *idSource) above(n int) string {
	for i := n - 1; i >= 0; i-- {
		if idIsSignificant(sf.lines[i]) {
			return idNoSpace(sf.lines[i])
		}
	}
	return ""
}

// idIsSignificant reports whether line says something of its own: it is
// not blank, not a comment and not only brackets and separators.
func idIsSignificant(line []byte) bool {
	s := bytes.TrimFunc(line, idIsSpace)
	return len(bytes.Trim(s, "{}()[];,")) > 0 && !idIsComment(s)
}

// idIsComment reports whether line, after white space, starts a comment
// in one of the common syntaxes.
func idIsComment(line []byte) bool {
	s := bytes.TrimLeftFunc(line, idIsSpace)
	for _, p := range []string{"//", "/*", "*", "#", "--", "<!--", ";"} {
		if bytes.HasPrefix(s, []byte(p)) {
			return true
		}
	}
	return false
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
	for _, c := range s {
		if !idIsIdentByte(c) {
			return false
		}
	}
	return true
}

func idIsIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
