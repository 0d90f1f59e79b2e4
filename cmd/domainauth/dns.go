package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/livedns"
	"github.com/domainauth/domainauth/zone"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// dnsFlags are the DNS-source flags shared by every command that looks
// records up: live DNS by default, or records from files for offline and
// pre-publication checks.
type dnsFlags struct {
	zones      listFlag
	route53    listFlag
	origin     string
	timeout    time.Duration
	nameserver string
	outside    bool
}

func addDNSFlags(fs *flag.FlagSet) *dnsFlags {
	d := &dnsFlags{}
	fs.Var(&d.zones, "zone", "read DNS records from this `FILE` (RFC 1035 master file) instead of live DNS; repeatable")
	fs.Var(&d.route53, "route53", "read DNS records from this `FILE` (Route 53 list-resource-record-sets JSON) instead of live DNS; repeatable")
	fs.StringVar(&d.origin, "origin", "", "relative names in --zone files without $ORIGIN are under `DOMAIN` (default: the file name without .zone)")
	fs.DurationVar(&d.timeout, "timeout", 10*time.Second, "give up on DNS after this `DURATION`")
	fs.StringVar(&d.nameserver, "nameserver", "", "send live DNS queries to this `HOST:PORT` instead of the system's resolver")
	fs.BoolVar(&d.outside, "live-outside", false, "with --zone or --route53: answer names the files do not cover (amazonses.com, a provider's SPF include) from live DNS")
	return d
}

// source is where a command's DNS answers come from.
type source struct {
	r       domainauth.Resolver
	files   *zone.Zone // the records read from --zone and --route53; nil for live DNS
	live    bool       // the network answers, at least for some names
	what    string     // for messages: "DNS" or the file names
	timeout time.Duration
	reached bool // the probe had an answer: the name server works
}

// open builds the resolver the flags ask for.
func (d *dnsFlags) open() (*source, error) {
	if d.timeout <= 0 {
		return nil, usagef("--timeout must be positive")
	}
	fromFiles := len(d.zones) > 0 || len(d.route53) > 0
	if !fromFiles {
		if d.outside {
			return nil, usagef("--live-outside needs --zone or --route53")
		}
		r, what := d.liveResolver()
		return &source{r: r, live: true, what: what, timeout: d.timeout}, nil
	}
	if d.nameserver != "" && !d.outside {
		return nil, usagef("--nameserver is for live DNS; it cannot be combined with --zone or --route53 unless --live-outside is given")
	}
	z, apexes, err := d.loadFiles()
	if err != nil {
		return nil, err
	}
	src := &source{r: z, files: z, what: strings.Join(slices.Concat(d.zones, d.route53), ", "), timeout: d.timeout}
	if d.outside {
		live, what := d.liveResolver()
		src.r = &zone.Overlay{Zone: z, Outside: live, Apexes: apexes}
		src.live = true
		src.what += " and " + what
	}
	return src, nil
}

// liveResolver is live DNS, one per command run so that its cache serves
// one run (the probe's question is the evaluation's first), and how
// messages name it.
func (d *dnsFlags) liveResolver() (*livedns.Resolver, string) {
	r := &livedns.Resolver{Server: d.nameserver}
	if d.nameserver == "" {
		return r, "DNS"
	}
	return r, "DNS server " + r.Servers()[0]
}

// loadFiles reads every --zone and --route53 file into one zone, and
// returns the origin of each master file, an apex for --live-outside.
func (d *dnsFlags) loadFiles() (*zone.Zone, []string, error) {
	var all *zone.Zone
	var apexes []string
	for i, file := range slices.Concat(d.zones, d.route53) {
		var z *zone.Zone
		var err error
		if i < len(d.zones) {
			z, err = readZoneFile(file, d.origin)
			if origin := cmp.Or(d.origin, defaultOrigin(file)); origin != "." {
				apexes = append(apexes, dnsname.Canonical(origin))
			}
		} else {
			z, err = readRoute53File(file)
		}
		if err != nil {
			return nil, nil, err
		}
		if all == nil {
			all = z
			continue
		}
		for _, rr := range z.Records() {
			if err := all.Add(rr); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", file, err)
			}
		}
	}
	return all, apexes, nil
}

// readZoneFile parses a master file. The origin defaults to the file's name
// without a .zone or .db suffix, which is how zone files are usually named;
// a $ORIGIN line in the file takes precedence.
func readZoneFile(file, origin string) (*zone.Zone, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fileError(err)
	}
	defer f.Close()
	z, err := zone.Parse(f, cmp.Or(origin, defaultOrigin(file)))
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid zone file: %w", file, err)
	}
	return z, nil
}

// readRoute53File reads Route 53 record-set JSON (the output of "aws route53
// list-resource-record-sets", or a change batch) into a zone.
func readRoute53File(file string) (*zone.Zone, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fileError(err)
	}
	defer f.Close()
	z, err := zone.ReadRoute53(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not a Route 53 record-set file: %w", file, err)
	}
	return z, nil
}

func defaultOrigin(file string) string {
	base := filepath.Base(file)
	for _, suf := range []string{".zone", ".db", ".txt"} {
		if s, ok := strings.CutSuffix(base, suf); ok {
			return s
		}
	}
	return "."
}

// fileError shortens an *os.PathError to "FILE: reason".
func fileError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		reason := pe.Err.Error()
		if errors.Is(err, os.ErrNotExist) {
			reason = "no such file"
		}
		return fmt.Errorf("%s: %s", pe.Path, reason)
	}
	return err
}

// session is one command's use of DNS for one domain.
type session struct {
	*source
	domain string // the DOMAIN argument, normalised
	ctx    context.Context
	cancel context.CancelFunc
}

// begin normalises the DOMAIN argument, opens the DNS source, bounds ctx by
// --timeout and, on live DNS, probes probePrefix+domain (no probe when
// probePrefix is "-") so that an unreachable resolver gives one plain
// message. The caller must call cancel.
func (d *dnsFlags) begin(ctx context.Context, arg, probePrefix string) (*session, error) {
	domain, err := dnsname.Normalize(arg)
	if err != nil {
		return nil, usagef("%q is not a domain name: %v", arg, err)
	}
	src, err := d.open()
	if err != nil {
		return nil, err
	}
	s := &session{source: src, domain: domain}
	s.ctx, s.cancel = src.context(ctx)
	if probePrefix != "-" {
		if err := src.probe(s.ctx, probePrefix+domain); err != nil {
			s.cancel()
			return nil, err
		}
	}
	return s, nil
}

// context returns the command's context bounded by --timeout.
func (s *source) context(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// probe looks name up once before a live evaluation so that a name server
// that does not answer gives one plain message instead of a report full of
// temporary errors. Any answer, SERVFAIL included, shows the server
// reachable: what it said is the evaluation's to report, and it is cached,
// so the evaluation's own first query for name is not sent again.
// Files need no probe.
func (s *source) probe(ctx context.Context, name string) error {
	if !s.live {
		return nil
	}
	_, err := s.r.LookupTXT(ctx, name)
	if err = s.trouble(ctx, name, err); err == nil {
		s.reached = true
	}
	return err
}

// trouble turns a lookup that got no answer at all (the server is down,
// the port closed, or --timeout ran out) into the plain message the tool
// gives when DNS cannot be reached. It gives nil for any other outcome,
// which is the evaluation's to report (a temperror), and for any failure
// once the probe had an answer: the server works, and a name it cannot
// answer for is a fact about that name.
func (s *source) trouble(ctx context.Context, name string, err error) error {
	if err == nil || s.reached {
		return nil
	}
	if de, ok := errors.AsType[*net.DNSError](err); ok && de.Name != "" {
		name = strings.TrimSuffix(de.Name, ".")
	}
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindCanceled:
		return fmt.Errorf("%s did not answer for %s within %s: DNS looks unreachable; check the network, raise --timeout, or check offline with --zone FILE", s.what, name, s.timeout)
	case domainauth.ErrorKindTemporary:
		de, _ := errors.AsType[*net.DNSError](err)
		_, netErr := errors.AsType[*net.OpError](err)
		if !netErr && (de == nil || !de.IsTimeout) {
			return nil
		}
		reason := err.Error()
		if de != nil {
			reason = de.Err
		}
		// "read udp 127.0.0.1:4242->127.0.0.1:53: read: connection refused"
		// says no more than its last part.
		if i := strings.LastIndex(reason, ": "); i >= 0 {
			reason = reason[i+2:]
		}
		return fmt.Errorf("%s could not be reached for %s (%s): check the network, or check offline with --zone FILE", s.what, name, reason)
	}
	return nil
}
