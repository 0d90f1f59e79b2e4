// Package codetest checks, in a package's tests, the list of finding codes
// the package exports (FindingCodes): that it is complete, so that a tool
// can rely on it, and that every code in it belongs to the package.
package codetest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// Check fails t unless list is the complete list of pkg's finding codes:
// every entry is "pkg." followed by a lower-case hyphenated word and
// appears once; every code-shaped string literal in the Go files of the
// package directory dir (the source, which emits the codes, and the tests,
// which expect them from the package's fixtures) is in it. That the codes
// the packages emit over the repository's fixtures are listed is checked
// once for all packages, by audit's codes_collision_test.go.
func Check(t testing.TB, dir, pkg string, list []string) {
	t.Helper()
	shape := regexp.MustCompile(`^` + regexp.QuoteMeta(pkg) + `\.[a-z0-9]+(-[a-z0-9]+)*$`)
	listed := map[string]bool{}
	for _, c := range list {
		switch {
		case !shape.MatchString(c):
			t.Errorf("FindingCodes lists %q, which is not a %s code (%s.word-word)", c, pkg, pkg)
		case listed[c]:
			t.Errorf("FindingCodes lists %q twice", c)
		}
		listed[c] = true
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && shape.MatchString(s) && !listed[s] {
				t.Errorf("%s: %q is not in FindingCodes", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
}
