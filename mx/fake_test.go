package mx

import (
	"context"
	"net"
	"net/netip"
	"strings"

	"github.com/domainauth/domainauth"
)

// fakeDNS is a minimal Resolver for tests that must not depend on zone.
type fakeDNS struct {
	mx    map[string][]*net.MX
	addr  map[string][]netip.Addr
	txt   map[string][]string
	cname map[string]string
	fail  map[string]bool // names whose every lookup fails temporarily
	// failAddr: names whose address lookups fail temporarily.
	failAddr map[string]bool
}

func newFake() *fakeDNS {
	return &fakeDNS{mx: map[string][]*net.MX{}, addr: map[string][]netip.Addr{},
		txt: map[string][]string{}, cname: map[string]string{}, fail: map[string]bool{}, failAddr: map[string]bool{}}
}

func key(n string) string { return strings.ToLower(strings.TrimSuffix(n, ".")) }

func (f *fakeDNS) check(name string) error {
	if f.fail[key(name)] {
		return domainauth.TemporaryError(name, "server misbehaving")
	}
	return nil
}

// resolve follows CNAMEs as a real resolver does.
func (f *fakeDNS) resolve(name string) string {
	n := key(name)
	for range 8 {
		t, ok := f.cname[n]
		if !ok {
			break
		}
		n = key(t)
	}
	return n
}

func (f *fakeDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	if err := f.check(name); err != nil {
		return nil, err
	}
	if v, ok := f.txt[f.resolve(name)]; ok {
		return v, nil
	}
	return nil, domainauth.NotFoundError(name)
}

func (f *fakeDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	if err := f.check(name); err != nil {
		return nil, err
	}
	if v, ok := f.mx[f.resolve(name)]; ok {
		return v, nil
	}
	return nil, domainauth.NotFoundError(name)
}

func (f *fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if err := f.check(host); err != nil {
		return nil, err
	}
	if f.failAddr[key(host)] {
		return nil, domainauth.TimeoutError(host)
	}
	if v, ok := f.addr[f.resolve(host)]; ok {
		return v, nil
	}
	return nil, domainauth.NotFoundError(host)
}

func (f *fakeDNS) LookupAddr(_ context.Context, addr string) ([]string, error) {
	return nil, domainauth.NotFoundError(addr)
}

// withCNAME adds the CNAME capability.
type withCNAME struct{ *fakeDNS }

func (f withCNAME) LookupCNAMETarget(_ context.Context, name string) (string, error) {
	if err := f.check(name); err != nil {
		return "", err
	}
	if t, ok := f.cname[key(name)]; ok {
		return key(t), nil
	}
	return "", domainauth.NotFoundError(name)
}

func (f *fakeDNS) addMX(name string, pref uint16, host string) {
	f.mx[key(name)] = append(f.mx[key(name)], &net.MX{Host: host, Pref: pref})
}

func (f *fakeDNS) addA(name, a string) {
	f.addr[key(name)] = append(f.addr[key(name)], netip.MustParseAddr(a))
}
