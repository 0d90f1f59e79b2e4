//go:build race

package dmarc

// raceEnabled reports whether the race detector is on; it changes the
// cost of every memory access, so timing tests skip under it.
const raceEnabled = true
