package web

import (
	"net"
	"net/netip"
	"strconv"
	"testing"
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
