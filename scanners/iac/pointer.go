package iac

import "strings"

// span is the lines of a node of a parsed file, 1-based and inclusive.
type span struct{ start, end int }

// positions maps the JSON pointers of a document's nodes to their lines.
type positions map[string]span

// set records the lines of the node at ptr. end < start means end = start.
func (p positions) set(ptr string, start, end int) {
	if end < start {
		end = start
	}
	p[ptr] = span{start, end}
}

// lookup returns the lines of the node at ptr or, if it does not exist (a
// rule pointing at a field that is not set), of its nearest ancestor.
func (p positions) lookup(ptr string) (span, bool) {
	for {
		if s, ok := p[ptr]; ok {
			return s, true
		}
		i := strings.LastIndexByte(ptr, '/')
		if i < 0 {
			return span{}, false
		}
		ptr = ptr[:i]
	}
}

// pointerEscaper escapes a key for use as a JSON pointer token (RFC 6901).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// child returns the pointer of member key of the node at ptr.
func child(ptr, key string) string {
	if strings.ContainsAny(key, "~/") {
		key = pointerEscaper.Replace(key)
	}
	return ptr + "/" + key
}
