package shared

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "shared", "conformance", "spf"), 0o755); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(root, "repo", "spf")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(pkg)
	want := filepath.Join(root, "shared", "conformance", "spf")
	if got := Find("conformance", "spf"); got != want {
		t.Errorf("Find = %q, want %q", got, want)
	}
	if got := Find("conformance", "absent"); got != "" {
		t.Errorf("Find(absent) = %q", got)
	}
	if got := Require(t, "conformance", "spf"); got != want {
		t.Errorf("Require = %q", got)
	}
}

// recorder is a testing.TB that notes whether Skipf or Fatalf was called;
// Skip calls nothing else.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

// TestSkipFailsInCI: missing shared data skips on a user's machine and fails
// in CI, so a conformance suite can never be silently skipped there.
func TestSkipFailsInCI(t *testing.T) {
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		r := &recorder{}
		Skip(r, "absent %s", "x")
		if want := ci == "true"; r.failed != want || r.skipped == want {
			t.Errorf("CI=%q: failed=%v skipped=%v", ci, r.failed, r.skipped)
		}
	}
}
