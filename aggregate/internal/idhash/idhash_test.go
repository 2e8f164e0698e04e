package idhash

import (
	"fmt"
	"testing"
)

func keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("4:tool5:R%d12:src/f%d.go%d", i%30, i%40, i)
	}
	return out
}

// All gives each key the identity Hash gives it.
func TestAllIsHash(t *testing.T) {
	for _, n := range []int{0, 1, 2, 1000} {
		ks := keys(n)
		got := make([]string, n)
		All(n, func(i int) string { return ks[i] }, func(i int, id string) { got[i] = id })
		for i, k := range ks {
			if want := Hash(k); got[i] != want || len(got[i]) != Len {
				t.Fatalf("n %d: key %d: %q, want %q", n, i, got[i], want)
			}
		}
	}
	if got, want := Hash(""), "v2:e3b0c44298fc1c149afbf4c8996fb924"; got != want {
		t.Errorf("Hash(\"\") = %q, want %q", got, want)
	}
}

// BenchmarkAll compares All with one Hash a key, on 100,000 keys.
func BenchmarkAll(b *testing.B) {
	ks := keys(100_000)
	ids := make([]string, len(ks))
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			All(len(ks), func(i int) string { return ks[i] }, func(i int, id string) { ids[i] = id })
		}
	})
	b.Run("each", func(b *testing.B) {
		for b.Loop() {
			for i, k := range ks {
				ids[i] = Hash(k)
			}
		}
	})
}
