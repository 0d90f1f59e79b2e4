package web

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestURLPrintsListenAddress: the URL the command prints names the host
// as given on --listen (0.0.0.0 used to print as [::], the dual-stack
// socket's address), brackets an IPv6 address and only that, and carries
// the port bound.
func TestURLPrintsListenAddress(t *testing.T) {
	tcp := func(s string) net.Addr { return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(s)) }
	cases := []struct {
		name, scheme, listen string
		bound                net.Addr
		want                 string
	}{
		{"IPv4 wildcard on a dual-stack socket", "http", "0.0.0.0:8080", tcp("[::]:8080"), "http://0.0.0.0:8080/"},
		{"loopback, port picked", "http", "127.0.0.1:0", tcp("127.0.0.1:41234"), "http://127.0.0.1:41234/"},
		{"localhost", "https", "localhost:8443", tcp("127.0.0.1:8443"), "https://localhost:8443/"},
		{"IPv6 loopback", "http", "[::1]:8080", tcp("[::1]:8080"), "http://[::1]:8080/"},
		{"IPv6 wildcard", "http", "[::]:8080", tcp("[::]:8080"), "http://[::]:8080/"},
		{"IPv6 with a zone", "http", "[fe80::1%eth0]:8080", tcp("[fe80::1%eth0]:8080"), "http://[fe80::1%25eth0]:8080/"},
		{"no host: the address bound", "http", ":8080", tcp("[::]:8080"), "http://[::]:8080/"},
		{"no host, IPv4 only", "http", ":8080", tcp("0.0.0.0:8080"), "http://0.0.0.0:8080/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := baseURL(tc.scheme, tc.listen, tc.bound); got != tc.want {
				t.Errorf("baseURL(%q, %q, %v) = %q, want %q", tc.scheme, tc.listen, tc.bound, got, tc.want)
			}
		})
	}

	// A real server on 0.0.0.0 (behind a TLS proxy, with a token).
	st, _ := openStore(t)
	s, err := Listen(Config{Store: st, Listen: "0.0.0.0:0", Token: testToken, BehindTLSProxy: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.ln.Close()
	_, port, _ := net.SplitHostPort(s.Addr().String())
	if p, err := strconv.Atoi(port); err != nil || p == 0 {
		t.Fatalf("bound port %q", port)
	}
	if got, want := s.URL(), "http://0.0.0.0:"+port+"/"; got != want {
		t.Errorf("listening on 0.0.0.0:0, URL() = %q, want %q", got, want)
	}
}

// startServer listens with cfg and serves until the returned cancel is
// called (at the latest when the test ends); Serve's result arrives on
// the channel.
func startServer(t *testing.T, cfg Config) (*Server, context.CancelFunc, <-chan error) {
	t.Helper()
	s, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	return s, cancel, served
}

// serveResult waits up to within for Serve's result.
func serveResult(t *testing.T, served <-chan error, within time.Duration) error {
	t.Helper()
	select {
	case err := <-served:
		return err
	case <-time.After(within):
		t.Fatalf("Serve did not return within %v", within)
		return nil
	}
}

// blockingStore holds every Domains query until released: a request in
// flight for as long as a test needs.
type blockingStore struct {
	Store
	entered chan struct{} // one value per query that started
	release chan struct{} // closed to let them finish
	once    sync.Once
}

// done lets the queries finish.
func (s *blockingStore) done() { s.once.Do(func() { close(s.release) }) }

func (s *blockingStore) Domains(ctx context.Context, limit int) ([]string, error) {
	s.entered <- struct{}{}
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.Store.Domains(ctx, limit)
}

// answer is a response or the error that came instead.
type answer struct {
	resp *http.Response
	err  error
}

// startBlocked serves a blockingStore with the given shutdown timeout,
// starts a request that blocks in the store, and returns the server, the
// store, the cancel of Serve's context, Serve's result and the request's.
func startBlocked(t *testing.T, timeout time.Duration) (*Server, *blockingStore, context.CancelFunc, <-chan error, <-chan answer) {
	t.Helper()
	st, _ := openStore(t, fixture()...)
	bs := &blockingStore{Store: st, entered: make(chan struct{}, 1), release: make(chan struct{})}
	t.Cleanup(bs.done)
	s, cancel, served := startServer(t, Config{Store: bs, Listen: "127.0.0.1:0", ShutdownTimeout: timeout})
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.Get(s.URL() + "api/domains")
		answered <- answer{resp, err}
	}()
	select {
	case <-bs.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the request did not reach the store")
	}
	return s, bs, cancel, served, answered
}

// refused waits until a new connection to addr is refused: the listener
// has closed.
func refused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections after shutdown began", addr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestGracefulShutdownFinishesRequestInFlight: once shutdown begins, new
// connections are refused, while the request in flight goes on, answers
// 200 with its data, and only then does Serve return (nil).
func TestGracefulShutdownFinishesRequestInFlight(t *testing.T) {
	s, bs, cancel, served, answered := startBlocked(t, 10*time.Second)
	cancel()
	refused(t, s.Addr().String())
	if _, err := http.Get(s.URL() + "healthz"); err == nil {
		t.Errorf("a new request was answered after shutdown began")
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	bs.done()
	a := <-answered
	if a.err != nil {
		t.Fatalf("the request in flight: %v", a.err)
	}
	resp := a.resp
	var domains []string
	err := json.NewDecoder(resp.Body).Decode(&domains)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil || !slices.Contains(domains, "example.org") {
		t.Errorf("the request in flight: status %d, domains %q (%v)", resp.StatusCode, domains, err)
	}
	if err := serveResult(t, served, 10*time.Second); err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// TestGracefulShutdownTimeout: a request that outlasts ShutdownTimeout
// does not hold the shutdown: Serve returns within the timeout (plus
// scheduling slack) with an error wrapping context.DeadlineExceeded, and
// the request's connection is closed.
func TestGracefulShutdownTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	s, _, cancel, served, answered := startBlocked(t, timeout)
	start := time.Now()
	cancel()
	refused(t, s.Addr().String())
	err := serveResult(t, served, timeout+10*time.Second)
	took := time.Since(start)
	t.Logf("Serve returned after %v", took)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve: %v, want an error wrapping context.DeadlineExceeded", err)
	}
	if took < timeout || took > timeout+5*time.Second {
		t.Errorf("Serve returned %v after shutdown began; the timeout is %v", took, timeout)
	}
	select {
	case a := <-answered:
		if a.err == nil {
			a.resp.Body.Close()
			t.Errorf("the request cut off by the shutdown answered %d", a.resp.StatusCode)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the request cut off by the shutdown still hangs")
	}
}
