package dmarc

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/zone"
)

// plainResolver hides every optional capability of the Resolver it wraps
// and counts the address and MX lookups that the existence heuristic
// makes.
type plainResolver struct {
	domainauth.Resolver
	heuristic int
}

func (r *plainResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	r.heuristic++
	return r.Resolver.LookupNetIP(ctx, network, host)
}

func (r *plainResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	r.heuristic++
	return r.Resolver.LookupMX(ctx, name)
}

// existenceResolver is a plainResolver with the ExistenceResolver
// capability: the names in exists exist, every other name is NXDOMAIN;
// err, when set, is a temporary failure.
type existenceResolver struct {
	plainResolver
	exists map[string]bool
	err    error
	asked  []string
}

func (r *existenceResolver) LookupExists(ctx context.Context, name string) (bool, error) {
	r.asked = append(r.asked, name)
	if r.err != nil {
		return false, r.err
	}
	return r.exists[name], nil
}

// TestNonexistentPolicyExistenceResolver checks the order in which np=
// (RFC 9989 §4.7, §4.10.1) learns whether the Author Domain exists:
// Checker.DomainExists, then the Resolver's ExistenceResolver capability,
// then address, MX and TXT lookups. The name "ent.example.org" is an empty
// non-terminal (it has no records, a child does): it exists (NODATA), which
// only the capability can tell; the heuristic takes it for NXDOMAIN.
func TestNonexistentPolicyExistenceResolver(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject; sp=none; np=quarantine")
	z.AddA("host.ent.example.org", "192.0.2.1")
	ctx := context.Background()
	in := func(from string) Input {
		return Input{FromDomain: from, SPF: Identifier{Domain: "other.example.net", Result: AuthResultPass}}
	}
	check := func(t *testing.T, res *Result, nonexistent bool, pol Policy) {
		t.Helper()
		if res.Code != CodeFail || res.Nonexistent != nonexistent || res.Policy != pol {
			t.Errorf("got %s nonexistent=%v policy=%s err=%v; want fail nonexistent=%v policy=%s",
				res.Code, res.Nonexistent, res.Policy, res.Err, nonexistent, pol)
		}
	}

	t.Run("capability: empty non-terminal exists, sp applies", func(t *testing.T) {
		r := &existenceResolver{plainResolver: plainResolver{Resolver: z}, exists: map[string]bool{"ent.example.org": true}}
		check(t, (&Checker{Resolver: r}).Evaluate(ctx, in("ent.example.org")), false, PolicyNone)
		if len(r.asked) != 1 || r.asked[0] != "ent.example.org" || r.heuristic != 0 {
			t.Errorf("asked %q, %d heuristic lookups; want one LookupExists and none", r.asked, r.heuristic)
		}
	})
	t.Run("capability: NXDOMAIN, np applies", func(t *testing.T) {
		r := &existenceResolver{plainResolver: plainResolver{Resolver: z}}
		check(t, (&Checker{Resolver: r}).Evaluate(ctx, in("ghost.example.org")), true, PolicyQuarantine)
		if r.heuristic != 0 {
			t.Errorf("%d heuristic lookups beside the capability", r.heuristic)
		}
	})
	t.Run("capability: temporary failure is temperror", func(t *testing.T) {
		boom := domainauth.TemporaryError("ghost.example.org", "server misbehaving")
		r := &existenceResolver{plainResolver: plainResolver{Resolver: z}, err: boom}
		res := (&Checker{Resolver: r}).Evaluate(ctx, in("ghost.example.org"))
		if res.Code != CodeTempError || !errors.Is(res.Err, boom) {
			t.Errorf("got %s %v; want temperror wrapping the resolver's error", res.Code, res.Err)
		}
	})
	t.Run("DomainExists overrides the capability", func(t *testing.T) {
		r := &existenceResolver{plainResolver: plainResolver{Resolver: z}, exists: map[string]bool{"ghost.example.org": true}}
		c := &Checker{Resolver: r, DomainExists: func(context.Context, string) (bool, error) { return false, nil }}
		check(t, c.Evaluate(ctx, in("ghost.example.org")), true, PolicyQuarantine)
		if len(r.asked) != 0 {
			t.Errorf("LookupExists asked %q although DomainExists is set", r.asked)
		}
	})
	t.Run("no capability: the heuristic takes the empty non-terminal for NXDOMAIN", func(t *testing.T) {
		r := &plainResolver{Resolver: z}
		check(t, (&Checker{Resolver: r}).Evaluate(ctx, in("ent.example.org")), true, PolicyQuarantine)
		if r.heuristic == 0 {
			t.Error("no heuristic lookups")
		}
		check(t, (&Checker{Resolver: r}).Evaluate(ctx, in("host.ent.example.org")), false, PolicyNone)
	})
}
