package sarifjson

import "github.com/go-json-experiment/json/jsontext"

// The members only the writer writes have these types, which decoding
// with github.com/go-json-experiment/json skips (UnmarshalJSONFrom skips
// the value) as it skips members the types do not declare: declaring them
// does not make the reader reject a log in which they have another shape,
// nor spend time on them. encoding/json writes them as their underlying
// types.

// WrittenInt is an integer member only the writer writes.
type WrittenInt int

// WrittenString is a string member only the writer writes.
type WrittenString string

// WrittenStrings is a map of strings only the writer writes.
type WrittenStrings map[string]string

// WrittenText is a message with a text only the writer writes.
type WrittenText struct {
	Text string `json:"text"`
}

// UnmarshalJSONFrom skips the value.
func (*WrittenInt) UnmarshalJSONFrom(d *jsontext.Decoder) error { return d.SkipValue() }

// UnmarshalJSONFrom skips the value.
func (*WrittenString) UnmarshalJSONFrom(d *jsontext.Decoder) error { return d.SkipValue() }

// UnmarshalJSONFrom skips the value.
func (*WrittenStrings) UnmarshalJSONFrom(d *jsontext.Decoder) error { return d.SkipValue() }

// UnmarshalJSONFrom skips the value.
func (*WrittenText) UnmarshalJSONFrom(d *jsontext.Decoder) error { return d.SkipValue() }
