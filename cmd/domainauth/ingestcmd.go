package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/store"
	"github.com/domainauth/domainauth/store/ingest"
)

func reportIngestCommand() *command {
	return &command{
		name:    "ingest",
		args:    "PATH...",
		summary: "add reports to the report database (for report serve)",
		long: `Add DMARC aggregate, SMTP TLS and DMARC failure reports to the report database:
files (XML, JSON, gzip, zip), folders, email messages (.eml), mbox files and
Maildir folders. Reports already stored are counted as duplicates; a report
under a stored report's key with other content is recorded as a conflict.
Failure reports are stored redacted (addresses become keyed tokens, the
original message's body is dropped) unless --unredacted is given, and have
their own retention (--keep-failures).
Emails are checked for a valid DKIM signature of the reporting organisation
(live DNS, or --zone files; --offline skips it; --verified-only rejects the
emails without one).

The database is --db, else $` + store.EnvDB + `, else the default SQLite file
(` + defaultDBHint() + `); a postgres:// URL selects PostgreSQL.
Prints one summary line: ingested, duplicates, conflicts, rejected by reason.`,
		examples: []string{
			"domainauth report ingest ~/Maildir/.dmarc",
			"domainauth report ingest --db reports.db --keep 400d dmarc.mbox",
		},
		minArgs: 1, maxArgs: -1,
		setup: reportIngestSetup,
	}
}

// defaultDBHint names the default database file for the help texts.
func defaultDBHint() string {
	if p, err := store.DefaultPath(); err == nil {
		return abbreviateHome(p, os.Getenv("HOME"))
	}
	return "~/.local/share/domainauth/reports.db"
}

// abbreviateHome writes path with a leading home folder as "~", and
// leaves it as is when home is unset, not absolute, the root, or not a
// folder path lies under (/home/ann does not abbreviate /home/anne).
func abbreviateHome(path, home string) string {
	if home == "" || !filepath.IsAbs(home) {
		return path
	}
	home = filepath.Clean(home)
	if home == string(filepath.Separator) || filepath.Dir(home) == home {
		return path
	}
	if path == home {
		return "~"
	}
	if rest, ok := strings.CutPrefix(path, home+string(filepath.Separator)); ok {
		return "~" + string(filepath.Separator) + rest
	}
	return path
}

// dbFlag declares --db.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "", "the report database: a SQLite `FILE` or a postgres:// URL (default $"+store.EnvDB+", else "+defaultDBHint()+")")
}

// openStore opens the database --db names, or $DOMAINAUTH_DB, or the default.
func openStore(ctx context.Context, db string, opts store.Options) (store.Store, error) {
	if db == "" {
		db = os.Getenv(store.EnvDB)
	}
	return store.Open(ctx, db, opts)
}

// parseKeep reads a retention: "400d", "8w" or a Go duration ("9600h").
func parseKeep(s string) (time.Duration, error) {
	for suf, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suf); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v <= 0 || v > 100_000 {
				return 0, usagef("--keep %q: want a positive number of days (400d) or weeks (60w)", s)
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, usagef("--keep %q: want a positive number of days (400d), weeks (60w) or a duration (9600h)", s)
	}
	return d, nil
}

func reportIngestSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	db := dbFlag(fs)
	conc := fs.Int("concurrency", 0, "decode at most `N` reports at once (default: the number of CPUs, at most 64)")
	keep := fs.String("keep", "", "afterwards, delete aggregate and TLS reports whose period ended longer ago than `AGE` (400d, 60w)")
	keepFailures := fs.String("keep-failures", "", "afterwards, delete failure reports that arrived longer ago than `AGE` (30d)")
	unredacted := fs.Bool("unredacted", false, "store failure reports whole, personal data included (default: redacted)")
	var allow listFlag
	fs.Var(&allow, "allow-domain", "accept only reports for this policy `DOMAIN`; repeatable (anyone can mail a rua= address)")
	offline := fs.Bool("offline", false, "look no DKIM key up: the signatures of report emails are not checked (recorded as unverified)")
	verifiedOnly := fs.Bool("verified-only", false, "reject the reports that arrived by email without a valid DKIM signature of the reporting organisation's domain")
	quiet := fs.Bool("quiet", false, "do not list the rejected items on stderr")
	dns := addDNSFlags(fs)
	return func(ctx context.Context, args []string) error {
		var keepFor, keepFailuresFor time.Duration
		for _, k := range []struct {
			flag string
			dst  *time.Duration
		}{{*keep, &keepFor}, {*keepFailures, &keepFailuresFor}} {
			if k.flag == "" {
				continue
			}
			var err error
			if *k.dst, err = parseKeep(k.flag); err != nil {
				return err
			}
		}
		if *conc < 0 {
			return usagef("--concurrency must be positive")
		}
		for _, p := range args {
			if _, err := os.Stat(p); err != nil {
				return fileError(err)
			}
		}
		in := &ingest.Ingester{Concurrency: *conc, Clock: a.clock, VerifiedOnly: *verifiedOnly, VerifyTimeout: dns.timeout}
		if *offline {
			if err := checkOffline(dns, *verifiedOnly); err != nil {
				return err
			}
		} else {
			src, err := dns.open()
			if err != nil {
				return err
			}
			in.Resolver = src.r
		}
		s, err := openStore(ctx, *db, store.Options{AllowDomains: allow, Clock: a.clock, KeepFailuresUnredacted: *unredacted})
		if err != nil {
			return err
		}
		defer s.Close()
		in.Store = s
		progress := false
		if a.terminal && !*quiet {
			start := time.Now()
			delay := a.progressDelay
			if delay == 0 {
				delay = 500 * time.Millisecond
			}
			in.Progress = func(p ingest.Progress) {
				if time.Since(start) < delay {
					return
				}
				progress = true
				if p.Files > 0 {
					fmt.Fprintf(a.stderr, "\r\033[Kingesting: %s %d of %d files", bar(p.Done, p.Files, 20), p.Done, p.Files)
				} else {
					fmt.Fprintf(a.stderr, "\r\033[Kingesting: %d items", p.Done)
				}
			}
		}
		res, err := in.Run(ctx, args)
		if progress {
			fmt.Fprint(a.stderr, "\r\033[K")
		}
		if err != nil {
			return err
		}
		if !*quiet {
			for _, r := range res.Rejections {
				fmt.Fprintf(a.stderr, "rejected %s: %s\n", termsafe.String(r.Item), termsafe.String(r.Err))
			}
			if res.Rejected > len(res.Rejections) {
				fmt.Fprintf(a.stderr, "rejected %d more\n", res.Rejected-len(res.Rejections))
			}
		}
		fmt.Fprintln(a.stdout, res.String())
		now := time.Now()
		if a.clock != nil {
			now = a.clock.Now()
		}
		if keepFor > 0 {
			p, err := s.Prune(ctx, now.Add(-keepFor))
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "deleted %d aggregate and %d TLS reports older than %s\n", p.Aggregate, p.TLS, *keep)
		}
		if keepFailuresFor > 0 {
			n, err := s.PruneFailures(ctx, now.Add(-keepFailuresFor))
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "deleted %d failure reports older than %s\n", n, *keepFailures)
		}
		return nil
	}
}

// bar draws a progress bar of width cells.
func bar(done, total, width int) string {
	if total <= 0 {
		return ""
	}
	n := min(done*width/total, width)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}
