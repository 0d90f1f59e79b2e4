package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/termsafe"
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
)

// fetcher is the HTTPS client check uses on live DNS: a client with
// timeouts and a header limit, wrapped by domainauth.HTTPFetcher, which
// refuses plain HTTP and never follows a redirect (RFC 8461 §3.3).
func (a *app) fetcher() domainauth.Fetcher {
	dial := a.httpDial
	if dial == nil {
		dial = (&net.Dialer{Timeout: fetchDialTimeout}).DialContext
	}
	tr := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            dial,
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
		return nil, fmt.Errorf("%s %s: larger than %d bytes", flag, termsafe.String(file), maxOfflineFile)
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}
