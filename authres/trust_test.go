package authres

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestForRemoval(t *testing.T) {
	fields := []HeaderField{
		{Name: "Received", Value: "from a by b"},
		{Name: "Authentication-Results", Value: "example.com; spf=pass smtp.mailfrom=a.example"},   // 1 own: MUST delete (§5)
		{Name: "authentication-results", Value: " MX1.Example.COM.; dkim=pass header.d=a.example"}, // 2 below own, case and dot differ
		{Name: "Authentication-Results", Value: "example.net; dkim=pass header.d=a.example"},       // 3 someone else's: kept
		{Name: "Authentication-Results", Value: "example.com 2; none"},                             // 4 own and unknown version: own wins
		{Name: "Authentication-Results", Value: "example.net 2; none"},                             // 5 unknown version (§5)
		{Name: "Authentication-Results", Value: "example.com; spf=pass smtp.mailfrom="},            // 6 own but broken: still own
		{Name: "Authentication-Results", Value: "(garbage"},                                        // 7 unreadable
		{Name: "Authentication-Results", Value: "notexample.com; none"},                            // 8 not below own: kept
		{Name: "X-Authentication-Results", Value: "example.com; none"},                             // 9 another field: ignored
		{Name: "Authentication-Results", Value: "xn--r8jz45g.example.com; none"},                   // 10 A-label of own's subdomain
		{Name: "Authentication-Results", Value: "dmarc=fail header.from=example.org"},              // 11 no authserv-id claims nothing
		{Name: "Authentication-Results", Value: "spf=pass smtp.mailfrom=a.example; example.com"},   // 12 Exchange style, own id placed late
	}
	got := ForRemoval(fields, "例え.example.com", "example.com", "")
	type rm struct {
		Index  int
		ID     string
		Reason RemovalReason
		Err    bool
	}
	var short []rm
	for _, r := range got {
		short = append(short, rm{r.Index, r.AuthServID, r.Reason, r.Err != nil})
	}
	want := []rm{
		{1, "example.com", RemovalReasonOwnID, false},
		{2, "MX1.Example.COM.", RemovalReasonOwnID, false},
		{4, "example.com", RemovalReasonOwnID, true},
		{5, "example.net", RemovalReasonVersion, true},
		{6, "example.com", RemovalReasonOwnID, true},
		{7, "", RemovalReasonMalformed, true},
		{10, "xn--r8jz45g.example.com", RemovalReasonOwnID, false},
		{12, "example.com", RemovalReasonOwnID, false},
	}
	if d := cmp.Diff(want, short); d != "" {
		t.Errorf("ForRemoval (-want +got):\n%s", d)
	}
	if !errors.Is(got[3].Err, ErrVersion) {
		t.Errorf("version removal Err = %v, want ErrVersion", got[3].Err)
	}

	kept, removed := Strip(fields, "example.com")
	// Index 10 lies below example.com too, so own = example.com alone
	// removes the same fields.
	if len(removed) != len(want) {
		t.Errorf("Strip removed %d fields, want %d", len(removed), len(want))
	}
	var names []string
	for _, f := range kept {
		names = append(names, f.Value)
	}
	wantKept := []string{"from a by b", fields[3].Value, fields[8].Value, fields[9].Value, fields[11].Value}
	if d := cmp.Diff(wantKept, names); d != "" {
		t.Errorf("Strip kept (-want +got):\n%s", d)
	}
	if fields[1].Value != "example.com; spf=pass smtp.mailfrom=a.example" {
		t.Errorf("Strip modified its input")
	}
}

// TestForRemovalUnicodeOwn: §5 compares after converting A-labels to
// U-labels, so an own authserv-id given in U-labels matches a field in
// A-labels and the reverse.
func TestForRemovalUnicodeOwn(t *testing.T) {
	fields := []HeaderField{
		{Name: FieldName, Value: "xn--r8jz45g.jp; none"},
		{Name: FieldName, Value: "例え.jp; none"},
		{Name: FieldName, Value: "例.jp; none"},
	}
	for _, own := range []string{"例え.jp", "xn--r8jz45g.jp"} {
		got := ForRemoval(fields, own)
		if len(got) != 2 || got[0].Index != 0 || got[1].Index != 1 {
			t.Errorf("ForRemoval(own %q) = %+v, want fields 0 and 1", own, got)
		}
	}
}

func TestTrusted(t *testing.T) {
	fields := []HeaderField{
		{Name: FieldName, Value: "mx.example.net; spf=pass smtp.mailfrom=a.example"},
		{Name: FieldName, Value: "evil.mx.example.net; dkim=pass header.d=a.example"}, // below a trusted id: not trusted
		{Name: FieldName, Value: "other.example; dmarc=pass"},
		{Name: FieldName, Value: "MX.EXAMPLE.NET; arc=pass"},
		{Name: FieldName, Value: "mx.example.net 2; none"},                // unknown version: unreadable
		{Name: FieldName, Value: "dmarc=pass header.from=mx.example.net"}, // no authserv-id
		{Name: "Received", Value: "mx.example.net; spf=pass"},
		// Tolerance 2: the authserv-id only after a statement; an upstream
		// filter reading the head may not have seen it as its own.
		{Name: FieldName, Value: "spf=pass smtp.mailfrom=a.example; mx.example.net"},
		{Name: FieldName, Value: `"mx.example.net" (quoted); dkim=pass`},
	}
	got := Trusted(fields, "mx.example.net")
	var ids []string
	for _, r := range got {
		ids = append(ids, r.AuthServID+" "+r.Methods[0].Method)
	}
	want := []string{"mx.example.net spf", "MX.EXAMPLE.NET arc", "mx.example.net dkim"}
	if d := cmp.Diff(want, ids); d != "" {
		t.Errorf("Trusted (-want +got):\n%s", d)
	}
	if got := Trusted(fields); len(got) != 0 {
		t.Errorf("Trusted with no trusted ids = %d fields, want none", len(got))
	}
	if got := Trusted(fields, ""); len(got) != 0 {
		t.Errorf("Trusted(\"\") = %d fields, want none: an empty id trusts nothing", len(got))
	}
}

func TestRemovalReasonString(t *testing.T) {
	for r, want := range map[RemovalReason]string{RemovalReasonOwnID: "own-authserv-id", RemovalReasonVersion: "unsupported-version", RemovalReasonMalformed: "malformed", 0: "unknown"} {
		if got := r.String(); got != want {
			t.Errorf("RemovalReason(%d).String() = %q, want %q", r, got, want)
		}
	}
}
