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
		Skip(t, "the shared data %s is absent (it lives in ../shared beside the repository)",
			filepath.Join(append([]string{"shared"}, rel...)...))
	}
	return p
}

// Skip skips t with the message, or fails it when the CI environment
// variable is "true": on a user's clone the shared data may be absent, but
// in CI a suite that silently skipped would hide a regression.
func Skip(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf(format+" (CI=true: every component a test needs must be present in CI)", args...)
		return
	}
	t.Skipf(format+"; skipping", args...)
}

// InCI reports whether the tests run in CI (CI=true), where every component a
// test needs must be present.
func InCI() bool { return os.Getenv("CI") == "true" }
