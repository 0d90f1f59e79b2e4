package authres

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
)

// arNames are the fields holding Authentication-Results syntax in the
// samples: the field itself, the renamed copy a gateway leaves when it
// obeys RFC 8601 §5 by renaming (Cisco IronPort writes
// Authentication-Results-Original), and the experimental X- form of the
// RFC 6376 examples.
var arNames = []string{FieldName, FieldName + "-Original", "X-" + FieldName}

// sampleField is one field found in a sample file.
type sampleField struct {
	file, name, value string
}

// extractFields returns every field of arNames that starts a line in
// data, with its continuation lines (line ends kept), wherever it is: a
// message header, an ARF report's feedback part or a text/rfc822-headers
// part.
func extractFields(file string, data string) []sampleField {
	var out []sampleField
	lines := strings.SplitAfter(data, "\n")
	for i := 0; i < len(lines); i++ {
		name, _, ok := strings.Cut(lines[i], ":")
		if !ok || !isARName(name) {
			continue
		}
		var b strings.Builder
		b.WriteString(lines[i])
		for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], " ") || strings.HasPrefix(lines[i+1], "\t")) {
			i++
			b.WriteString(lines[i])
		}
		out = append(out, sampleField{file: file, name: name, value: strings.TrimPrefix(b.String(), name+":")})
	}
	return out
}

func isARName(name string) bool {
	for _, n := range arNames {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// TestConformanceSamples reads every Authentication-Results field in the
// shared conformance samples.
func TestConformanceSamples(t *testing.T) {
	root := shared.Require(t, "conformance")
	// Fields that are genuinely not RFC 8601 syntax, by file and field
	// name, with the error they must give.
	malformed := map[string]struct {
		err error
		msg string
		why string
	}{
		"dkim/rfc6376/a3-verified.eml X-Authentication-Results": {
			err: ErrSyntax, msg: `expected ";", found 'h'`,
			why: "RFC 6376 A.3 shows the pre-standard form of the field (draft-kucherawy-sender-auth-header), in which the authserv-id is followed directly by a property with no \";\"; RFC 8601 §2.2 requires \";\" after the authserv-id",
		},
	}
	var fields []sampleField
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fields = append(fields, extractFields(filepath.ToSlash(rel), string(data))...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 18 Authentication-Results fields, 2 renamed copies and the RFC 6376
	// example: fewer means the extraction broke, not that the samples
	// shrank.
	if len(fields) < 21 {
		t.Fatalf("found %d fields in %s, want at least 21", len(fields), root)
	}
	seen := map[string]bool{}
	tolerated := 0
	for _, f := range fields {
		key := f.file + " " + f.name
		r, err := Parse(f.value)
		if m, ok := malformed[key]; ok {
			seen[key] = true
			if !errors.Is(err, m.err) || !strings.Contains(err.Error(), m.msg) {
				t.Errorf("%s: Parse(%q) = %v, want %v containing %q (%s)", key, f.value, err, m.err, m.msg, m.why)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Parse(%q): %v", key, f.value, err)
			continue
		}
		if len(r.Methods) == 0 {
			t.Errorf("%s: Parse(%q) found no methods", key, f.value)
		}
		if _, err := (&Parser{Strict: true}).Parse(f.value); err != nil {
			tolerated++
			t.Logf("%s: read by tolerance only (strict: %v)", key, err)
		}
	}
	for key := range malformed {
		if !seen[key] {
			t.Errorf("%s: the malformed field expected there was not found", key)
		}
	}
	t.Logf("%d fields read, %d of them through a documented tolerance", len(fields), tolerated)
}

// TestConformanceLinkedIn checks one sample field in full: quoted values,
// comments and an unknown method (tls) with its ptypes kept.
func TestConformanceLinkedIn(t *testing.T) {
	root := shared.Require(t, "conformance")
	data, err := os.ReadFile(filepath.Join(root, "dmarc-failure", "domainaware+parsedmarc", "dmarc_ruf_report_linkedin.eml"))
	if err != nil {
		t.Fatal(err)
	}
	var got *Results
	for _, f := range extractFields("linkedin", string(data)) {
		if r, err := Parse(f.value); err == nil && r.AuthServID == "mail516.prod.linkedin.com" {
			got = r
		}
	}
	if got == nil {
		t.Fatal("no Authentication-Results field of mail516.prod.linkedin.com")
	}
	var methods []string
	for _, m := range got.Methods {
		methods = append(methods, m.Method+"="+string(m.Result))
	}
	if want := "iprev=pass spf=neutral dkim=none tls=pass dmarc=fail"; strings.Join(methods, " ") != want {
		t.Errorf("methods = %q, want %q", strings.Join(methods, " "), want)
	}
	if v, _ := got.Methods[3].Prop("cert", "client"); v != "OU=Domain Control Validated,CN=*.someserver.com" {
		t.Errorf("tls cert.client = %q", v)
	}
	if v, ok := got.Methods[1].Prop("smtp", "mailfrom"); !ok || v != "" {
		t.Errorf("spf smtp.mailfrom = %q, %v; want the empty quoted string", v, ok)
	}
}
