package zone

import (
	"fmt"
	"strings"
)

// token is one field of a master-file line, escapes decoded.
type token struct {
	text   string
	quoted bool
	dotEsc bool   // an escaped dot ("\." or "\046") was decoded into text
	raw    string // the field as written, quotes and escapes included
	line   int
	col    int
}

// entry is one logical line: the tokens of a record or directive, which
// parentheses may spread over several physical lines (RFC 1035 §5.1).
type entry struct {
	tokens     []token
	blankOwner bool // the line began with white space: the owner is the previous one
	line       int
}

// lexer splits a master file into entries.
type lexer struct {
	in        string
	pos       int
	line, col int
}

func (lx *lexer) errorf(line, col int, format string, args ...any) error {
	return &ParseError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// next returns the next non-empty entry, or nil at the end of the input.
func (lx *lexer) next() (*entry, error) {
	for lx.pos < len(lx.in) {
		e, err := lx.entry()
		if err != nil {
			return nil, err
		}
		if len(e.tokens) > 0 {
			return e, nil
		}
	}
	return nil, nil
}

// entry reads from the start of a physical line to the end of the logical
// line it begins.
func (lx *lexer) entry() (*entry, error) {
	e := &entry{line: lx.line}
	if lx.pos < len(lx.in) && (lx.in[lx.pos] == ' ' || lx.in[lx.pos] == '\t') {
		e.blankOwner = true
	}
	depth, openLine, openCol := 0, 0, 0
	for lx.pos < len(lx.in) {
		c := lx.in[lx.pos]
		switch c {
		case ' ', '\t', '\r':
			lx.advance(1)
		case '\n':
			lx.pos++
			lx.line++
			lx.col = 1
			if depth == 0 {
				return e, nil
			}
		case ';':
			for lx.pos < len(lx.in) && lx.in[lx.pos] != '\n' {
				lx.advance(1)
			}
		case '(':
			if depth > 0 {
				// RFC 1035 §5.1 groups one entry's data with one pair of
				// parentheses; nesting has no meaning, and is refused rather
				// than counted so that a file of 100,000 '(' says so.
				return nil, lx.errorf(lx.line, lx.col, "'(' inside parentheses opened at line %d column %d; parentheses do not nest", openLine, openCol)
			}
			openLine, openCol = lx.line, lx.col
			depth++
			lx.advance(1)
		case ')':
			if depth == 0 {
				return nil, lx.errorf(lx.line, lx.col, "')' without a matching '('")
			}
			depth--
			lx.advance(1)
		case '"':
			t, err := lx.quoted()
			if err != nil {
				return nil, err
			}
			e.tokens = append(e.tokens, t)
		default:
			t, err := lx.word()
			if err != nil {
				return nil, err
			}
			e.tokens = append(e.tokens, t)
		}
	}
	if depth > 0 {
		return nil, lx.errorf(openLine, openCol, "'(' is never closed")
	}
	return e, nil
}

func (lx *lexer) advance(n int) {
	lx.pos += n
	lx.col += n
}

// quoted reads a "quoted string" with \X and \DDD escapes.
func (lx *lexer) quoted() (token, error) {
	t := token{quoted: true, line: lx.line, col: lx.col}
	start := lx.pos
	lx.advance(1)
	var b strings.Builder
	for {
		if lx.pos >= len(lx.in) || lx.in[lx.pos] == '\n' {
			return t, lx.errorf(t.line, t.col, "quoted string is not closed on its line")
		}
		c := lx.in[lx.pos]
		if c == '"' {
			lx.advance(1)
			t.text = b.String()
			t.raw = lx.in[start:lx.pos]
			return t, nil
		}
		if c == '\\' {
			r, _, err := lx.escape()
			if err != nil {
				return t, err
			}
			b.WriteByte(r)
			continue
		}
		b.WriteByte(c)
		lx.advance(1)
	}
}

// word reads an unquoted field up to white space or a special character.
func (lx *lexer) word() (token, error) {
	t := token{line: lx.line, col: lx.col}
	start := lx.pos
	var b strings.Builder
	for lx.pos < len(lx.in) {
		c := lx.in[lx.pos]
		switch c {
		case ' ', '\t', '\r', '\n', ';', '(', ')', '"':
			t.text, t.raw = b.String(), lx.in[start:lx.pos]
			return t, nil
		case '\\':
			r, wasDot, err := lx.escape()
			if err != nil {
				return t, err
			}
			t.dotEsc = t.dotEsc || wasDot
			b.WriteByte(r)
		default:
			b.WriteByte(c)
			lx.advance(1)
		}
	}
	t.text, t.raw = b.String(), lx.in[start:lx.pos]
	return t, nil
}

// escape decodes \X or \DDD (RFC 1035 §5.1) at lx.pos.
func (lx *lexer) escape() (byte, bool, error) {
	line, col := lx.line, lx.col
	if lx.pos+1 >= len(lx.in) || lx.in[lx.pos+1] == '\n' {
		return 0, false, lx.errorf(line, col, "'\\' at the end of a line")
	}
	c := lx.in[lx.pos+1]
	if !isDigit(c) {
		lx.advance(2)
		return c, c == '.', nil
	}
	if lx.pos+3 >= len(lx.in) || !isDigit(lx.in[lx.pos+2]) || !isDigit(lx.in[lx.pos+3]) {
		return 0, false, lx.errorf(line, col, "escape \\DDD needs three decimal digits")
	}
	v := int(c-'0')*100 + int(lx.in[lx.pos+2]-'0')*10 + int(lx.in[lx.pos+3]-'0')
	if v > 255 {
		return 0, false, lx.errorf(line, col, "escape \\%s is more than 255", lx.in[lx.pos+1:lx.pos+4])
	}
	lx.advance(4)
	return byte(v), v == '.', nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
