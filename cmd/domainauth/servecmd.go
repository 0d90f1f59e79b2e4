package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/domainauth/domainauth/livedns"
	"github.com/domainauth/domainauth/store"
	"github.com/domainauth/domainauth/web"
)

func reportServeCommand() *command {
	return &command{
		name:    "serve",
		summary: "show the report database in the browser (a dashboard)",
		long: `Serve the report dashboard: per domain, messages and DMARC pass rate per day,
the sources failing most with provider and diagnosis, the policy published
over time, a page per source and per report, filters, and CSV/JSON exports
of every table. Reports come from "domainauth report ingest".

It listens on ` + web.DefaultListen + ` by default. Any other --listen address
is refused unless an access token is set (--token, or better $` + web.TokenEnv + `,
which other users cannot see in the process list) and either --tls-cert and
--tls-key are given or --behind-tls-proxy says that a TLS-terminating proxy
is in front. Stops gracefully on Ctrl-C or SIGTERM.

The database is --db, else $` + store.EnvDB + `, else the default SQLite file
(` + defaultDBHint() + `).`,
		examples: []string{
			"domainauth report serve",
			"DOMAINAUTH_TOKEN=$(cat token) domainauth report serve --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem",
		},
		minArgs: 0, maxArgs: 0,
		setup: reportServeSetup,
	}
}

func reportServeSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	db := dbFlag(fs)
	var cfg web.Config
	fs.StringVar(&cfg.Listen, "listen", web.DefaultListen, "listen on `HOST:PORT`")
	fs.StringVar(&cfg.Token, "token", "", "require this access `TOKEN` (default $"+web.TokenEnv+"; at least 16 bytes)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "serve HTTPS with this certificate `FILE` (PEM)")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "the private key `FILE` of --tls-cert (PEM)")
	fs.BoolVar(&cfg.BehindTLSProxy, "behind-tls-proxy", false, "a TLS-terminating proxy is in front: mark the login cookie Secure and send HSTS")
	noDNS := fs.Bool("no-dns", false, "do not name the sources by their PTR records (no DNS queries)")
	return func(ctx context.Context, _ []string) error {
		if cfg.Token == "" {
			cfg.Token = os.Getenv(web.TokenEnv)
		}
		// Refuse an unsafe address before touching the database.
		if err := cfg.CheckAddress(); err != nil {
			return usagef("%v", err)
		}
		st, err := openStore(ctx, *db, store.Options{})
		if err != nil {
			return err
		}
		defer st.Close()
		if cfg.Store, err = web.FromStore(st); err != nil {
			return err
		}
		if !*noDNS {
			cfg.Resolver = &livedns.Resolver{}
		}
		cfg.Logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		srv, err := web.Listen(cfg)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "domainauth: the dashboard is at %s (Ctrl-C stops it)\n", srv.URL())
		return srv.Serve(ctx)
	}
}
