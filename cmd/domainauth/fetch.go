package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/domainauth/domainauth"
)

// Bounds of the HTTPS fetches of check (the MTA-STS policy, the BIMI logo
// and certificate). The packages bound each body (64 KiB for a policy, 32
// KiB for a logo, 64 KiB for a certificate); these bound the time and the
// headers.
const (
	fetchTimeout       = 30 * time.Second // one fetch, from dialling to the last byte
	fetchDialTimeout   = 10 * time.Second
	fetchTLSTimeout    = 10 * time.Second
	fetchHeaderTimeout = 15 * time.Second
	fetchMaxHeader     = 64 << 10 // response header bytes
	fetchMaxAddrs      = 4        // addresses of one host tried in turn
)

// fetcher is the HTTPS client check uses on live DNS: a client with
// timeouts and a header limit, wrapped by domainauth.HTTPFetcher, which
// refuses plain HTTP and never follows a redirect (RFC 8461 §3.3). Host
// names are looked up through r, the resolver of the check (so
// --nameserver and --zone with --live-outside apply to them too).
func (a *app) fetcher(r domainauth.Resolver) domainauth.Fetcher {
	dial := a.httpDial
	if dial == nil {
		dial = (&net.Dialer{Timeout: fetchDialTimeout}).DialContext
	}
	tr := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            resolvingDial(r, dial),
		TLSClientConfig:        &tls.Config{RootCAs: a.httpRoots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    fetchTLSTimeout,
		ResponseHeaderTimeout:  fetchHeaderTimeout,
		MaxResponseHeaderBytes: fetchMaxHeader,
		DisableCompression:     true, // sizes are what the server sends
		MaxIdleConnsPerHost:    1,
		IdleConnTimeout:        fetchTimeout,
	}
	return domainauth.HTTPFetcher(&http.Client{Transport: tr, Timeout: fetchTimeout})
}

// resolvingDial returns a dialer that looks the host of addr up through r
// and dials its addresses with dial, at most fetchMaxAddrs of them in the
// order r gives, until one answers. The TLS layer still checks the
// certificate against the host name of the URL.
func resolvingDial(r domainauth.Resolver, dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if _, err := netip.ParseAddr(host); err == nil {
			return dial(ctx, network, addr)
		}
		ips, err := r.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("looking up %s: %w", host, err)
		}
		var first error
		for i, ip := range ips {
			if i == fetchMaxAddrs {
				break
			}
			c, err := dial(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
			if err == nil {
				return c, nil
			}
			first = cmp.Or(first, err)
		}
		return nil, cmp.Or(first, fmt.Errorf("%s has no address", host))
	}
}

// maxOfflineFile bounds the files of --mta-sts-policy, --bimi-svg and
// --bimi-cert; the packages hold them to their own, smaller limits.
const maxOfflineFile = 1 << 20

// readOfflineFile reads a file given for an offline check, at most
// maxOfflineFile bytes; "" gives nil.
func readOfflineFile(flag, file string) ([]byte, error) {
	if file == "" {
		return nil, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fileError(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxOfflineFile+1))
	if err != nil {
		return nil, fileError(err)
	}
	if len(b) > maxOfflineFile {
		return nil, fmt.Errorf("%s %s: larger than %d bytes", flag, file, maxOfflineFile)
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}
