package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/google/go-cmp/cmp"
)

// FuzzDecodeFailure: the failure report decoder never panics and fails
// only with a *DecodeError; what it decodes, EncodeFailure writes (when
// the report is complete) and the decoder reads back the same.
func FuzzDecodeFailure(f *testing.F) {
	f.Add([]byte(failureMessage(okFeedback, "From: a@a.example")))
	f.Add([]byte(okFeedback))
	var buf bytes.Buffer
	EncodeFailure(&buf, sampleFailure(f), FailureEmail{From: "r@receiver.example", Date: time.Unix(0, 0)})
	f.Add(buf.Bytes())
	if p := shared.Find("conformance", "dmarc-failure"); p != "" {
		filepath.WalkDir(p, func(path string, de os.DirEntry, err error) error {
			if err == nil && !de.IsDir() && filepath.Ext(path) == ".eml" {
				if b, err := os.ReadFile(path); err == nil {
					f.Add(b)
				}
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := Decoder{MaxArchiveSize: 1 << 20, MaxRecordEntries: 1000}
		got, err := dec.DecodeFailure(bytes.NewReader(data))
		if err != nil {
			if _, ok := errors.AsType[*DecodeError](err); !ok {
				t.Fatalf("error is not a *DecodeError: %T %v", err, err)
			}
			return
		}
		var out bytes.Buffer
		if err := EncodeFailure(&out, got, FailureEmail{From: "r@receiver.example", Date: time.Unix(0, 0)}); err != nil {
			if !errors.Is(err, ErrIncompleteFailure) {
				t.Fatalf("encode: %v", err)
			}
			return
		}
		again, err := dec.DecodeFailure(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("the encoded report does not decode: %v\n%s", err, out.Bytes())
		}
		if d := cmp.Diff(roundTripView(got), roundTripView(again), failureCmp); d != "" {
			t.Fatalf("round trip (-decoded +re-decoded):\n%s\n%s", d, out.Bytes())
		}
	})
}
