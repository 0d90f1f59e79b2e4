// Package sat is saturating arithmetic for the counts that reports carry.
// The counts are untrusted input: a sum that wrapped around would be a
// small, wrong number, so a sum too large for a uint64 stays at the
// largest one.
package sat

import (
	"math"
	"math/bits"
)

// Add returns a+b, or math.MaxUint64 when the sum overflows.
func Add(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return math.MaxUint64
	}
	return s
}

// AddTo adds n to (*m)[k], saturating, and makes the map on first use.
func AddTo[K comparable](m *map[K]uint64, k K, n uint64) {
	if *m == nil {
		*m = make(map[K]uint64)
	}
	(*m)[k] = Add((*m)[k], n)
}
