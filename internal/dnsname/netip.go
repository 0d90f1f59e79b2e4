package dnsname

import (
	"net"
	"net/netip"
)

// NetIPQuery checks the arguments of a Resolver's LookupNetIP the way
// *net.Resolver does: network "ip4" wants A records, "ip6" AAAA, "ip" both,
// and any other gives a net.UnknownNetworkError. When host is an IP
// literal, literal is the whole answer (the address as is), or err a
// *net.AddrError when it is of the wrong family; otherwise both are nil
// and the caller asks DNS for the families wanted.
func NetIPQuery(network, host string) (want4, want6 bool, literal []netip.Addr, err error) {
	want4, want6 = network == "ip" || network == "ip4", network == "ip" || network == "ip6"
	if !want4 && !want6 {
		return false, false, nil, net.UnknownNetworkError(network)
	}
	if MaybeAddr(host) {
		if a, perr := netip.ParseAddr(host); perr == nil {
			if a.Is4() && want4 || !a.Is4() && want6 {
				return want4, want6, []netip.Addr{a}, nil
			}
			return want4, want6, nil, &net.AddrError{Err: "no suitable address found", Addr: host}
		}
	}
	return want4, want6, nil, nil
}
