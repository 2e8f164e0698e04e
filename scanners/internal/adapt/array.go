package adapt

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/scanmux/scanmux/scanners"
)

// EachElement reads the JSON array at the top level of r one element at a
// time: it decodes each into a new T and passes it, with its index, to fn,
// so a large report never sits in memory whole. A document that is not an
// array, an element that does not decode, or a truncated array is an error
// made with [scanners.FormatError] naming the file (name), what was
// expected and the element; fn's own errors are returned unchanged.
func EachElement[T any](r io.Reader, name, expected string, fn func(i int, v *T) error) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return scanners.FormatError(name, expected, "not JSON: "+err.Error())
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return scanners.FormatError(name, expected, "the top level is not an array")
	}
	for i := 0; dec.More(); i++ {
		var v T
		if err := dec.Decode(&v); err != nil {
			return scanners.FormatError(name, expected, fmt.Sprintf("element %d: %v", i, err))
		}
		if err := fn(i, &v); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return scanners.FormatError(name, expected, "truncated: "+err.Error())
	}
	return nil
}
