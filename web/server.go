package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/store"
)

// Defaults for Config's zero fields.
const (
	// DefaultListen is the address the dashboard listens on: the loopback
	// address only, so nothing else on the network can reach it.
	DefaultListen = "127.0.0.1:8080"
	// DefaultTopSources is the number of failing sources on the overview.
	DefaultTopSources = 20
	// DefaultMaxRows bounds the rows of one table, on a page or in an
	// export (CSV, JSON): the memory and output size of one request.
	DefaultMaxRows = 10_000
	// DefaultMaxDays bounds the days of a date-range filter (and so the
	// bars of a chart).
	DefaultMaxDays = 1_000
	// DefaultShutdownTimeout is how long a graceful shutdown waits for
	// requests in flight.
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultRequestTimeout bounds the time one request may take,
	// store queries included.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultMaxSessions bounds the login sessions kept in memory.
	DefaultMaxSessions = 1_000
	// DefaultPageReports is the number of reports listed on the overview
	// and on a source's page (the newest first; the export has the rest,
	// up to MaxRows).
	DefaultPageReports = 50
	// DefaultPageTLSFailures is the number of failure groups listed on
	// the TLS page (those with the most failed sessions; the export has
	// the rest, up to MaxRows).
	DefaultPageTLSFailures = 50
	// DefaultPageDomains is the number of policy domains offered in the
	// domain list of the overview's and the TLS page's filter: enough for
	// any one operator's domains, few enough for a list to render (one
	// TLS report may name a million).
	DefaultPageDomains = 500
	// DefaultPageOrgs is the number of reporting organisations offered
	// in the overview filter's list and listed in its table of
	// reporters (every report may name another).
	DefaultPageOrgs = 500
	// DefaultPagePolicies is the number of published policies listed on
	// the overview (every report may publish another).
	DefaultPagePolicies = 100
	// DefaultMaxDNSQueries bounds the DNS queries that name the sources
	// of one page, PTR and forward together: a PTR query and a forward
	// query for each of the DefaultTopSources sources, with room for
	// more names.
	DefaultMaxDNSQueries = 100
	// DefaultMaxPTRNames is how many PTR names of one address are
	// forward-confirmed; the first confirmed one is shown.
	DefaultMaxPTRNames = 3
	// MinTokenLength is the shortest access token accepted (bytes).
	MinTokenLength = 16
	// TokenEnv is the environment variable the command reads the access
	// token from when --token is not given.
	TokenEnv = "DOMAINAUTH_TOKEN"
)

// maxHeaderBytes bounds a request's header: the dashboard's requests are
// small GETs.
const maxHeaderBytes = 16 << 10

// Config configures the dashboard. The zero value with a Store serves on
// DefaultListen without a token.
type Config struct {
	// Store answers the queries. Required.
	Store Store
	// Listen is the host:port to listen on. If "", DefaultListen. An
	// address other than a loopback one (127.0.0.0/8, ::1, "localhost")
	// is refused unless Token is set and either TLSCert/TLSKey are given
	// or BehindTLSProxy is set (see CheckAddress).
	Listen string
	// Token, when set, is required on every request but the health check
	// and the static assets: as "Authorization: Bearer TOKEN" or through
	// the login form, which sets a cookie. It is never accepted in a URL.
	// At least MinTokenLength bytes.
	Token string
	// MaxSessions bounds the login sessions the server keeps (each
	// lives 12 hours, or until its logout): when full, a new login ends
	// the oldest. If zero, DefaultMaxSessions.
	MaxSessions int
	// TLSCert and TLSKey are PEM files; both or neither.
	TLSCert, TLSKey string
	// BehindTLSProxy says that a TLS-terminating proxy is in front: the
	// dashboard speaks plain HTTP but marks its cookie Secure and sends
	// Strict-Transport-Security.
	BehindTLSProxy bool
	// TopSources is the number of failing sources on the overview. If
	// zero, DefaultTopSources.
	TopSources int
	// PageReports is the number of reports listed on the overview and on
	// a source's page; the page says when there are more. If zero,
	// DefaultPageReports; at most store.MaxLimit-1 (a larger value is
	// taken as that): the page asks the store for one more than it
	// shows, to know whether there are more, and the store returns at
	// most store.MaxLimit.
	PageReports int
	// PageTLSFailures is the number of failure groups listed on the TLS
	// page; the page says when there are more. If zero,
	// DefaultPageTLSFailures; at most store.MaxLimit-1, as PageReports.
	PageTLSFailures int
	// PageDomains is the number of policy domains offered in the domain
	// list of the overview's and the TLS page's filter, the first by
	// name; the page says when there are more (any domain can still be
	// chosen in the address, ?domain=NAME). If zero, DefaultPageDomains;
	// at most store.MaxLimit-1, as PageReports.
	PageDomains int
	// PageOrgs is the number of reporting organisations the overview
	// offers in its filter's list (the first by name; any can still be
	// chosen in the address, ?org=NAME) and lists in its table of
	// reporters (those with the most messages); the page says when there
	// are more. If zero, DefaultPageOrgs; at most store.MaxLimit-1, as
	// PageReports.
	PageOrgs int
	// PagePolicies is the number of published policies the overview
	// lists (those seen last); the page says when there are more. If
	// zero, DefaultPagePolicies; at most store.MaxLimit-1, as
	// PageReports.
	PagePolicies int
	// MaxRows bounds the rows of one table or export. If zero,
	// DefaultMaxRows. The store answers at most store.MaxLimit rows a
	// query, so a larger value lists no more.
	MaxRows int
	// MaxDays bounds the days a date-range filter may span. If zero,
	// DefaultMaxDays.
	MaxDays int
	// RequestTimeout bounds one request. If zero, DefaultRequestTimeout.
	RequestTimeout time.Duration
	// ShutdownTimeout bounds a graceful shutdown. If zero,
	// DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Resolver, when set, names the sources on the pages by their
	// forward-confirmed PTR names and the providers those names belong to
	// (report.Enricher and report.DefaultSenders; at most MaxDNSQueries
	// queries per page, 8 at once). If nil, no names.
	Resolver domainauth.Resolver
	// DNSTimeout bounds the lookups of one page. If zero,
	// DefaultDNSTimeout.
	DNSTimeout time.Duration
	// MaxDNSQueries bounds the DNS queries of one page (PTR and forward
	// together); the sources past it are left unnamed, and the page says
	// how many. If zero, DefaultMaxDNSQueries.
	MaxDNSQueries int
	// MaxPTRNames bounds the PTR names of one address that are
	// forward-confirmed; the rest are ignored. If zero,
	// DefaultMaxPTRNames.
	MaxPTRNames int
	// Logger receives one line per failed request and the server's
	// start and stop. If nil, nothing is logged.
	Logger *slog.Logger
}

func (c *Config) topSources() int      { return orDefault(c.TopSources, DefaultTopSources) }
func (c *Config) maxRows() int         { return orDefault(c.MaxRows, DefaultMaxRows) }
func (c *Config) maxDays() int         { return orDefault(c.MaxDays, DefaultMaxDays) }
func (c *Config) maxDNSQueries() int   { return orDefault(c.MaxDNSQueries, DefaultMaxDNSQueries) }
func (c *Config) maxPTRNames() int     { return orDefault(c.MaxPTRNames, DefaultMaxPTRNames) }
func (c *Config) maxSessions() int     { return orDefault(c.MaxSessions, DefaultMaxSessions) }
func (c *Config) pageReports() int     { return pageSize(c.PageReports, DefaultPageReports) }
func (c *Config) pageTLSFailures() int { return pageSize(c.PageTLSFailures, DefaultPageTLSFailures) }
func (c *Config) pageDomains() int     { return pageSize(c.PageDomains, DefaultPageDomains) }
func (c *Config) pageOrgs() int        { return pageSize(c.PageOrgs, DefaultPageOrgs) }
func (c *Config) pagePolicies() int    { return pageSize(c.PagePolicies, DefaultPagePolicies) }

// pageSize is a page's number of items: v, or d when v is zero or
// negative, at most store.MaxLimit-1, so that the one more item the page
// asks for (to know that it left some out) is within the store's cap.
func pageSize(v, d int) int {
	return min(orDefault(v, d), store.MaxLimit-1)
}

func (c *Config) listen() string {
	if c.Listen == "" {
		return DefaultListen
	}
	return c.Listen
}
func (c *Config) secure() bool { return c.TLSCert != "" || c.BehindTLSProxy }
func (c *Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// orDefault is v, or d when v is zero or negative: a Config field's
// value.
func orDefault[T int | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// ConfigError is a configuration the dashboard refuses to run with.
type ConfigError struct {
	Field string // "listen", "token", "tls", "store"
	Msg   string
	Err   error // ErrNonLoopback, or nil
}

// Error names the refused field and why: "web: listen: ...".
func (e *ConfigError) Error() string { return "web: " + e.Field + ": " + e.Msg }

// Unwrap returns Err.
func (e *ConfigError) Unwrap() error { return e.Err }

// ErrNonLoopback is wrapped by the ConfigError for a non-loopback listen
// address without the protections it needs.
var ErrNonLoopback = errors.New("a non-loopback address needs an access token and TLS (or --behind-tls-proxy)")

// IsLoopback reports whether the host of a host:port address is a
// loopback address or "localhost". An empty host (":8080") means every
// interface and is not loopback.
func IsLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// loopbackHost reports whether a request's Host header names the
// loopback interface: "localhost" or a loopback address, with or without
// a port.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Zone() == "" && a.Unmap().IsLoopback()
}

// CheckAddress validates the listen address, the token and the TLS
// settings together: the loopback address is always allowed; any other
// needs a token of at least MinTokenLength bytes and either TLS or
// BehindTLSProxy. A token, when given, must be long enough wherever the
// server listens.
func (c *Config) CheckAddress() error {
	addr := c.listen()
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return &ConfigError{"listen", fmt.Sprintf("%q is not host:port: %v", addr, err), nil}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return &ConfigError{"tls", "the certificate and the key go together: give both or neither", nil}
	}
	if c.Token != "" && len(c.Token) < MinTokenLength {
		return &ConfigError{"token", fmt.Sprintf("the access token is %d bytes; at least %d are needed", len(c.Token), MinTokenLength), nil}
	}
	if IsLoopback(addr) {
		return nil
	}
	switch {
	case c.Token == "":
		return &ConfigError{"listen", fmt.Sprintf("%s is not a loopback address and no access token is set: %v", addr, ErrNonLoopback), ErrNonLoopback}
	case !c.secure():
		return &ConfigError{"listen", fmt.Sprintf("%s is not a loopback address and neither TLS nor a TLS proxy is configured: %v", addr, ErrNonLoopback), ErrNonLoopback}
	}
	return nil
}

// Server is the dashboard bound to its address. Build one with Listen;
// Serve runs it.
type Server struct {
	cfg Config
	ln  net.Listener
	srv *http.Server
}

// Listen checks cfg (CheckAddress), builds the handler and opens the
// listening socket, so that a caller knows the address (Addr) before
// serving; port 0 picks a free port.
func Listen(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, &ConfigError{"store", "no store", nil}
	}
	if err := cfg.CheckAddress(); err != nil {
		return nil, err
	}
	h, err := NewHandler(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.listen())
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2*orDefault(cfg.RequestTimeout, DefaultRequestTimeout) + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(cfg.logger().Handler(), slog.LevelWarn),
	}
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			ln.Close()
			return nil, &ConfigError{"tls", err.Error(), nil}
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	return &Server{cfg: cfg, ln: ln, srv: srv}, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// URL is the dashboard's base URL: the listen address's host as given
// ("0.0.0.0", "localhost", "::1" in brackets) with the port bound (the
// one picked for port 0). With no host (":8080", every interface) it is
// the address bound, "[::]:8080" on a dual-stack system.
func (s *Server) URL() string {
	scheme := "http"
	if s.cfg.TLSCert != "" {
		scheme = "https"
	}
	return baseURL(scheme, s.cfg.listen(), s.ln.Addr())
}

// baseURL is the URL of the root of a server listening on listen (as
// given) and bound to bound.
func baseURL(scheme, listen string, bound net.Addr) string {
	hostport := bound.String()
	if host, _, err := net.SplitHostPort(listen); err == nil && host != "" {
		if _, port, err := net.SplitHostPort(hostport); err == nil {
			hostport = net.JoinHostPort(host, port)
		}
	}
	// url.URL brackets nothing itself but percent-encodes an IPv6 zone.
	return (&url.URL{Scheme: scheme, Host: hostport, Path: "/"}).String()
}

// Serve answers requests until ctx is done or the process receives SIGINT
// or SIGTERM, then shuts down gracefully: it stops accepting, lets the
// requests in flight finish (up to ShutdownTimeout) and returns nil; when
// they take longer, it closes their connections and returns an error
// wrapping context.DeadlineExceeded.
func (s *Server) Serve(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := s.cfg.logger()
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	log.Info("dashboard listening", "url", s.URL())
	select {
	case err := <-errc:
		return fmt.Errorf("web: %w", err)
	case <-ctx.Done():
	}
	// A second SIGINT during the graceful shutdown stops the process
	// at once, as the default handler does.
	stop()
	log.Info("dashboard shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), orDefault(s.cfg.ShutdownTimeout, DefaultShutdownTimeout))
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		// The requests still running are cut off: the process is
		// about to stop, and a caller that goes on should not find
		// them answering.
		s.srv.Close()
		return fmt.Errorf("web: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: %w", err)
	}
	return nil
}
