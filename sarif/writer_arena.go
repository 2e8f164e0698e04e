package sarif

// arena hands out the small objects of one result at a time, reused from
// one result to the next, so that encoding 500,000 results does not
// allocate millions of objects for the garbage collector. A nil *arena
// allocates on the heap. What it hands out is valid until reset.
type arena struct {
	locs    slab[outLocation]
	phys    slab[outPhysical]
	regions slab[outRegion]
	texts   slab[outText]
	props   slab[outResultProps]
	strs    slab[string]
	pairs   slab[stringPair]
	also    slab[alsoProps]
}

func (a *arena) reset() {
	if a != nil {
		a.locs.reset()
		a.phys.reset()
		a.regions.reset()
		a.texts.reset()
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

func newText(a *arena, text string) *outText {
	if a == nil {
		return &outText{Text: text}
	}
	t := &a.texts.take(1)[0]
	t.Text = text
	return t
}

func newPhysical(a *arena) *outPhysical {
	if a == nil {
		return new(outPhysical)
	}
	return &a.phys.take(1)[0]
}

func newRegion(a *arena) *outRegion {
	if a == nil {
		return new(outRegion)
	}
	return &a.regions.take(1)[0]
}

func newProps(a *arena) *outResultProps {
	if a == nil {
		return new(outResultProps)
	}
	return &a.props.take(1)[0]
}

func newLocations(a *arena, n int) []outLocation {
	if a == nil {
		return make([]outLocation, n)
	}
	return a.locs.take(n)
}

func newAlso(a *arena, n int) []alsoProps {
	if a == nil {
		return make([]alsoProps, n)
	}
	return a.also.take(n)
}

func newStrings(a *arena, n int) []string {
	if a == nil {
		return make([]string, n)
	}
	return a.strs.take(n)
}

// newPairs returns room for n pairs (length 0).
func newPairs(a *arena, n int) stringPairs {
	if a == nil {
		return make(stringPairs, 0, n)
	}
	return a.pairs.take(n)[:0]
}
