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
