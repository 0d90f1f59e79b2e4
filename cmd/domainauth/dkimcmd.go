package main

import (
	"context"
	"crypto"
	"flag"
	"fmt"
	"github.com/domainauth/domainauth/audit"
	"io"
	"os"
	"strings"

	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/zone"
)

func dkimCommand() *command {
	return &command{
		name:    "dkim",
		summary: "verify and sign messages, make and look up keys",
		long: `Verify the DKIM signatures of a message, sign one, generate a key pair with its
DNS record, or look up and check a published key (RFC 6376, RFC 8463, RFC
8301).`,
		examples: []string{"domainauth dkim verify --zone examples/zones/example.org.zone message.eml"},
		subs: []*command{
			{
				name:    "verify",
				args:    "FILE",
				summary: "verify every DKIM signature of a message",
				long: `Verify each DKIM-Signature of the message in FILE ("-" for standard input) and
print one line per signature with its result and the dkim= part of an
Authentication-Results field. Exit status 0 when every signature passes, 1
when a signature does not pass or there is none, 2 when the message cannot be
read or DNS cannot be reached.`,
				examples: []string{
					"domainauth dkim verify --zone examples/zones/example.org.zone cmd/domainauth/testdata/signed.eml",
				},
				minArgs: 1, maxArgs: 1,
				setup: dkimVerifySetup,
			},
			{
				name:    "sign",
				args:    "FILE",
				summary: "sign a message and print it with its DKIM-Signature",
				long: `Sign the message in FILE ("-" for standard input) with the private key in
--key (PEM, PKCS #8 or PKCS #1; RSA or Ed25519) and print the message with the
DKIM-Signature field prepended.`,
				examples: []string{
					"domainauth dkim sign --key private.pem --domain example.org --selector s1 message.eml",
				},
				minArgs: 1, maxArgs: 1,
				setup: dkimSignSetup,
			},
			{
				name:    "keygen",
				args:    "",
				summary: "generate a key pair and the DNS record that publishes it",
				long: `Generate a DKIM key pair: the private key (PEM, PKCS #8) is written to --out
(standard output when absent) and the TXT record to publish at
SELECTOR._domainkey.DOMAIN is printed in zone-file form, split into 255-byte
strings.`,
				examples: []string{
					"domainauth dkim keygen --domain example.org --selector s1 --out s1.pem",
					"domainauth dkim keygen --type ed25519 --domain example.org --selector ed1 --out ed1.pem",
				},
				minArgs: 0, maxArgs: 0,
				setup: dkimKeygenSetup,
			},
			{
				name:    "lookup",
				args:    "DOMAIN SELECTOR...",
				summary: "look up and check published DKIM keys",
				long: `Look up the key record of each SELECTOR at SELECTOR._domainkey.DOMAIN and check
that it parses and can verify email: not revoked, RSA of at least 1024 bits,
s= allowing email. CNAMEs (such as the Easy DKIM records of Amazon SES) are
followed and shown. Exit status 1 when a key is missing or unusable.`,
				examples: []string{
					"domainauth dkim lookup --zone examples/zones/example.org.zone example.org ee3iyktt6a52swhlzrcnadeiwwa27oo6",
				},
				minArgs: 2, maxArgs: -1,
				setup: dkimLookupSetup,
			},
		},
	}
}

// maxMessage bounds a message read from a file or stdin by sign (verify
// streams and relies on the Verifier's limits).
const maxMessage = 64 << 20

// openArg opens FILE, or standard input for "-".
func (a *app) openArg(arg string) (io.ReadCloser, error) {
	if arg == "-" {
		return io.NopCloser(a.stdin), nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return nil, fileError(err)
	}
	return f, nil
}

// readMessage reads a whole message from FILE or standard input ("-"),
// bounded by maxMessage.
func (a *app) readMessage(arg string) ([]byte, error) {
	f, err := a.openArg(arg)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	msg, err := io.ReadAll(io.LimitReader(f, maxMessage+1))
	if err != nil {
		return nil, fileError(err)
	}
	if len(msg) > maxMessage {
		return nil, fmt.Errorf("%s: larger than %d bytes", arg, maxMessage)
	}
	return msg, nil
}

func dkimVerifySetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	dns := addDNSFlags(fs)
	return func(ctx context.Context, args []string) error {
		src, err := dns.open()
		if err != nil {
			return err
		}
		ctx, cancel := src.context(ctx)
		defer cancel()
		f, err := a.openArg(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		v := &dkim.Verifier{Resolver: src.r, Clock: a.clock}
		vs, err := v.Verify(ctx, f)
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		if len(vs) == 0 {
			fmt.Fprintln(a.stdout, "none: the message has no DKIM-Signature")
			fmt.Fprintln(a.stdout, "  Authentication-Results: dkim=none")
			return errFindings
		}
		allPass := true
		for _, ver := range vs {
			if ver.Status == dkim.StatusTempError && src.live {
				if err := src.trouble(ctx, ver.Selector+"._domainkey."+ver.Domain, ver.Err); err != nil {
					return err
				}
			}
			audit.WriteVerification(a.stdout, ver)
			allPass = allPass && ver.Status == dkim.StatusPass
		}
		if !allPass {
			return errFindings
		}
		return nil
	}
}

func dkimSignSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	keyFile := fs.String("key", "", "the private key `FILE` (PEM)")
	domain := fs.String("domain", "", "the signing `DOMAIN` (d=)")
	selector := fs.String("selector", "", "the `SELECTOR` (s=) whose key record publishes the public key")
	expire := fs.Duration("expire", 0, "add x= this `DURATION` after the signing time")
	return func(ctx context.Context, args []string) error {
		if *keyFile == "" || *domain == "" || *selector == "" {
			return usagef("--key, --domain and --selector are required")
		}
		key, err := readPrivateKey(*keyFile)
		if err != nil {
			return err
		}
		msg, err := a.readMessage(args[0])
		if err != nil {
			return err
		}
		s := &dkim.Signer{Domain: *domain, Selector: *selector, Key: key, Clock: a.clock, Expiration: *expire}
		field, err := s.Sign(strings.NewReader(string(msg)))
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		if _, err := io.WriteString(a.stdout, field); err != nil {
			return err
		}
		_, err = a.stdout.Write(msg)
		return err
	}
}

// readPrivateKey reads a PEM private key file (see dkim.ParsePrivateKeyPEM).
func readPrivateKey(file string) (crypto.Signer, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fileError(err)
	}
	key, err := dkim.ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return key, nil
}

func dkimKeygenSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	kt := fs.String("type", "rsa", "key `TYPE`: rsa or ed25519")
	bits := fs.Int("bits", 2048, "RSA key size in `BITS` (1024 to 4096)")
	domain := fs.String("domain", "", "the signing `DOMAIN`, for the record's name")
	selector := fs.String("selector", "", "the `SELECTOR`, for the record's name")
	out := fs.String("out", "", "write the private key to this `FILE` (mode 0600) instead of standard output")
	return func(ctx context.Context, args []string) error {
		if *domain == "" || *selector == "" {
			return usagef("--domain and --selector are required")
		}
		rsaKey := false
		switch strings.ToLower(*kt) {
		case "rsa":
			rsaKey = true
			if *bits < 1024 || *bits > 4096 {
				return usagef("--bits %d: want 1024 to 4096 (RFC 8301 §3.2 forbids less than 1024)", *bits)
			}
		case "ed25519":
		default:
			return usagef("--type %q: want rsa or ed25519", *kt)
		}
		name := *selector + "._domainkey." + *domain
		if _, err := dnsname.Normalize(name); err != nil {
			return usagef("%s is not a valid record name: %v", name, err)
		}
		var key crypto.Signer
		var rec *dkim.KeyRecord
		var err error
		if rsaKey {
			key, rec, err = dkim.GenerateRSAKey(a.random, *bits)
		} else {
			key, rec, err = dkim.GenerateEd25519Key(a.random)
		}
		if err != nil {
			return err
		}
		pemKey, err := dkim.MarshalPrivateKeyPEM(key)
		if err != nil {
			return err
		}
		if *out != "" {
			if err := os.WriteFile(*out, pemKey, 0o600); err != nil {
				return fileError(err)
			}
			fmt.Fprintf(a.stdout, "; private key written to %s\n", termsafe.String(*out))
		} else {
			a.stdout.Write(pemKey)
		}
		z := zone.New()
		if err := z.Add(zone.RR{Name: name, Type: zone.TypeTXT, TTL: 3600, Text: zone.SplitString(rec.String())}); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "; publish this record (%s, %d bits):\n", rec.KeyType, rec.Bits())
		_, err = z.WriteTo(a.stdout)
		return err
	}
}

func dkimLookupSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	dns := addDNSFlags(fs)
	return func(ctx context.Context, args []string) error {
		s, err := dns.begin(ctx, args[0], "-")
		if err != nil {
			return err
		}
		defer s.cancel()
		bad := false
		for _, sel := range args[1:] {
			k := dkim.CheckSelector(s.ctx, s.r, s.domain, sel)
			if k.Err != nil && s.live {
				if err := s.trouble(s.ctx, k.Name, k.Err); err != nil {
					return err
				}
			}
			fs := audit.AreaFindings("dkim", k.Findings)
			fmt.Fprintf(a.stdout, "%s: %s\n", termsafe.String(k.Name), termsafe.String(k.Summary()))
			audit.WriteFindings(a.stdout, "  ", fs)
			if errs, _ := audit.CountSeverities(fs); errs > 0 {
				bad = true
			}
		}
		if bad {
			return errFindings
		}
		return nil
	}
}
