package receiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sync"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/spf"
)

// defaultMaxHeaderBytes is dkim.Verifier's default bound on the header
// section, which the copy kept for DMARC follows.
const defaultMaxHeaderBytes = 256 << 10

// ErrNoAuthServID is returned by Check when Checker.AuthServID is empty,
// longer than 255 octets or not printable (see Checker.AuthServID).
var ErrNoAuthServID = errors.New("receiver: Checker.AuthServID must be a non-empty printable name")

// Checker runs the checks a receiving MTA makes on an inbound message: SPF
// on the envelope, every DKIM signature and DMARC. A Checker with a
// Resolver and an AuthServID is ready to use; it is safe for concurrent
// use and must not be copied after first use.
type Checker struct {
	// Resolver answers DNS queries for all three checks. Required, unless
	// SPF, DKIM and DMARC each have their own.
	Resolver domainauth.Resolver
	// Clock gives the time for SPF's %{t} macro and DKIM's x= and t=.
	// If nil, the system clock.
	Clock domainauth.Clock

	// AuthServID names the receiver in the Authentication-Results field
	// (RFC 8601 §2.5), usually its host or ADMD name. Required: at most
	// 255 octets of valid UTF-8 without controls (tab, DEL and C1
	// included), line separators or bidi controls, else Check returns
	// ErrNoAuthServID (a reader of the field must see the name as written).
	AuthServID string

	// SPF, DKIM and DMARC hold the options of each check, with their
	// bounds (see each package). Their Resolver and Clock, when nil, are
	// set from the Checker's on first use.
	SPF   spf.Checker
	DKIM  dkim.Verifier
	DMARC dmarc.Checker

	// SkipHELO turns off the separate SPF check of the HELO identity, which
	// RFC 7208 §2.3 recommends and which runs first. It is made only for
	// a HELO that is a multi-label domain name; for the null reverse-path
	// it is the MAIL FROM check itself (§2.4) and runs regardless.
	SkipHELO bool

	// MaxPathLength bounds the reverse-path in octets, angle brackets
	// included. If zero or negative, DefaultMaxPathLength (256, RFC 5321
	// §4.5.3.1.3).
	MaxPathLength int

	once sync.Once
}

// Envelope is what the SMTP transaction says about a message.
type Envelope struct {
	// IP is the SMTP client's address.
	IP netip.Addr
	// HELO is the argument of HELO or EHLO.
	HELO string
	// MailFrom is the reverse-path of the MAIL command as given, with or
	// without angle brackets and without ESMTP parameters: "<>" (or "")
	// is the null sender. See ParsePath.
	MailFrom string
}

// Result is the outcome of Check. It always holds every check's result.
type Result struct {
	// AuthServID is the Checker's, for the Authentication-Results field.
	AuthServID string
	// Envelope is the envelope checked.
	Envelope Envelope
	// Path is the parsed reverse-path; the zero Path when PathErr is set.
	Path Path
	// PathErr is the *PathError of a reverse-path that could not be read,
	// or nil.
	PathErr error
	// MailFrom is the SPF "MAIL FROM" identity (RFC 7208 §2.4): the
	// path's mailbox, or postmaster@HELO for the null path; "" when the
	// path could not be read, or is null with an empty HELO.
	MailFrom string
	// SPF is the result for the MAIL FROM identity, the one DMARC uses.
	// For an unreadable reverse-path it is none with Err the PathErr:
	// RFC 7208 §4.3 gives none for a malformed domain, and no domain
	// could be found.
	SPF spf.Result
	// HELO is the result for the HELO identity (RFC 7208 §2.3), nil when
	// it was not checked (Checker.SkipHELO, or a HELO that is not a
	// multi-label domain name). For the null path it equals SPF.
	HELO *spf.Result
	// DKIM holds one result per DKIM-Signature field, in header order.
	DKIM []dkim.Verification
	// DMARC is the DMARC evaluation of the message's From domain.
	DMARC *dmarc.Result
}

// setup fills the sub-checkers' Resolver and Clock from c once, before the
// first check; sync.Once orders it before every later read.
func (c *Checker) setup() {
	if c.SPF.Resolver == nil {
		c.SPF.Resolver = c.Resolver
	}
	if c.SPF.Clock == nil {
		c.SPF.Clock = c.Clock
	}
	if c.DKIM.Resolver == nil {
		c.DKIM.Resolver = c.Resolver
	}
	if c.DKIM.Clock == nil {
		c.DKIM.Clock = c.Clock
	}
	if c.DMARC.Resolver == nil {
		c.DMARC.Resolver = c.Resolver
	}
}

// Check runs SPF (the HELO identity first unless SkipHELO, then MAIL
// FROM), verifies every DKIM signature of msg and evaluates DMARC for its
// From domain with those results. SPF runs in a goroutine of its own while
// DKIM reads msg, so the Resolver must be safe for concurrent use (as
// *net.Resolver, zone.Zone and livedns.Resolver are); Check waits for it
// before returning.
//
// msg is the message as received, header and body, CRLF or LF line ends.
// Check reads it to the end once, keeping a copy of the header section
// only (at most DKIM.MaxHeaderBytes). An error reading it, or a header
// the DKIM verifier refuses (over its bounds), gives a nil Result and the
// error; so does an AuthServID that cannot be written (ErrNoAuthServID).
//
// A reverse-path that RFC 5321 §4.1.2 does not allow gives a complete
// Result, whose SPF is none (RFC 7208 §4.3: no valid domain to check) and
// cannot align for DMARC, together with a *PathError, which is also in
// Result.PathErr: an MTA that parses the path itself rejects the MAIL
// command (501) before any of this; one that accepted it can still write
// the Authentication-Results field.
func (c *Checker) Check(ctx context.Context, env Envelope, msg io.Reader) (*Result, error) {
	if !validAuthServID(c.AuthServID) {
		return nil, ErrNoAuthServID
	}
	c.once.Do(c.setup)
	res := &Result{AuthServID: c.AuthServID, Envelope: env}
	res.Path, res.PathErr = c.ParsePath(env.MailFrom)

	// SPF runs while DKIM reads the message and looks up its keys, so that
	// their DNS round trips overlap; the two write different fields of res.
	spfCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var spfDomain string
	done := make(chan struct{})
	go func() {
		defer close(done)
		spfDomain = c.checkSPF(spfCtx, res)
	}()

	// DKIM reads the whole message; the tap keeps its header for DMARC.
	maxHeader := c.DKIM.MaxHeaderBytes
	if maxHeader <= 0 {
		maxHeader = defaultMaxHeaderBytes
	}
	tap := &headerTap{max: maxHeader}
	vs, err := c.DKIM.Verify(ctx, io.TeeReader(msg, tap))
	if err != nil {
		cancel()
		<-done // no goroutine outlives Check
		return nil, fmt.Errorf("receiver: message: %w", err)
	}
	res.DKIM = vs
	<-done

	// DMARC with the identities above. spf.Result.Domain is not used: after
	// a redirect= it names the redirect target, not the identity checked.
	dm := dmarc.Input{SPF: dmarc.Identifier{Domain: spfDomain, Result: SPFAuthResult(res.SPF.Code)}}
	if len(vs) > 0 {
		dm.DKIM = make([]dmarc.Identifier, len(vs))
		for i := range vs {
			dm.DKIM[i] = dmarc.Identifier{Domain: vs[i].Domain, Selector: vs[i].Selector,
				Result: DKIMAuthResult(vs[i].Status)}
		}
	}
	res.DMARC = c.DMARC.EvaluateHeader(ctx, string(tap.header()), dm)
	return res, res.PathErr
}

// checkSPF sets res.HELO, res.SPF and res.MailFrom from res.Envelope and
// res.Path: the HELO identity first (RFC 7208 §2.3), then MAIL FROM
// (§2.4). It returns the domain of the MAIL FROM identity that DMARC aligns
// (RFC 9989 §3.2.4), "" when there is none.
func (c *Checker) checkSPF(ctx context.Context, res *Result) string {
	env := res.Envelope
	in := spf.Input{IP: env.IP, HELO: env.HELO}
	if isHELODomain(env.HELO) && (!c.SkipHELO || res.Path.Null && res.PathErr == nil) {
		h := c.SPF.CheckHELO(ctx, in)
		res.HELO = &h
	}
	switch {
	case res.PathErr != nil:
		res.SPF = spf.Result{Code: spf.CodeNone, Identity: spf.IdentityMailFrom, Err: res.PathErr}
	case res.Path.Null:
		if env.HELO != "" {
			res.MailFrom = "postmaster@" + env.HELO
		}
		if res.HELO == nil {
			res.SPF = spf.Result{Code: spf.CodeNone, Identity: spf.IdentityMailFrom}
			return ""
		}
		// check_host(ip, HELO, postmaster@HELO) is the HELO check already
		// made (§2.4).
		res.SPF = *res.HELO
		res.SPF.Identity = spf.IdentityMailFrom
		return env.HELO
	default:
		res.MailFrom = res.Path.Mailbox()
		in.MailFrom = res.MailFrom
		res.SPF = c.SPF.Check(ctx, in)
		if !res.Path.IsAddressLiteral() {
			return res.Path.Domain
		}
	}
	return ""
}

// SPFAuthResult maps an SPF result to the input DMARC takes (RFC 9989
// §4.4.2 uses the SPF result codes of RFC 7208 §2.6 as they are). The
// names are the same, so it goes through dmarc.ParseAuthResult; a code
// with no name maps to AuthResultNone.
func SPFAuthResult(c spf.Code) dmarc.AuthResult {
	r, _ := dmarc.ParseAuthResult(c.String())
	return r
}

// DKIMAuthResult maps a DKIM verification status to the input DMARC takes
// (the results of RFC 8601 §2.7.1), by name as SPFAuthResult does.
func DKIMAuthResult(s dkim.Status) dmarc.AuthResult {
	r, _ := dmarc.ParseAuthResult(s.String())
	return r
}

// isHELODomain reports whether the SPF HELO check can be made: the HELO is
// a valid multi-label domain name, not an address literal (RFC 7208 §2.3).
func isHELODomain(h string) bool {
	if h == "" || h[0] == '[' || dnsname.IsAddr(h) {
		return false
	}
	n, err := dnsname.Normalize(h)
	return err == nil && dnsname.Labels(n) >= 2 && termsafe.Printable(h)
}

// validAuthServID reports whether id can stand as an authserv-id: a
// value (RFC 8601 §2.2) of printable characters, bounded so that the
// first line stays well under 998 octets.
func validAuthServID(id string) bool {
	return id != "" && len(id) <= 255 && termsafe.Printable(id)
}

// headerTap is an io.Writer that keeps the header section of what is
// written through it (up to the blank line that ends it), at most max
// bytes.
type headerTap struct {
	buf  []byte
	max  int
	done bool
}

func (t *headerTap) Write(p []byte) (int, error) {
	if t.done {
		return len(p), nil
	}
	from := max(0, len(t.buf)-2) // a line end may straddle two writes
	room := t.max - len(t.buf)
	if len(p) > room {
		t.buf = append(t.buf, p[:room]...)
		t.done = true
	} else {
		t.buf = append(t.buf, p...)
	}
	if len(t.buf) > 0 && (t.buf[0] == '\n' || len(t.buf) > 1 && t.buf[0] == '\r' && t.buf[1] == '\n') {
		t.buf, t.done = t.buf[:0], true // no header at all
		return len(p), nil
	}
	for i := from; i < len(t.buf); i++ {
		if t.buf[i] != '\n' {
			continue
		}
		// A line end followed by an empty line ends the header.
		rest := t.buf[i+1:]
		if len(rest) > 0 && rest[0] == '\n' || len(rest) > 1 && rest[0] == '\r' && rest[1] == '\n' {
			t.buf, t.done = t.buf[:i+1], true
			break
		}
	}
	return len(p), nil
}

// header returns the header section seen.
func (t *headerTap) header() []byte { return t.buf }
