package store

import (
	"encoding/json"
	"errors"
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

// errDetailShape: the stored JSON is not in the shape appendDetail writes
// (written by another version, or edited); the caller falls back to
// encoding/json.
var errDetailShape = errors.New("store: record JSON of another shape")

// detailParser reads what appendDetail writes, several times faster than
// encoding/json: objects, arrays and strings only, keys in any order.
type detailParser struct {
	s string
	i int
}

func (p *detailParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *detailParser) byte(c byte) bool {
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *detailParser) str() (string, error) {
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", errDetailShape
	}
	start := p.i + 1
	ascii := true
	for j := start; j < len(p.s); j++ {
		c := p.s[j]
		if c < 0x20 {
			return "", errDetailShape
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
		switch c {
		case '"':
			if !ascii && !utf8.ValidString(p.s[start:j]) {
				return "", errDetailShape
			}
			p.i = j + 1
			return p.s[start:j], nil
		case '\\':
			// Escapes are rare: let encoding/json read this string.
			end := j
			for end < len(p.s) {
				if p.s[end] == '\\' {
					end += 2
					continue
				}
				if p.s[end] == '"' {
					break
				}
				end++
			}
			if end >= len(p.s) {
				return "", errDetailShape
			}
			var v string
			if err := json.Unmarshal([]byte(p.s[start-1:end+1]), &v); err != nil {
				return "", errDetailShape
			}
			p.i = end + 1
			return v, nil
		}
	}
	return "", errDetailShape
}

// object calls field for each key; field reads the value.
func (p *detailParser) object(field func(key string) error) error {
	if !p.byte('{') {
		return errDetailShape
	}
	if p.byte('}') {
		return nil
	}
	for {
		k, err := p.str()
		if err != nil {
			return err
		}
		if !p.byte(':') {
			return errDetailShape
		}
		if err := field(k); err != nil {
			return err
		}
		if p.byte('}') {
			return nil
		}
		if !p.byte(',') {
			return errDetailShape
		}
	}
}

// array calls elem for each element.
func (p *detailParser) array(elem func() error) error {
	if !p.byte('[') {
		return errDetailShape
	}
	if p.byte(']') {
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if p.byte(']') {
			return nil
		}
		if !p.byte(',') {
			return errDetailShape
		}
	}
}

// strField names where strings puts an object's member.
type strField struct {
	name string
	dst  *string
}

// strings reads an object of string members into the named fields (a
// handful: a linear search, and no map to allocate per object on the
// read path of every stored record).
func (p *detailParser) strings(fields ...strField) error {
	return p.object(func(k string) error {
		v, err := p.str()
		if err != nil {
			return err
		}
		for _, f := range fields {
			if f.name == k {
				*f.dst = v
				return nil
			}
		}
		return errDetailShape
	})
}

// parseDetail fills r from appendDetail's JSON.
func parseDetail(s string, r *report.Record) error {
	p := &detailParser{s: s}
	pe := &r.Row.PolicyEvaluated
	err := p.object(func(k string) error {
		switch k {
		case "row":
			return p.object(func(k string) error {
				if k != "policy_evaluated" {
					return errDetailShape
				}
				var disp, dk, sp string
				err := p.object(func(k string) error {
					var err error
					switch k {
					case "disposition":
						disp, err = p.str()
					case "dkim":
						dk, err = p.str()
					case "spf":
						sp, err = p.str()
					case "reason":
						err = p.array(func() error {
							var typ, comment string
							if err := p.strings(strField{"type", &typ}, strField{"comment", &comment}); err != nil {
								return err
							}
							pe.Reasons = append(pe.Reasons, report.PolicyOverrideReason{Type: report.OverrideType(typ), Comment: comment})
							return nil
						})
					default:
						err = errDetailShape
					}
					return err
				})
				pe.Disposition, pe.DKIM, pe.SPF = report.Disposition(disp), report.DMARCResult(dk), report.DMARCResult(sp)
				return err
			})
		case "identifiers":
			id := &r.Identifiers
			return p.strings(strField{"header_from", &id.HeaderFrom}, strField{"envelope_from", &id.EnvelopeFrom}, strField{"envelope_to", &id.EnvelopeTo})
		case "auth_results":
			return p.object(func(k string) error {
				switch k {
				case "dkim":
					return p.array(func() error {
						var d, sel, res, hr string
						if err := p.strings(strField{"domain", &d}, strField{"selector", &sel}, strField{"result", &res}, strField{"human_result", &hr}); err != nil {
							return err
						}
						r.AuthResults.DKIM = append(r.AuthResults.DKIM, report.DKIMAuthResult{Domain: d, Selector: sel,
							Result: report.DKIMResult(res), HumanResult: hr})
						return nil
					})
				case "spf":
					return p.array(func() error {
						var d, scope, res, hr string
						if err := p.strings(strField{"domain", &d}, strField{"scope", &scope}, strField{"result", &res}, strField{"human_result", &hr}); err != nil {
							return err
						}
						r.AuthResults.SPF = append(r.AuthResults.SPF, report.SPFAuthResult{Domain: d, Scope: report.SPFScope(scope),
							Result: report.SPFResult(res), HumanResult: hr})
						return nil
					})
				}
				return errDetailShape
			})
		case "extensions":
			return p.array(func() error {
				v, err := p.str()
				r.Extensions = append(r.Extensions, v)
				return err
			})
		}
		return errDetailShape
	})
	if err == nil {
		p.ws()
		if p.i != len(p.s) {
			err = errDetailShape
		}
	}
	return err
}
