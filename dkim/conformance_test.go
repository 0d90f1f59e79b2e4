package dkim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
)

type vectorFile struct {
	Vectors []struct {
		ID         string   `json:"id"`
		Message    string   `json:"message"`
		DNS        []string `json:"dns"`
		Now        *int64   `json:"now"`
		Signatures []struct {
			D        string `json:"d"`
			S        string `json:"s"`
			Expected string `json:"expected"`
			Reason   string `json:"reason"`
		} `json:"signatures"`
	} `json:"vectors"`
	KeyRecords []struct {
		File     string `json:"file"`
		Record   string `json:"record"`
		Expected string `json:"expected"`
		Reason   string `json:"reason"`
	} `json:"key_records"`
}

func loadVectors(t *testing.T) (string, *vectorFile) {
	dir := conformanceDir(t)
	var vf vectorFile
	if err := json.Unmarshal(readFile(t, filepath.Join(dir, "vectors.json")), &vf); err != nil {
		t.Fatal(err)
	}
	return dir, &vf
}

// failReasons pins down which failure each failing vector gives (the
// vectors only say "fail", which covers fail, permerror and temperror).
var failReasons = map[string]struct {
	status Status
	err    error
}{
	"rfc8463-a3-wrong-rsa-key":                 {StatusFail, ErrBadSignature},
	"rfc6376-a2-as-printed-key-at-example.org": {StatusPermError, ErrNoKey},
	"rfc6376-a2-as-printed":                    {StatusFail, ErrBodyHash},
	"rfc6376-a3-as-printed":                    {StatusFail, ErrBodyHash},
	"dkimpy-rfc6376-signed-rsa-corrupt-key":    {StatusPermError, ErrKeySyntax},
	"dkimpy-bad-domain":                        {StatusPermError, ErrSignatureSyntax},
}

// TestConformanceVerify runs every verification vector of
// ../shared/conformance/dkim with its DNS map and checks each signature's
// result (RFC 6376 §6, RFC 8463 Appendix A).
func TestConformanceVerify(t *testing.T) {
	dir, vf := loadVectors(t)
	var sigs, ok int
	for _, vec := range vf.Vectors {
		t.Run(vec.ID, func(t *testing.T) {
			r := &mapResolver{}
			for _, d := range vec.DNS {
				loadDNS(t, r, filepath.Join(dir, d))
			}
			v := &Verifier{Resolver: r}
			if vec.Now != nil {
				v.Clock = domainauth.FixedClock(time.Unix(*vec.Now, 0))
			}
			msg := readFile(t, filepath.Join(dir, vec.Message))
			got, err := v.Verify(context.Background(), bytes.NewReader(msg))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if len(got) != len(vec.Signatures) {
				t.Fatalf("%d results, want %d", len(got), len(vec.Signatures))
			}
			for i, want := range vec.Signatures {
				sigs++
				g := got[i]
				if g.Domain != want.D || g.Selector != want.S {
					t.Errorf("sig %d: d=%s s=%s, want d=%s s=%s", i, g.Domain, g.Selector, want.D, want.S)
				}
				pass := g.Status == StatusPass
				if pass != (want.Expected == "pass") {
					t.Errorf("sig %d (d=%s s=%s): %v (%v), want %s (%s)", i, g.Domain, g.Selector, g.Status, g.Err, want.Expected, want.Reason)
					continue
				}
				if want.Expected != "pass" {
					fr, known := failReasons[vec.ID]
					if !known || g.Status != fr.status || !errors.Is(g.Err, fr.err) {
						t.Errorf("sig %d: %v (%v), want %v (%v)", i, g.Status, g.Err, fr.status, fr.err)
						continue
					}
				}
				ok++
				t.Logf("sig %d d=%s s=%s: %v %v", i, g.Domain, g.Selector, g.Status, g.Err)
			}
		})
	}
	t.Logf("%d of %d signatures as expected in %d vectors", ok, sigs, len(vf.Vectors))
}

// TestConformanceKeyRecords checks every key record of the vectors:
// valid ones parse and are usable, the others are refused by
// ParseKeyRecord or by KeyRecord.Usable (RFC 6376 §3.6.1, RFC 8301 §3.2).
func TestConformanceKeyRecords(t *testing.T) {
	_, vf := loadVectors(t)
	for _, kr := range vf.KeyRecords {
		t.Run(kr.File, func(t *testing.T) {
			k, err := ParseKeyRecord(kr.Record)
			var usable error
			if err == nil {
				usable = k.Usable()
			}
			switch kr.Expected {
			case "valid":
				if err != nil || usable != nil {
					t.Errorf("ParseKeyRecord(%q) = %v, usable %v; want valid (%s)", kr.Record, err, usable, kr.Reason)
				}
				// The round trip keeps the key.
				k2, err := ParseKeyRecord(k.String())
				if err != nil || !keyRecordsEqual(k, k2) {
					t.Errorf("round trip of %q via %q: %v", kr.Record, k.String(), err)
				}
			case "invalid", "discard":
				if !errors.Is(err, ErrKeySyntax) {
					t.Errorf("ParseKeyRecord(%q) = %v, want ErrKeySyntax (%s)", kr.Record, err, kr.Reason)
				}
			case "unusable":
				if !errors.Is(err, ErrKeyUnknownType) {
					t.Errorf("ParseKeyRecord(%q) = %v, want ErrKeyUnknownType (%s)", kr.Record, err, kr.Reason)
				}
			case "not-for-email":
				if err != nil || !errors.Is(usable, ErrKeyMismatch) {
					t.Errorf("ParseKeyRecord(%q) = %v, usable %v; want ErrKeyMismatch (%s)", kr.Record, err, usable, kr.Reason)
				}
			case "too-short":
				if err != nil || !errors.Is(usable, ErrKeyTooShort) {
					t.Errorf("ParseKeyRecord(%q) = %v, usable %v; want ErrKeyTooShort (%s)", kr.Record, err, usable, kr.Reason)
				}
			default:
				t.Fatalf("unknown expectation %q", kr.Expected)
			}
			if t.Failed() {
				return
			}
			t.Logf("%s: err=%v usable=%v", strings.TrimSpace(kr.Expected), err, usable)
		})
	}
}
