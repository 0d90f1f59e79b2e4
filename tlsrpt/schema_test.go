package tlsrpt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/container"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// schema is the subset of JSON Schema (2020-12) that
// testdata/report.schema.json uses; loading fails on any other keyword, so
// the checker never ignores a constraint silently.
type schema struct {
	Schema     string             `json:"$schema"`
	Comment    string             `json:"$comment"`
	Title      string             `json:"title"`
	Type       string             `json:"type"`
	Required   []string           `json:"required"`
	Properties map[string]*schema `json:"properties"`
	Items      *schema            `json:"items"`
	Enum       []string           `json:"enum"`
	Minimum    *float64           `json:"minimum"`
	Format     string             `json:"format"`
	AnyOf      []*schema          `json:"anyOf"`
}

func loadSchema(t testing.TB) *schema {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "report.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var s schema
	if err := d.Decode(&s); err != nil {
		t.Fatalf("schema uses a keyword the checker does not support: %v", err)
	}
	return &s
}

// validate returns the violations of doc, one "path: what" each.
func (s *schema) validate(doc []byte) ([]string, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	var out []string
	s.check(v, "", &out)
	return out, nil
}

func (s *schema) check(v any, path string, out *[]string) {
	bad := func(format string, args ...any) {
		*out = append(*out, fmt.Sprintf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	if s.Type != "" && !hasType(v, s.Type) {
		bad("%T is not %s", v, s.Type)
		return
	}
	if len(s.Enum) > 0 {
		if str, ok := v.(string); !ok || !slices.Contains(s.Enum, str) {
			bad("%v is not one of %v", v, s.Enum)
		}
	}
	if s.Minimum != nil {
		if n, ok := v.(json.Number); ok {
			f, _ := new(big.Float).SetString(n.String())
			if f == nil || f.Cmp(big.NewFloat(*s.Minimum)) < 0 {
				bad("%v is below %v", n, *s.Minimum)
			}
		}
	}
	if s.Format != "" {
		if str, ok := v.(string); ok && !hasFormat(str, s.Format) {
			bad("%q is not a %s", str, s.Format)
		}
	}
	if len(s.AnyOf) > 0 {
		ok := false
		for _, a := range s.AnyOf {
			var sub []string
			a.check(v, path, &sub)
			ok = ok || len(sub) == 0
		}
		if !ok {
			bad("%v matches none of anyOf", v)
		}
	}
	switch v := v.(type) {
	case map[string]any:
		for _, r := range s.Required {
			if _, ok := v[r]; !ok {
				*out = append(*out, fmt.Sprintf("%s: required member missing", join(path, r)))
			}
		}
		for k, p := range s.Properties {
			if m, ok := v[k]; ok {
				p.check(m, join(path, k), out)
			}
		}
	case []any:
		if s.Items != nil {
			for i, e := range v {
				s.Items.check(e, fmt.Sprintf("%s[%d]", path, i), out)
			}
		}
	}
}

func hasType(v any, typ string) bool {
	switch v := v.(type) {
	case nil:
		return typ == "null"
	case bool:
		return typ == "boolean"
	case string:
		return typ == "string"
	case []any:
		return typ == "array"
	case map[string]any:
		return typ == "object"
	case json.Number:
		if typ == "number" {
			return true
		}
		f, _ := new(big.Float).SetString(v.String())
		return typ == "integer" && f != nil && f.IsInt()
	}
	return false
}

func hasFormat(s, format string) bool {
	switch format {
	case "date-time":
		_, ok := parseDate(s)
		return ok
	case "email":
		a, err := mail.ParseAddress(s)
		return err == nil && a.Name == "" && a.Address == s
	case "hostname":
		return dnsname.Check(s) == nil
	case "ipv4":
		a, err := netip.ParseAddr(s)
		return err == nil && a.Is4()
	case "ipv6":
		a, err := netip.ParseAddr(s)
		return err == nil && a.Is6() && a.Zone() == ""
	case "uri":
		u, err := url.Parse(s)
		return err == nil && u.Scheme != ""
	}
	panic("the checker does not support format " + format)
}

// TestSchemaChecker: the checker finds each kind of violation.
func TestSchemaChecker(t *testing.T) {
	s := loadSchema(t)
	rep := func(old, new string) string { return strings.Replace(rfcExample, old, new, 1) }
	tests := []struct {
		name, doc, want string
	}{
		{"valid", rfcExample, ""},
		{"missing member", rep(`"report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",`, ""), "report-id: required member missing"},
		{"wrong type", rep(`5326`, `"5326"`), "policies[0].summary.total-successful-session-count: string is not integer"},
		{"not an integer", rep(`5326`, `5326.5`), "policies[0].summary.total-successful-session-count: json.Number is not integer"},
		{"negative", rep(`5326`, `-1`), "policies[0].summary.total-successful-session-count: -1 is below 0"},
		{"enum", rep(`"sts"`, `"dane"`), `policies[0].policy.policy-type: dane is not one of [tlsa sts no-policy-found]`},
		{"date-time", rep(`"2016-04-01T00:00:00Z"`, `"2016-04-01"`), `date-range.start-datetime: "2016-04-01" is not a date-time`},
		{"email", rep(`"sts-reporting@company-x.example"`, `"Reports <r@x.example>"`), `contact-info: "Reports <r@x.example>" is not a email`},
		{"ip", rep(`"198.51.100.62"`, `"198.51.100.062"`), `policies[0].failure-details[2].sending-mta-ip: 198.51.100.062 matches none of anyOf`},
		{"uri", rep(`"https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"`, `"no uri"`),
			`policies[0].failure-details[1].additional-information: "no uri" is not a uri`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.validate([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if want := nonEmpty(tc.want); !slices.Equal(got, want) {
				t.Fatalf("violations %q, want %q", got, want)
			}
		})
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// expectedViolations maps the oracle's notes to the violations the schema
// must find; the other notes (members the schema does not require, a
// summary that disagrees with its details) are no schema violations.
func expectedViolations(notes []string) []string {
	var out []string
	for _, n := range notes {
		switch {
		case n == `"contact-info" is null`:
			out = append(out, "contact-info: <nil> is not string")
		case strings.HasSuffix(n, " mx-host is a str, not an array of strings"):
			out = append(out, strings.TrimSuffix(n, " mx-host is a str, not an array of strings")+".policy.mx-host: string is not array")
		}
	}
	return out
}

// TestSchemaSamples: each shared sample meets the schema except where the
// oracle notes a deviation; the encoder's output of each meets it except
// where the sample lacks a required value.
func TestSchemaSamples(t *testing.T) {
	s := loadSchema(t)
	dir, oracle := loadOracle(t)
	type notes struct {
		File  string   `json:"file"`
		Notes []string `json:"notes"`
	}
	var withNotes []notes
	b, _ := os.ReadFile(filepath.Join(dir, "oracle.json"))
	json.Unmarshal(b, &withNotes)
	for i, e := range oracle {
		t.Run(e.File, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, e.File))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Decode(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			doc := raw
			if e.Form != "json" {
				doc = documentOf(t, raw)
			}
			got, err := s.validate(doc)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			want := expectedViolations(withNotes[i].Notes)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("sample: violations %q, want %q", got, want)
			}
			var enc bytes.Buffer
			if err := Encode(&enc, r); err != nil {
				t.Fatal(err)
			}
			got, err = s.validate(enc.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			want = nil
			if r.ContactInfo == "" {
				want = []string{`contact-info: "" is not a email`}
			}
			if !slices.Equal(got, want) {
				t.Errorf("encoded: violations %q, want %q\n%s", got, want, enc.Bytes())
			}
		})
	}
}

// documentOf returns the JSON document inside an email sample.
func documentOf(t *testing.T, raw []byte) []byte {
	t.Helper()
	o := &container.Opener{Format: jsonFormat, Limits: container.Limits{Archive: 1 << 20, Entries: 1, Parts: 10}}
	defer o.Close()
	d, err := o.Open(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(d)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestSchemaEncoderOutput: the encoder's output of a full report meets the
// schema.
func TestSchemaEncoderOutput(t *testing.T) {
	s := loadSchema(t)
	r, err := Decode(strings.NewReader(rfcExample))
	if err != nil {
		t.Fatal(err)
	}
	r.Policies = append(r.Policies, PolicyResult{Policy: Policy{Type: PolicyTypeNoPolicyFound, Domain: "example.org"}, Summary: SessionCounts{Successful: 9}})
	var buf bytes.Buffer
	if err := Encode(&buf, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.validate(buf.Bytes())
	if err != nil || len(got) > 0 {
		t.Fatalf("violations %q, %v\n%s", got, err, buf.Bytes())
	}
}
