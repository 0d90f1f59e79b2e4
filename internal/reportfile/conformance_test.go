package reportfile

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
)

// TestConformanceKinds: every report sample in the conformance folders is
// read as the kind of its folder — in particular no aggregate report email
// (multipart with a gzip or zip attachment) and no TLS report email is
// taken for a failure report, which Decode tries first. A sample its
// folder's index marks as no report of the kind (an aggregate the oracle
// says does not parse or is not a DMARC report, a failure report without
// an ARF part) may read as no kind at all (the aggregate decoder recovers
// some that a strict parser refuses), never as another kind.
func TestConformanceKinds(t *testing.T) {
	aggDir := shared.Require(t, "conformance", "dmarc-aggregate")
	failDir := shared.Require(t, "conformance", "dmarc-failure")
	// The samples that are no report of their folder's kind, by path
	// under the folder.
	broken := map[string]bool{}
	var oracle []struct {
		File   string   `json:"file"`
		Parses bool     `json:"parses"`
		Notes  []string `json:"notes"`
	}
	readJSON(t, filepath.Join(aggDir, "oracle.json"), &oracle)
	for _, o := range oracle {
		notReport := slices.ContainsFunc(o.Notes, func(n string) bool { return strings.Contains(n, "not a DMARC aggregate report") })
		broken[filepath.Join("dmarc-aggregate", filepath.FromSlash(o.File))] = !o.Parses || notReport
	}
	var index []struct {
		File           string         `json:"file"`
		FeedbackReport map[string]any `json:"feedback_report"`
	}
	readJSON(t, filepath.Join(failDir, "INDEX.json"), &index)
	for _, e := range index {
		broken[filepath.Join("dmarc-failure", filepath.FromSlash(e.File))] = e.FeedbackReport == nil // no ARF part (RFC 6591)
	}
	for _, folder := range []struct{ dir, kind string }{
		{"dmarc-aggregate", "aggregate"},
		{"dmarc-failure", "failure"},
		{"tlsrpt", "tls"},
	} {
		dir := shared.Require(t, "conformance", folder.dir)
		n := 0
		err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".xml", ".gz", ".zip", ".eml", ".json":
			default:
				return nil
			}
			rel, _ := filepath.Rel(dir, path)
			if e.Name() == "oracle.json" || e.Name() == "INDEX.json" {
				return nil
			}
			n++
			for _, stream := range []bool{false, true} {
				fh, err := os.Open(path)
				if err != nil {
					return err
				}
				f, derr := Decode(fh, Decoders{Stream: stream, TLS: tlsDecode})
				fh.Close()
				got := kindOf(f)
				want := folder.kind
				if got == want || got == "" && broken[filepath.Join(folder.dir, rel)] {
					continue
				}
				t.Errorf("%s/%s (stream %v): read as %q (error %v), want %q", folder.dir, rel, stream, got, derr, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("%s: no samples", folder.dir)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
