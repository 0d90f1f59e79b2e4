package domainauth_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
)

// net.DefaultResolver must satisfy Resolver as it is: the whole design rests on it.
var _ domainauth.Resolver = net.DefaultResolver
var _ domainauth.Resolver = (*net.Resolver)(nil)

func TestClassify(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want domainauth.ErrorKind
	}{
		{"nil", nil, nil, domainauth.ErrorKindOK},
		{"nxdomain", nil, domainauth.NotFoundError("x.example"), domainauth.ErrorKindNotFound},
		{"wrapped nxdomain", nil, fmt.Errorf("spf: %w", domainauth.NotFoundError("x")), domainauth.ErrorKindNotFound},
		{"servfail", nil, domainauth.TemporaryError("x", "server misbehaving"), domainauth.ErrorKindTemporary},
		{"timeout", nil, domainauth.TimeoutError("x"), domainauth.ErrorKindTemporary},
		{"plain error", nil, errors.New("boom"), domainauth.ErrorKindTemporary},
		{"ctx canceled error", nil, context.Canceled, domainauth.ErrorKindCanceled},
		{"deadline wrapped", nil, fmt.Errorf("lookup: %w", context.DeadlineExceeded), domainauth.ErrorKindCanceled},
		{"caller ctx done", done, domainauth.TimeoutError("x"), domainauth.ErrorKindCanceled},
		{"live ctx", context.Background(), domainauth.NotFoundError("x"), domainauth.ErrorKindNotFound},
		{"DNSError wrapping the deadline", nil, &net.DNSError{Err: "i/o timeout", IsTimeout: true, UnwrapErr: context.DeadlineExceeded}, domainauth.ErrorKindCanceled},
		{"not-found DNSError joined with cancellation", nil, errors.Join(context.Canceled, domainauth.NotFoundError("x")), domainauth.ErrorKindCanceled},
		{"not-found DNSError, not a pointer chain", nil, net.UnknownNetworkError("tcp9"), domainauth.ErrorKindTemporary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domainauth.Classify(tt.ctx, tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestIsNotFound(t *testing.T) {
	if !domainauth.IsNotFound(domainauth.NotFoundError("a")) {
		t.Error("NotFoundError not classified as not found")
	}
	if domainauth.IsNotFound(domainauth.TemporaryError("a", "x")) || domainauth.IsNotFound(nil) {
		t.Error("temporary or nil error classified as not found")
	}
}

func TestErrorKindString(t *testing.T) {
	for k, want := range map[domainauth.ErrorKind]string{
		domainauth.ErrorKindOK: "ok", domainauth.ErrorKindNotFound: "not-found",
		domainauth.ErrorKindTemporary: "temporary", domainauth.ErrorKindCanceled: "canceled", 99: "unknown",
	} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", k, got, want)
		}
	}
}

func TestNow(t *testing.T) {
	fixed := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	if got := domainauth.Now(domainauth.FixedClock(fixed)); !got.Equal(fixed) {
		t.Errorf("FixedClock: got %v", got)
	}
	if got := domainauth.Now(domainauth.ClockFunc(func() time.Time { return fixed })); !got.Equal(fixed) {
		t.Errorf("ClockFunc: got %v", got)
	}
	before := time.Now()
	if got := domainauth.Now(nil); got.Before(before) {
		t.Errorf("nil clock gave %v, before %v", got, before)
	}
}

func TestClassifyDoesNotAllocate(t *testing.T) {
	err := error(fmt.Errorf("spf: %w", domainauth.NotFoundError("x.example")))
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() { domainauth.Classify(ctx, err) }); n != 0 {
		t.Errorf("Classify allocated %v times", n)
	}
}

func BenchmarkClassify(b *testing.B) {
	err := error(domainauth.NotFoundError("x.example"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if domainauth.Classify(ctx, err) != domainauth.ErrorKindNotFound {
			b.Fatal("not NotFound")
		}
	}
}
