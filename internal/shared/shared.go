// Package shared finds the project's read-only reference data for tests:
// the "shared" folder that stands beside the repository (RFC texts,
// conformance suites, report samples, SES facts). Tests read it from there
// and skip when it is absent; nothing of it is copied into the repository.
package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// Find returns the path of shared/<rel...>, looking for it beside the working
// directory and each of its parents in turn, or "" when there is none.
func Find(rel ...string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(append([]string{dir, "shared"}, rel...)...)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Require is Find for tests: when the data is absent it skips t with a
// message naming what is missing.
func Require(t testing.TB, rel ...string) string {
	t.Helper()
	p := Find(rel...)
	if p == "" {
		t.Skipf("the shared data %s is absent (it lives in ../shared beside the repository); skipping",
			filepath.Join(append([]string{"shared"}, rel...)...))
	}
	return p
}
