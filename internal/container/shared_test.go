package container_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/container"
	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/tlsrpt"
)

// TestSentinelsWrapSharedKinds: each package's sentinels match the shared
// kinds, and its decoding errors match both.
func TestSentinelsWrapSharedKinds(t *testing.T) {
	for _, c := range []struct {
		name        string
		pkg, shared error
	}{
		{"report empty", report.ErrEmpty, container.ErrEmpty},
		{"report not report", report.ErrNotReport, container.ErrNotReport},
		{"report limit", report.ErrLimit, container.ErrLimit},
		{"report container", report.ErrContainer, container.ErrContainer},
		{"tlsrpt empty", tlsrpt.ErrEmpty, container.ErrEmpty},
		{"tlsrpt not report", tlsrpt.ErrNotReport, container.ErrNotReport},
		{"tlsrpt limit", tlsrpt.ErrLimit, container.ErrLimit},
		{"tlsrpt container", tlsrpt.ErrContainer, container.ErrContainer},
	} {
		if !errors.Is(c.pkg, c.shared) {
			t.Errorf("%s: %v does not wrap %v", c.name, c.pkg, c.shared)
		}
	}
	if errors.Is(report.ErrTruncated, container.ErrContainer) || errors.Is(tlsrpt.ErrSyntax, container.ErrNotReport) {
		t.Error("a package's own kind matches a shared one")
	}
	_, err := report.Decode(strings.NewReader("\x1f\x8b\x08\x00junk"))
	if !errors.Is(err, report.ErrContainer) || !errors.Is(err, container.ErrContainer) {
		t.Errorf("report: %v", err)
	}
	_, err = tlsrpt.Decode(strings.NewReader("\x1f\x8b\x08\x00junk"))
	if !errors.Is(err, tlsrpt.ErrContainer) || !errors.Is(err, container.ErrContainer) {
		t.Errorf("tlsrpt: %v", err)
	}
}

func TestMessage(t *testing.T) {
	got := container.Message("report", "email/zip", "line 7", "feedback/record", "bad", "MaxDepth", errors.New("cause"))
	if want := "report: email/zip: line 7: feedback/record: bad (Decoder.MaxDepth): cause"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	if got := container.Message("tlsrpt", "", "", "", "bad", "", nil); got != "tlsrpt: bad" {
		t.Fatalf("%q", got)
	}
}

func TestBound(t *testing.T) {
	for _, c := range []struct {
		v, want int
	}{{0, 10}, {3, 3}, {-1, math.MaxInt}} {
		d := 10
		container.Bound(c.v, &d)
		if d != c.want {
			t.Errorf("Bound(%d) = %d, want %d", c.v, d, c.want)
		}
		d64 := int64(10)
		container.Bound64(int64(c.v), &d64)
		if c.v < 0 && d64 != math.MaxInt64 || c.v >= 0 && d64 != int64(c.want) {
			t.Errorf("Bound64(%d) = %d", c.v, d64)
		}
	}
}
