package report

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/google/go-cmp/cmp"
)

// fuzzSeeds adds the conformance samples (when present) and hand-made
// inputs to a corpus.
func fuzzSeeds(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add(gz([]byte(minimal)))
	f.Add([]byte(replace("<feedback>", `<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">`, "<email>dmarc@receiver.example", "<email><a@b>")))
	f.Add([]byte(minimal[:300]))
	f.Add([]byte("<feedback><record><row><count>1</count></row></record></feedback>"))
	f.Add([]byte("<a><feedback><!-- c --><![CDATA[x]]><?pi x?><version>&#x31;.0</version></feedback>"))
	f.Add(genBytes(3))
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10 {
		f.Add(randomDoc(rng))
	}
	if p := shared.Find("conformance", "dmarc-aggregate"); p != "" {
		filepath.WalkDir(p, func(path string, de os.DirEntry, err error) error {
			if err == nil && !de.IsDir() && !strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".md") {
				if b, err := os.ReadFile(path); err == nil && len(b) < 64<<10 {
					f.Add(b)
				}
			}
			return nil
		})
	}
}

// FuzzDecode: Decode never panics and stays within its limits on arbitrary
// bytes; whatever decodes survives Encode/Decode as its Normalize form in
// both schemas.
func FuzzDecode(f *testing.F) {
	fuzzSeeds(f)
	dec := Decoder{MaxDocumentSize: 4 << 20, MaxArchiveSize: 1 << 20, MaxRecords: 1000, MaxElementSize: 64 << 10}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := dec.Decode(bytes.NewReader(data))
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error is not a *DecodeError: %T %v", err, err)
			}
			return
		}
		if len(a.Records) == 0 {
			return
		}
		for _, s := range []Schema{SchemaRFC9990, SchemaRFC7489} {
			e := Encoder{Schema: s}
			b, err := e.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%v: encoded report does not decode: %v\n%s", s, err, b)
			}
			want := e.Normalize(a)
			if d := cmp.Diff(want, got, cmpOpts); d != "" {
				t.Fatalf("%v: round trip (-normalized +decoded):\n%s\nencoded:\n%s", s, d, b)
			}
		}
	})
}

// FuzzDifferential: on well-formed documents the purpose-built scanner
// agrees with encoding/xml.
func FuzzDifferential(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		differential(t, data)
	})
}

// FuzzDecodeDefaultLimits: the zero Decoder, with every default limit
// (1,000,000 records, 1 GiB documents, ...), never panics and fails only
// with a *DecodeError; FuzzDecode's reduced limits hid the record-chunking
// overflow at 55,280 records. The seeds include a report past that count.
func FuzzDecodeDefaultLimits(f *testing.F) {
	fuzzSeeds(f)
	f.Add(gz(tinyRecords(60_001)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var dec Decoder
		a, err := dec.Decode(bytes.NewReader(data))
		if err != nil {
			if _, ok := errors.AsType[*DecodeError](err); !ok {
				t.Fatalf("error is not a *DecodeError: %T %v", err, err)
			}
			return
		}
		// The sum saturates, so it is never below one of its terms.
		total := a.Messages()
		if i := slices.IndexFunc(a.Records, func(r Record) bool { return r.Row.Count > total }); i >= 0 {
			t.Fatalf("record %d counts %d, more than the total %d", i, a.Records[i].Row.Count, total)
		}
	})
}
