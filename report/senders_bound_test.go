package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
)

// senderDoc returns a valid sender map document of exactly n bytes (n at
// least 64): one entry, padded with spaces before the closing brace.
func senderDoc(n int) []byte {
	doc := `{"senders": [{"name": "Acme", "domains": ["acme.example"]}]`
	return []byte(doc + strings.Repeat(" ", n-len(doc)-1) + "}")
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// endless is an endless run of spaces.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// TestSenderMapBytesBound: a sender map of DefaultMaxSenderMapBytes parses
// and one of a byte more fails with a *SenderMapError naming MaxBytes
// (ErrSenderMap and ErrLimit), through ParseSenders and ReadSenders, the
// latter reading no more than a byte past the bound of an endless input;
// SenderMapReader.MaxBytes replaces the default, and a negative value
// lifts it.
func TestSenderMapBytesBound(t *testing.T) {
	const def = DefaultMaxSenderMapBytes
	for _, tc := range []struct {
		name string
		sr   SenderMapReader
		size int
		ok   bool
	}{
		{"at the default", SenderMapReader{}, def, true},
		{"just past the default", SenderMapReader{}, def + 1, false},
		{"at a set bound", SenderMapReader{MaxBytes: 100}, 100, true},
		{"just past a set bound", SenderMapReader{MaxBytes: 100}, 101, false},
		{"no bound", SenderMapReader{MaxBytes: -1}, 2 * def, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := senderDoc(tc.size)
			parse := map[string]func() (*SenderMap, error){
				"Parse": func() (*SenderMap, error) { return tc.sr.Parse(doc) },
				"Read":  func() (*SenderMap, error) { return tc.sr.Read(bytes.NewReader(doc)) },
			}
			if tc.sr == (SenderMapReader{}) {
				parse["ParseSenders"] = func() (*SenderMap, error) { return ParseSenders(doc) }
				parse["ReadSenders"] = func() (*SenderMap, error) { return ReadSenders(bytes.NewReader(doc)) }
			}
			for name, p := range parse {
				m, err := p()
				if tc.ok {
					if err != nil || m.ByDomain("mail.acme.example") == nil {
						t.Errorf("%s of %d bytes: %v; want the map", name, tc.size, err)
					}
					continue
				}
				var e *SenderMapError
				if !errors.As(err, &e) || e.Limit != "MaxBytes" || !errors.Is(err, ErrSenderMap) || !errors.Is(err, ErrLimit) {
					t.Fatalf("%s of %d bytes: %v (%T); want a *SenderMapError of Limit MaxBytes wrapping ErrSenderMap and ErrLimit", name, tc.size, err, err)
				}
				if want := fmt.Sprintf("more than %d bytes", tc.size-1) + " (SenderMapReader.MaxBytes): keep the entries"; !strings.Contains(err.Error(), want) {
					t.Errorf("%s: message %q, want it to hold %q", name, err, want)
				}
			}
		})
	}
	t.Run("endless input", func(t *testing.T) {
		cr := &countingReader{r: io.MultiReader(bytes.NewReader(senderDoc(64)), endless{})}
		if _, err := ReadSenders(cr); !errors.Is(err, ErrLimit) {
			t.Errorf("ReadSenders of an endless input: %v, want ErrLimit", err)
		}
		if cr.n != def+1 {
			t.Errorf("ReadSenders read %d bytes of an endless input, want MaxBytes+1, %d", cr.n, def+1)
		}
	})
}

// TestSenderMapReadLargestBound: a MaxBytes of math.MaxInt64 reads the
// whole map (the byte read past the bound must not wrap the count round
// to a negative limit, which reads nothing).
func TestSenderMapReadLargestBound(t *testing.T) {
	m, err := SenderMapReader{MaxBytes: math.MaxInt64}.Read(bytes.NewReader(senderDoc(100)))
	if err != nil || m.ByDomain("mail.acme.example") == nil {
		t.Errorf("Read with MaxBytes math.MaxInt64: %v; want the map", err)
	}
}
