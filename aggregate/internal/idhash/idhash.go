// Package idhash turns the identity keys of findings into identities:
// Version ("v2:") followed by the first 16 bytes of the key's SHA-256 in
// hex. [All] hashes many keys into one string, sharing it between the
// identities: one allocation instead of one per finding, which on the
// pipeline benchmark (500,000 findings) saved 19% of the run's CPU time
// against hashing each key apart and ordering them (bench/ab-aggregate.md).
// [Hash] is the reference All is tested against.
package idhash

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Version is the prefix of every identity.
const Version = "v2:"

// Len is the length of an identity.
const Len = len(Version) + 32

// Hash returns the identity of key.
func Hash(key string) string { return string(AppendHash(nil, key)) }

// AppendHash appends the identity of key to dst, which it also uses to
// hash the key.
func AppendHash(dst []byte, key string) []byte {
	n := len(dst)
	dst = append(dst, key...)
	sum := sha256.Sum256(dst[n:])
	dst = append(dst[:n], Version...)
	return hex.AppendEncode(dst, sum[:16])
}

// All calls set(i, id) with the identity of key(i), for i in [0, n): the
// identities are slices of one string.
func All(n int, key func(i int) string, set func(i int, id string)) {
	var all strings.Builder
	all.Grow(Len * n)
	var scratch []byte
	for i := range n {
		scratch = AppendHash(scratch[:0], key(i))
		all.Write(scratch)
	}
	ids := all.String()
	for i := range n {
		set(i, ids[i*Len:(i+1)*Len])
	}
}
