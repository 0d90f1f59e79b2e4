package store

import (
	"unicode/utf8"

	"github.com/domainauth/domainauth/report"
)

// appendDetail writes a record, less its source address and count (which
// have columns of their own), as the JSON of report.Record, without
// reflection: ingest writes one per record.
func appendDetail(b []byte, r *report.Record) []byte {
	field := func(name, v string, omitEmpty, sep bool) {
		if omitEmpty && v == "" {
			return
		}
		if sep {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		b = appendJSONString(b, v)
	}
	pe := &r.Row.PolicyEvaluated
	b = append(b, `{"row":{"policy_evaluated":{`...)
	field("disposition", string(pe.Disposition), false, false)
	field("dkim", string(pe.DKIM), false, true)
	field("spf", string(pe.SPF), false, true)
	if len(pe.Reasons) > 0 {
		b = append(b, `,"reason":[`...)
		for i, x := range pe.Reasons {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			field("type", string(x.Type), false, false)
			field("comment", x.Comment, true, true)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `}},"identifiers":{`...)
	id := &r.Identifiers
	field("header_from", id.HeaderFrom, false, false)
	field("envelope_from", id.EnvelopeFrom, true, true)
	field("envelope_to", id.EnvelopeTo, true, true)
	b = append(b, `},"auth_results":{`...)
	sep := false
	if ds := r.AuthResults.DKIM; len(ds) > 0 {
		b = append(b, `"dkim":[`...)
		for i, x := range ds {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			field("domain", x.Domain, false, false)
			field("selector", x.Selector, true, true)
			field("result", string(x.Result), false, true)
			field("human_result", x.HumanResult, true, true)
			b = append(b, '}')
		}
		b = append(b, ']')
		sep = true
	}
	if ss := r.AuthResults.SPF; len(ss) > 0 {
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"spf":[`...)
		for i, x := range ss {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			field("domain", x.Domain, false, false)
			field("scope", string(x.Scope), true, true)
			field("result", string(x.Result), false, true)
			field("human_result", x.HumanResult, true, true)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	if es := r.Extensions; len(es) > 0 {
		b = append(b, `,"extensions":[`...)
		for i, x := range es {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, x)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string; invalid UTF-8 becomes
// U+FFFD, as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
