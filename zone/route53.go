package zone

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// Route 53 JSON: the form `aws route53 list-resource-record-sets` prints and
// the SDKs use (the wire API is XML). Names and values follow the Route 53
// Developer Guide: domain names may end in a dot and carry \ooo octal escapes
// for characters other than a-z, 0-9, '-' and '_'; TXT values are one or more
// double-quoted strings of at most 255 characters, with \" and \\ and \ooo
// octal escapes; an MX value is "preference host"; an SOA value is
// "mname rname serial refresh retry expire minimum".

// Route53RecordSet is one resource record set in Route 53's JSON form.
type Route53RecordSet struct {
	Name            string                  `json:"Name"`
	Type            string                  `json:"Type"`
	SetIdentifier   string                  `json:"SetIdentifier,omitempty"`
	TTL             *int64                  `json:"TTL,omitempty"`
	ResourceRecords []Route53ResourceRecord `json:"ResourceRecords,omitempty"`
	AliasTarget     *Route53AliasTarget     `json:"AliasTarget,omitempty"`
}

// Route53ResourceRecord is one value of a record set.
type Route53ResourceRecord struct {
	Value string `json:"Value"`
}

// Route53AliasTarget is the target of a Route 53 alias record set. A Zone
// cannot answer for an alias (it points at an AWS resource, not at records),
// so the reader skips alias record sets with a Note.
type Route53AliasTarget struct {
	HostedZoneID         string `json:"HostedZoneId"`
	DNSName              string `json:"DNSName"`
	EvaluateTargetHealth bool   `json:"EvaluateTargetHealth"`
}

// Route53Reader reads Route 53 record sets into a Zone. The zero value is
// ready to use and applies the default limits.
type Route53Reader struct {
	// MaxBytes bounds the JSON input. If zero, 16 MiB.
	MaxBytes int64
	// MaxRecords bounds the resource records read. If zero, 100000 (a
	// hosted zone holds 10000 record sets by default).
	MaxRecords int
}

// Route53Error describes input the Route 53 reader rejects.
type Route53Error struct {
	Set   int    // index of the record set in the input, -1 for the document
	Name  string // the record set's name, if known
	Value string // the offending value, if any
	Msg   string
}

// Error returns the message prefixed with "zone: route53:" and, when known,
// the record set's index, name and value.
func (e *Route53Error) Error() string {
	if e.Set < 0 {
		return "zone: route53: " + e.Msg
	}
	s := fmt.Sprintf("zone: route53: record set %d (%s)", e.Set, e.Name)
	if e.Value != "" {
		s += fmt.Sprintf(" value %q", e.Value)
	}
	return s + ": " + e.Msg
}

// ErrRoute53TooLarge is returned (wrapped) when the input exceeds a limit of
// Route53Reader.
var ErrRoute53TooLarge = errors.New("zone: route53: input exceeds limit")

// ReadRoute53 reads Route 53 JSON with the default limits; see
// Route53Reader.Read.
func ReadRoute53(r io.Reader) (*Zone, error) { return (&Route53Reader{}).Read(r) }

// Read parses r into a new Zone. It accepts the output of
// `aws route53 list-resource-record-sets` ({"ResourceRecordSets": [...]}),
// a change batch ({"Changes": [{"Action", "ResourceRecordSet"}]}, whose
// CREATE and UPSERT changes are read and DELETE changes skipped), the same
// wrapped in {"ChangeBatch": ...}, or a bare array of record sets.
// Alias record sets and record sets with no values are skipped with a Note;
// a record set with a malformed value is an error.
func (rd *Route53Reader) Read(r io.Reader) (*Zone, error) {
	maxBytes := rd.MaxBytes
	if maxBytes <= 0 {
		maxBytes = 16 << 20
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("zone: route53: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrRoute53TooLarge, maxBytes)
	}
	sets, err := decodeRoute53(data)
	if err != nil {
		return nil, err
	}
	maxRecords := rd.MaxRecords
	if maxRecords <= 0 {
		maxRecords = 100000
	}
	z := New()
	n := 0
	for i, set := range sets {
		if set.AliasTarget != nil || len(set.ResourceRecords) == 0 {
			z.notes = append(z.notes, Note{Msg: fmt.Sprintf("record set %d (%s %s): alias or empty record set skipped", i, set.Name, set.Type)})
			continue
		}
		n += len(set.ResourceRecords)
		if n > maxRecords {
			return nil, fmt.Errorf("%w: more than %d records", ErrRoute53TooLarge, maxRecords)
		}
		rrs, err := Route53Records(set)
		if err != nil {
			var re *Route53Error
			if errors.As(err, &re) {
				re.Set = i
			}
			return nil, err
		}
		for _, rr := range rrs {
			if err := z.add(rr, false); err != nil {
				return nil, &Route53Error{Set: i, Name: set.Name, Msg: err.Error()}
			}
		}
	}
	return z, nil
}

// decodeRoute53 finds the record sets in any of the accepted shapes.
func decodeRoute53(data []byte) ([]Route53RecordSet, error) {
	type change struct {
		Action            string           `json:"Action"`
		ResourceRecordSet Route53RecordSet `json:"ResourceRecordSet"`
	}
	type batch struct {
		Changes []change `json:"Changes"`
	}
	var doc struct {
		ResourceRecordSets []Route53RecordSet `json:"ResourceRecordSets"`
		Changes            []change           `json:"Changes"`
		ChangeBatch        *batch             `json:"ChangeBatch"`
	}
	trimmed := strings.TrimLeft(string(data), " \t\r\n")
	if strings.HasPrefix(trimmed, "[") {
		var sets []Route53RecordSet
		if err := json.Unmarshal(data, &sets); err != nil {
			return nil, &Route53Error{Set: -1, Msg: err.Error()}
		}
		return sets, nil
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, &Route53Error{Set: -1, Msg: err.Error()}
	}
	changes := doc.Changes
	if doc.ChangeBatch != nil {
		changes = append(changes, doc.ChangeBatch.Changes...)
	}
	sets := doc.ResourceRecordSets
	for _, c := range changes {
		switch strings.ToUpper(c.Action) {
		case "CREATE", "UPSERT":
			sets = append(sets, c.ResourceRecordSet)
		case "DELETE":
		default:
			return nil, &Route53Error{Set: -1, Msg: fmt.Sprintf("unknown change action %q", c.Action)}
		}
	}
	return sets, nil
}

// Route53Records converts one record set into records. It fails on an
// unknown type, a TTL outside 0..2147483647 or a malformed value.
func Route53Records(set Route53RecordSet) ([]RR, error) {
	fail := func(value, format string, args ...any) error {
		return &Route53Error{Name: set.Name, Value: value, Msg: fmt.Sprintf(format, args...)}
	}
	name, err := unescapeRoute53Name(set.Name)
	if err != nil {
		return nil, fail("", "name: %v", err)
	}
	t, ok := ParseType(set.Type)
	if !ok || t == TypeANY {
		return nil, fail("", "unknown record type %q", set.Type)
	}
	var ttl uint32
	if set.TTL != nil {
		if *set.TTL < 0 || *set.TTL > 2147483647 {
			return nil, fail("", "TTL %d outside 0..2147483647", *set.TTL)
		}
		ttl = uint32(*set.TTL)
	}
	out := make([]RR, 0, len(set.ResourceRecords))
	for _, v := range set.ResourceRecords {
		rr := RR{Name: name, Type: t, TTL: ttl}
		if err := parseRoute53Value(&rr, v.Value); err != nil {
			return nil, fail(v.Value, "%v", err)
		}
		if err := rr.validate(); err != nil {
			return nil, fail(v.Value, "%v", err)
		}
		out = append(out, rr)
	}
	return out, nil
}

func parseRoute53Value(rr *RR, v string) error {
	switch rr.Type {
	case TypeA, TypeAAAA:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return err
		}
		rr.Addr = a
	case TypeCNAME, TypePTR, TypeNS:
		n, err := unescapeRoute53Name(v)
		if err != nil {
			return err
		}
		rr.Target = n
	case TypeMX:
		f := strings.Fields(v)
		if len(f) != 2 {
			return errors.New(`MX value must be "preference host"`)
		}
		p, err := strconv.ParseUint(f[0], 10, 16)
		if err != nil {
			return fmt.Errorf("MX preference %q: not a number 0..65535", f[0])
		}
		n, err := unescapeRoute53Name(f[1])
		if err != nil {
			return err
		}
		if n == "" {
			n = "."
		}
		rr.Pref, rr.Target = uint16(p), n
	case TypeTXT, TypeSPF:
		text, err := unquoteRoute53(v)
		if err != nil {
			return err
		}
		rr.Text = text
	case TypeSOA:
		f := strings.Fields(v)
		if len(f) != 7 {
			return errors.New("SOA value must have 7 fields")
		}
		soa := &SOA{}
		var err error
		if soa.MName, err = unescapeRoute53Name(f[0]); err != nil {
			return err
		}
		if soa.RName, err = unescapeRoute53Name(f[1]); err != nil {
			return err
		}
		for i, p := range []*uint32{&soa.Serial, &soa.Refresh, &soa.Retry, &soa.Expire, &soa.Minimum} {
			n, err := strconv.ParseUint(f[2+i], 10, 32)
			if err != nil {
				return fmt.Errorf("SOA field %d %q: not a 32-bit number", 3+i, f[2+i])
			}
			*p = uint32(n)
		}
		rr.SOA = soa
	default:
		if strings.TrimSpace(v) == "" {
			return errors.New("empty value")
		}
		d, err := canonicalData(v) // white space inside quotes is kept
		if err != nil {
			return err
		}
		rr.Data = d
	}
	return nil
}

// unescapeRoute53Name decodes \ooo octal escapes (and \c for any other c)
// and removes the trailing dot; the root gives "".
func unescapeRoute53Name(s string) (string, error) {
	if s == "" {
		return "", errors.New("empty name")
	}
	if !strings.Contains(s, `\`) {
		return checkRoute53Name(strings.TrimSuffix(s, "."))
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		n, adv, err := octalEscape(s[i+1:])
		if err != nil {
			return "", fmt.Errorf("name %q: %v", s, err)
		}
		if n == '.' {
			// A dot inside a label cannot be held apart from the label
			// separators, so it is refused as in master files.
			return "", fmt.Errorf("name %q: an escaped dot inside a label is not supported", s)
		}
		b.WriteByte(n)
		i += adv
	}
	return checkRoute53Name(strings.TrimSuffix(b.String(), "."))
}

// checkRoute53Name rejects empty labels and over-long labels or names
// (RFC 1035 §2.3.4); the root ("") passes.
func checkRoute53Name(n string) (string, error) {
	if n == "" {
		return n, nil
	}
	if err := dnsname.Check(n); err != nil {
		return "", err
	}
	return n, nil
}

// octalEscape decodes what follows a backslash: three octal digits (at most
// \377) or one other character. It returns the byte and how many input bytes
// it used.
func octalEscape(s string) (byte, int, error) {
	if s == "" {
		return 0, 0, errors.New("backslash at end")
	}
	if s[0] < '0' || s[0] > '7' {
		return s[0], 1, nil
	}
	if len(s) < 3 {
		return 0, 0, errors.New("short octal escape")
	}
	n := 0
	for _, c := range []byte(s[:3]) {
		if c < '0' || c > '7' {
			return 0, 0, fmt.Errorf("bad octal escape \\%s", s[:3])
		}
		n = n*8 + int(c-'0')
	}
	if n > 0xff {
		return 0, 0, fmt.Errorf("octal escape \\%s above \\377", s[:3])
	}
	return byte(n), 3, nil
}

// unquoteRoute53 splits a TXT value into its quoted character-strings.
func unquoteRoute53(v string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		if i == len(v) {
			break
		}
		if v[i] != '"' {
			return nil, errors.New("TXT value should be enclosed in quotation marks")
		}
		i++
		var b strings.Builder
		closed := false
		for i < len(v) {
			c := v[i]
			i++
			if c == '"' {
				closed = true
				break
			}
			if c == '\\' {
				n, adv, err := octalEscape(v[i:])
				if err != nil {
					return nil, err
				}
				c = n
				i += adv
			}
			b.WriteByte(c)
		}
		if !closed {
			return nil, errors.New("unterminated quoted string")
		}
		if b.Len() > MaxStringLen {
			return nil, fmt.Errorf("string of %d characters, more than %d", b.Len(), MaxStringLen)
		}
		out = append(out, b.String())
	}
	if len(out) == 0 {
		return nil, errors.New("empty TXT value")
	}
	return out, nil
}

// Route53Value formats one record's RDATA as a Route 53 Value: names
// absolute with a trailing dot, TXT strings quoted (strings over 255 bytes
// split) with \" \\ and \ooo octal escapes.
func Route53Value(rr RR) string { return route53Style.format(rr) }

// route53Style writes RDATA the way Route 53 takes it: names as route53Name
// does, octal escapes, and a TXT record without strings as one empty string
// (Route 53 refuses an empty value).
var route53Style = rdataStyle{
	name:      route53Name,
	quote:     func(s string) string { return quoteEscaped(s, `\%03o`) },
	emptyText: `""`,
}

// route53Name writes a name with a trailing dot and octal escapes for
// characters other than letters, digits, '-', '_' and '.', as Route 53
// returns names.
func route53Name(name string) string {
	if name == "" || name == "." {
		return "."
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, `\%03o`, c)
		}
	}
	b.WriteByte('.')
	return b.String()
}

// Route53RecordSets groups records into Route 53 record sets: one per name
// and type, in the order of the first record of each, with the TTL of that
// first record.
func Route53RecordSets(rrs []RR) []Route53RecordSet {
	type k struct {
		name string
		t    Type
	}
	index := map[k]int{}
	var out []Route53RecordSet
	for _, rr := range rrs {
		kk := k{key(rr.Name), rr.Type}
		i, ok := index[kk]
		if !ok {
			ttl := int64(rr.TTL)
			i = len(out)
			index[kk] = i
			out = append(out, Route53RecordSet{Name: route53Name(kk.name), Type: rr.Type.String(), TTL: &ttl})
		}
		out[i].ResourceRecords = append(out[i].ResourceRecords, Route53ResourceRecord{Value: Route53Value(rr)})
	}
	return out
}

// WriteRoute53 writes the zone in the shape list-resource-record-sets
// prints, {"ResourceRecordSets": [...]}, indented; ReadRoute53 reads it back
// to the same records.
func (z *Zone) WriteRoute53(w io.Writer) (int64, error) {
	doc := struct {
		ResourceRecordSets []Route53RecordSet `json:"ResourceRecordSets"`
	}{Route53RecordSets(z.Records())}
	if doc.ResourceRecordSets == nil {
		doc.ResourceRecordSets = []Route53RecordSet{}
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return 0, err
	}
	n, err := w.Write(slices.Concat(data, []byte("\n")))
	return int64(n), err
}
