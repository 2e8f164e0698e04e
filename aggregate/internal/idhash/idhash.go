// Package idhash turns the identity keys of findings into identities:
// Version ("v2:") followed by the first 16 bytes of the key's SHA-256 in
// hex. [All] hashes many keys into one string per core, sharing it
// between the identities: one allocation instead of one per finding,
// which on the pipeline benchmark (500,000 findings) saved 19% of the
// run's CPU time against hashing each key apart and ordering them; the
// cores hash their parts at once (bench/ab-aggregate.md). [Hash] is the
// reference All is tested against.
package idhash

import (
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"
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
// identities are slices of one string per core, which hash their parts
// of the keys at once. key and set are called concurrently, for distinct
// i.
func All(n int, key func(i int) string, set func(i int, id string)) {
	parts := runtime.GOMAXPROCS(0)
	var g errgroup.Group
	for p := range parts {
		lo, hi := n*p/parts, n*(p+1)/parts
		g.Go(func() error {
			var all strings.Builder
			all.Grow(Len * (hi - lo))
			var scratch []byte
			for i := lo; i < hi; i++ {
				scratch = AppendHash(scratch[:0], key(i))
				all.Write(scratch)
			}
			ids := all.String()
			for i := lo; i < hi; i++ {
				set(i, ids[(i-lo)*Len:(i-lo+1)*Len])
			}
			return nil
		})
	}
	g.Wait()
}
