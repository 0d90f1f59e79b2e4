package mtasts

import (
	"fmt"
	"strings"
)

// RecordPrefix is the DNS label under which a Policy Domain publishes its
// MTA-STS TXT record: _mta-sts.<domain> (RFC 8461 §3.1).
const RecordPrefix = "_mta-sts"

// MaxIDLength is the longest policy id the grammar allows (RFC 8461 §3.1:
// 1*32(ALPHA / DIGIT)).
const MaxIDLength = 32

// Field is one key/value pair of a record or a policy that this package
// does not interpret: an extension, or a later duplicate of a field that
// may occur once (RFC 8461 §3.2: all entries except the first are ignored).
type Field struct {
	Key   string // the field's name, as written (case kept)
	Value string // the value, without surrounding white space
}

// Record is an MTA-STS TXT record (RFC 8461 §3.1), such as
// "v=STSv1; id=20160831085700Z;". The version is always STSv1, the only one
// defined, and is not stored.
type Record struct {
	// ID identifies the policy instance; a change tells senders to fetch
	// the policy again. 1 to 32 letters and digits.
	ID string
	// Extensions are the other fields, in the order given; unknown fields
	// are ignored by senders (RFC 8461 §3.2) but kept here.
	Extensions []Field
	// Ignored are later occurrences of a field already seen (a second id,
	// or an extension repeated), which senders ignore (RFC 8461 §3.2). Lint
	// reports them.
	Ignored []Field
}

// RecordName returns the name of the MTA-STS TXT record of domain:
// "_mta-sts." + domain, without a trailing dot.
func RecordName(domain string) string {
	return RecordPrefix + "." + strings.TrimSuffix(domain, ".")
}

// String formats the record as it is published, with a ';' after every
// field: "v=STSv1; id=X; ext=value;". It does not validate the fields: a
// Record built in code with an invalid ID gives a text ParseRecord rejects.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=STSv1; id=")
	b.WriteString(r.ID)
	b.WriteByte(';')
	for _, list := range [2][]Field{r.Extensions, r.Ignored} {
		for _, f := range list {
			b.WriteByte(' ')
			b.WriteString(f.Key)
			b.WriteByte('=')
			b.WriteString(f.Value)
			b.WriteByte(';')
		}
	}
	return b.String()
}

// IsRecord reports whether a TXT record is an MTA-STS record, that is begins
// with the version field v=STSv1 (RFC 8461 §3.1, matched case-sensitively
// as the ABNF's %s says). The RFC's prose says records not beginning with
// "v=STSv1;" are discarded, while its grammar allows white space before the
// ';': both forms count here, and so does a bare "v=STSv1" (which
// ParseRecord then rejects for its missing id).
func IsRecord(txt string) bool {
	const v = "v=STSv1"
	if !strings.HasPrefix(txt, v) {
		return false
	}
	return len(txt) == len(v) || txt[len(v)] == ';' || isWSP(txt[len(v)])
}

// ParseRecord parses an MTA-STS TXT record, its character-strings joined
// without spaces (RFC 8461 §3.1). It follows the grammar strictly, since a
// sender MUST treat a syntactically invalid record as no policy: the record
// begins with v=STSv1; fields are separated by ';' with optional spaces and
// tabs around it, and a final ';' is optional; id is required and is 1 to 32
// letters and digits; other fields are extensions, name=value, whose name
// is 1 to 32 letters, digits, '_', '-' and '.' starting with a letter or
// digit, and whose value is printable US-ASCII except '=' and ';'. A later
// duplicate of any field is kept in Ignored (RFC 8461 §3.2: all entries
// except the first SHALL be ignored).
//
// It returns an error wrapping ErrNotSTS for a text that is not an MTA-STS
// record at all, and a *ParseError wrapping ErrSyntax for a broken one.
func ParseRecord(txt string) (*Record, error) {
	if !IsRecord(txt) {
		return nil, fmt.Errorf("%w: %q does not begin with v=STSv1", ErrNotSTS, txt)
	}
	r := &Record{}
	seen := map[string]bool{}
	i := len("v=STSv1")
	for {
		j := skipWSP(txt, i)
		if j == len(txt) {
			if j > i {
				return nil, recordErr(i, "", "white space at the end without a ';'")
			}
			break
		}
		if txt[j] != ';' {
			return nil, recordErr(j, "", fmt.Sprintf("expected ';' before %q", excerpt(txt[j:])))
		}
		j = skipWSP(txt, j+1)
		if j == len(txt) {
			break
		}
		f, end, err := scanRecordField(txt, j)
		if err != nil {
			return nil, err
		}
		switch {
		case seen[f.Key]:
			r.Ignored = append(r.Ignored, f)
		case f.Key == "id":
			if msg := checkID(f.Value); msg != "" {
				return nil, recordErr(j+3, "id", msg)
			}
			r.ID = f.Value
		default:
			r.Extensions = append(r.Extensions, f)
		}
		seen[f.Key] = true
		i = end
	}
	if r.ID == "" {
		return nil, recordErr(len(txt), "id", "the required id field is missing")
	}
	return r, nil
}

// scanRecordField reads sts-id / sts-extension at txt[i:], returning the
// field and the offset just past its value.
func scanRecordField(txt string, i int) (Field, int, error) {
	n := scanName(txt, i)
	if n == 0 {
		return Field{}, 0, recordErr(i, "", fmt.Sprintf("expected a field name at %q", excerpt(txt[i:])))
	}
	key := txt[i : i+n]
	if n > 32 {
		return Field{}, 0, recordErr(i, key, "field name longer than 32 characters")
	}
	i += n
	if i == len(txt) || txt[i] != '=' {
		return Field{}, 0, recordErr(i, key, "expected '=' after the field name")
	}
	i++
	start := i
	for i < len(txt) && isRecordValueChar(txt[i]) {
		i++
	}
	if i == start {
		return Field{}, 0, recordErr(i, key, "empty value")
	}
	if i < len(txt) && txt[i] != ';' && !isWSP(txt[i]) {
		return Field{}, 0, recordErr(i, key, fmt.Sprintf("character %q not allowed in a value", txt[i]))
	}
	return Field{Key: key, Value: txt[start:i]}, i, nil
}

// checkID returns why id is not a valid sts-id value, or "".
func checkID(id string) string {
	if len(id) > MaxIDLength {
		return fmt.Sprintf("id of %d characters, more than %d", len(id), MaxIDLength)
	}
	for i := 0; i < len(id); i++ {
		if !isAlnum(id[i]) {
			return fmt.Sprintf("character %q in id: only letters and digits are allowed", id[i])
		}
	}
	return ""
}

func recordErr(off int, field, msg string) error {
	return &ParseError{What: "record", Field: field, Offset: off, Msg: msg, Err: ErrSyntax}
}

// scanName returns the length of the longest run at s[i:] that can be a
// field name: a letter or digit, then letters, digits, '_', '-', '.'.
func scanName(s string, i int) int {
	if i >= len(s) || !isAlnum(s[i]) {
		return 0
	}
	j := i + 1
	for j < len(s) && (isAlnum(s[j]) || s[j] == '_' || s[j] == '-' || s[j] == '.') {
		j++
	}
	return j - i
}

// isRecordValueChar: sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E).
func isRecordValueChar(c byte) bool {
	return c >= 0x21 && c <= 0x7e && c != '=' && c != ';'
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

func skipWSP(s string, i int) int {
	for i < len(s) && isWSP(s[i]) {
		i++
	}
	return i
}

// excerpt shortens s for an error message.
func excerpt(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}
