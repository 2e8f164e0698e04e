package sarifjson

// Arena hands out the small objects of one result at a time, reused from
// one result to the next, so that encoding 500,000 results does not
// allocate millions of objects for the garbage collector. A nil *Arena
// allocates on the heap. What it hands out is valid until Reset.
type Arena struct {
	locs  slab[Location]
	msgs  slab[Message]
	props slab[ResultProperties]
	strs  slab[string]
	pairs slab[Pair]
	also  slab[AlsoReported]
}

// Reset makes everything a handed out free for reuse.
func (a *Arena) Reset() {
	if a != nil {
		a.locs.reset()
		a.msgs.reset()
		a.props.reset()
		a.strs.reset()
		a.pairs.reset()
		a.also.reset()
	}
}

// slab is a growing list of chunks of T, handed out in order and reused
// after reset.
type slab[T any] struct {
	chunks [][]T
	ci, i  int // next free: chunks[ci][i]
}

const slabChunk = 64

// take returns n consecutive zero values (a slice of length and capacity
// n).
func (s *slab[T]) take(n int) []T {
	for {
		if s.ci == len(s.chunks) {
			s.chunks = append(s.chunks, make([]T, max(slabChunk, n)))
		}
		c := s.chunks[s.ci]
		if s.i+n <= len(c) {
			out := c[s.i : s.i+n : s.i+n]
			s.i += n
			clear(out)
			return out
		}
		s.ci, s.i = s.ci+1, 0
	}
}

func (s *slab[T]) reset() { s.ci, s.i = 0, 0 }

// Message returns a message of text.
func (a *Arena) Message(text string) *Message {
	if a == nil {
		return &Message{Text: text}
	}
	m := &a.msgs.take(1)[0]
	m.Text = text
	return m
}

// ResultProperties returns an empty property bag.
func (a *Arena) ResultProperties() *ResultProperties {
	if a == nil {
		return new(ResultProperties)
	}
	return &a.props.take(1)[0]
}

// Locations returns n zero locations.
func (a *Arena) Locations(n int) []Location {
	if a == nil {
		return make([]Location, n)
	}
	return a.locs.take(n)
}

// AlsoReported returns n zero merged reports.
func (a *Arena) AlsoReported(n int) []AlsoReported {
	if a == nil {
		return make([]AlsoReported, n)
	}
	return a.also.take(n)
}

// Strings returns n empty strings.
func (a *Arena) Strings(n int) []string {
	if a == nil {
		return make([]string, n)
	}
	return a.strs.take(n)
}

// Pairs returns room for n pairs (length 0).
func (a *Arena) Pairs(n int) Pairs {
	if a == nil {
		return make(Pairs, 0, n)
	}
	return a.pairs.take(n)[:0]
}
