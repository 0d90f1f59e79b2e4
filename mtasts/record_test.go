package mtasts

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Record
		err  error
	}{
		{"§3.1 example", "v=STSv1; id=20160831085700Z;", &Record{ID: "20160831085700Z"}, nil},
		{"§3.1 final delimiter optional", "v=STSv1; id=abc", &Record{ID: "abc"}, nil},
		{"§3.1 no spaces", "v=STSv1;id=abc;", &Record{ID: "abc"}, nil},
		{"§3.1 tabs and spaces around ;", "v=STSv1 \t;\t id=abc \t; ", &Record{ID: "abc"}, nil},
		{"§3.1 id of 32 characters", "v=STSv1; id=" + strings.Repeat("a", 32), &Record{ID: strings.Repeat("a", 32)}, nil},
		{"§3.1 extension kept", "v=STSv1; id=1; ext_a-1.b=x:y<z>", &Record{ID: "1", Extensions: []Field{{"ext_a-1.b", "x:y<z>"}}}, nil},
		{"§3.1 order of other fields not significant", "v=STSv1; x=1; id=2;", &Record{ID: "2", Extensions: []Field{{"x", "1"}}}, nil},
		{"§3.2 duplicate id: first wins", "v=STSv1; id=1; id=2;", &Record{ID: "1", Ignored: []Field{{"id", "2"}}}, nil},
		{"§3.2 duplicate id may be invalid", "v=STSv1; id=1; id=a-b;", &Record{ID: "1", Ignored: []Field{{"id", "a-b"}}}, nil},
		{"§3.2 duplicate extension", "v=STSv1; id=1; x=1; x=2", &Record{ID: "1", Extensions: []Field{{"x", "1"}}, Ignored: []Field{{"x", "2"}}}, nil},
		{"§3.1 MUST begin with v=STSv1: other first", "id=1; v=STSv1;", nil, ErrNotSTS},
		{"§3.1 version is case-sensitive", "v=stsv1; id=1;", nil, ErrNotSTS},
		{"§3.1 other version", "v=STSv10; id=1;", nil, ErrNotSTS},
		{"§3.1 leading space", " v=STSv1; id=1;", nil, ErrNotSTS},
		{"§3.1 id required", "v=STSv1;", nil, ErrSyntax},
		{"§3.1 id required with extension", "v=STSv1; x=1;", nil, ErrSyntax},
		{"§3.1 id key is case-sensitive", "v=STSv1; ID=1;", nil, ErrSyntax},
		{"§3.1 id over 32 characters", "v=STSv1; id=" + strings.Repeat("a", 33), nil, ErrSyntax},
		{"§3.1 id alphanumeric only", "v=STSv1; id=2016-08-31;", nil, ErrSyntax},
		{"§3.1 empty id", "v=STSv1; id=;", nil, ErrSyntax},
		{"§3.1 missing delimiter", "v=STSv1 id=1", nil, ErrSyntax},
		{"§3.1 trailing white space without ;", "v=STSv1; id=1 ", nil, ErrSyntax},
		{"§3.1 empty field", "v=STSv1; id=1;;", nil, ErrSyntax},
		{"§3.1 extension value excludes =", "v=STSv1; id=1; x=a=b", nil, ErrSyntax},
		{"§3.1 extension value excludes space", "v=STSv1; id=1; x=a b", nil, ErrSyntax},
		{"§3.1 extension value required", "v=STSv1; id=1; x=", nil, ErrSyntax},
		{"§3.1 extension name starts alphanumeric", "v=STSv1; id=1; _x=1", nil, ErrSyntax},
		{"§3.1 extension name at most 32", "v=STSv1; id=1; " + strings.Repeat("x", 33) + "=1", nil, ErrSyntax},
		{"§3.1 US-ASCII only", "v=STSv1; id=1; x=é", nil, ErrSyntax},
		{"§3.1 control character", "v=STSv1; id=1; x=a\x01", nil, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecord(tt.in)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("ParseRecord(%q) = %+v, %v; want error %v", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRecord(%q): %v", tt.in, err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ParseRecord(%q) (-want +got):\n%s", tt.in, d)
			}
			again, err := ParseRecord(got.String())
			if err != nil {
				t.Fatalf("ParseRecord(String() = %q): %v", got.String(), err)
			}
			if d := cmp.Diff(got, again); d != "" {
				t.Errorf("round trip through %q (-first +second):\n%s", got.String(), d)
			}
		})
	}
}

func TestParseRecordErrorNamesFieldAndOffset(t *testing.T) {
	_, err := ParseRecord("v=STSv1; id=2016-08-31;")
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *ParseError", err)
	}
	if pe.Field != "id" || pe.Offset != 12 || !strings.Contains(err.Error(), `field "id" at offset 12`) {
		t.Errorf("error = %q (%+v), want field id at offset 12", err, pe)
	}
}

func TestRecordString(t *testing.T) {
	r := &Record{ID: "20160831085700Z", Extensions: []Field{{"x", "1"}}}
	if got, want := r.String(), "v=STSv1; id=20160831085700Z; x=1;"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestSelectRecord(t *testing.T) {
	tests := []struct {
		name string
		txts []string
		id   string
		err  error
	}{
		{"§3.1 one record among others", []string{"v=spf1 -all", "v=STSv1; id=1;", "hello"}, "1", nil},
		{"§3.1 grammar allows space before ;", []string{"v=STSv1 ; id=1"}, "1", nil},
		{"§3.1 no TXT records", nil, "", ErrNoRecord},
		{"§3.1 only other records", []string{"v=spf1 -all", "v=STSv10; id=1"}, "", ErrNoRecord},
		{"§3.1 number of records not one", []string{"v=STSv1; id=1;", "v=STSv1; id=2;"}, "", ErrMultipleRecords},
		{"§3.1 a broken one counts", []string{"v=STSv1; id=1;", "v=STSv1"}, "", ErrMultipleRecords},
		{"§3.1 syntactically invalid", []string{"v=STSv1; id=a_b;"}, "", ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := SelectRecord(tt.txts)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("SelectRecord(%q) = %+v, %v; want %v", tt.txts, r, err, tt.err)
				}
				return
			}
			if err != nil || r.ID != tt.id {
				t.Fatalf("SelectRecord(%q) = %+v, %v; want id %s", tt.txts, r, err, tt.id)
			}
		})
	}
}
