package zone

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteTo writes the zone as an RFC 1035 master file: absolute names, an
// explicit TTL and class on every record, names ordered as in Records. TXT
// strings are quoted and escaped; the output parses back to the same records.
func (z *Zone) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	bw := bufio.NewWriter(cw)
	for _, rr := range z.Records() {
		bw.WriteString(FormatRR(rr))
		bw.WriteByte('\n')
	}
	err := bw.Flush()
	return cw.n, err
}

// String returns the zone as a master file, as WriteTo writes it.
func (z *Zone) String() string {
	var b strings.Builder
	z.WriteTo(&b)
	return b.String()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// FormatRR returns one record as a master-file line (without newline).
func FormatRR(rr RR) string {
	var b strings.Builder
	b.WriteString(absName(rr.Name))
	b.WriteByte('\t')
	b.WriteString(strconv.FormatUint(uint64(rr.TTL), 10))
	b.WriteString("\tIN\t")
	b.WriteString(rr.Type.String())
	b.WriteByte('\t')
	b.WriteString(FormatRData(rr))
	return strings.TrimRight(b.String(), "\t")
}

// FormatRData returns a record's RDATA in presentation form.
func FormatRData(rr RR) string { return masterStyle.format(rr) }

// rdataStyle says how names and character-strings are written: the
// master-file and Route 53 forms of RDATA differ only there.
type rdataStyle struct {
	name      func(string) string // an absolute name, with its trailing dot
	quote     func(string) string // one character-string, quoted and escaped
	emptyText string              // a TXT record that holds no strings
}

var masterStyle = rdataStyle{name: absName, quote: quote}

func (st rdataStyle) format(rr RR) string {
	switch rr.Type {
	case TypeA, TypeAAAA:
		return rr.Addr.String()
	case TypeCNAME, TypePTR, TypeNS:
		return st.name(rr.Target)
	case TypeMX:
		return strconv.Itoa(int(rr.Pref)) + " " + st.name(rr.Target)
	case TypeTXT, TypeSPF:
		if len(rr.Text) == 0 {
			return st.emptyText
		}
		parts := make([]string, 0, len(rr.Text))
		for _, s := range rr.Text {
			for _, chunk := range SplitString(s) {
				parts = append(parts, st.quote(chunk))
			}
		}
		return strings.Join(parts, " ")
	case TypeSOA:
		s := rr.SOA
		return fmt.Sprintf("%s %s %d %d %d %d %d", st.name(s.MName), st.name(s.RName),
			s.Serial, s.Refresh, s.Retry, s.Expire, s.Minimum)
	}
	return rr.Data
}

// absName writes a stored name (no trailing dot) as an absolute name.
func absName(name string) string {
	if name == "." || name == "" {
		return "."
	}
	return escapeWord(name) + "."
}

// quote returns s as a quoted character-string: '"' and '\' escaped, bytes
// outside printable ASCII as \DDD.
func quote(s string) string { return quoteEscaped(s, `\%03d`) }

// quoteEscaped quotes s, escaping '"' and '\' with a backslash and other
// bytes outside printable ASCII with esc (a decimal or octal \nnn verb).
func quoteEscaped(s, esc string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, esc, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// escapeWord escapes the characters that would end or change an unquoted
// field: white space, ; ( ) " \ and, at the start, $ and @.
func escapeWord(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c <= ' ' || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03d", c)
		case c == ';' || c == '(' || c == ')' || c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case i == 0 && (c == '$' || c == '@'):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
