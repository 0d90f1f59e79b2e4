package zone

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// DefaultTTL is the TTL given to records added without one.
const DefaultTTL = 3600

// maxCNAMEChain bounds CNAME chasing; a longer chain or a loop answers as
// SERVFAIL, as recursive resolvers do.
const maxCNAMEChain = 8

// Zone is DNS data in memory. It satisfies domainauth.Resolver,
// domainauth.TXTStringsResolver, domainauth.CNAMEResolver and
// domainauth.ExistenceResolver, answering the
// way an authoritative server seen through *net.Resolver would: names are
// case-insensitive with an optional trailing dot, CNAME chains are followed,
// wildcards (RFC 4592) synthesise answers, and NXDOMAIN and NODATA are both
// not-found *net.DNSError values.
//
// A Zone is safe for concurrent use: lookups may run in parallel with each
// other and with additions. The zero value is not usable; call New.
//
// The helpers AddTXT, AddTXTStrings, AddA, AddAAAA, AddMX, AddCNAME, AddPTR
// and AddNS panic on input that Add would refuse (a malformed name, a bad
// address): like regexp.MustCompile they are for tests and literals; use
// Add for data that may be bad.
type Zone struct {
	mu     sync.RWMutex
	nodes  map[string]*node // canonical owner name -> records
	exists map[string]bool  // owner names and their ancestors (empty non-terminals)
	wild   map[string]*node // "x.y" -> the node of "*.x.y", for RFC 4592 lookups
	faults map[faultKey]Fault
	delay  atomic.Int64 // time.Duration of SetDelay
	notes  []Note
}

// node holds the records of one owner name, with the answers each lookup
// gives precomputed so that a lookup copies one slice and nothing more.
type node struct {
	rrs   []RR
	txt   []string // joined TXT strings, one per record
	addr4 []netip.Addr
	addr6 []netip.Addr
	mx    []net.MX
	ptr   []string // targets with trailing dot
	cname string   // canonical target, no trailing dot
}

// Note is something the master-file parser kept or skipped and wants the
// reader to know about, such as a record type held as opaque data.
type Note struct {
	Line int
	Msg  string
}

// New returns an empty zone.
func New() *Zone {
	return &Zone{nodes: make(map[string]*node), exists: make(map[string]bool), wild: make(map[string]*node)}
}

// Notes returns what the parser noted while reading the zone.
func (z *Zone) Notes() []Note {
	z.mu.RLock()
	defer z.mu.RUnlock()
	return slices.Clone(z.notes)
}

// key returns the map key for a name: A-labels, lower case, no trailing
// dot; the root is ".". Every lookup calls it, so a name that is already in
// that form is recognised in one pass without allocating.
func key(name string) string {
	k := name
	if n := len(k); n > 0 && k[n-1] == '.' {
		if n == 1 {
			return k // the root
		}
		k = k[:n-1]
	}
	if needsWork(k) {
		return keySlow(k)
	}
	return k
}

// needsWork reports whether s has an upper-case ASCII letter or a byte of
// 0x80 or more. It tests eight bytes at a time: with every byte below 0x80,
// adding 0x3f sets a byte's top bit when it is 'A' or more and adding 0x25
// when it is '[' or more, and no addition carries into the next byte.
func needsWork(s string) bool {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&high != 0 || (w+0x3f*ones)&^(w+0x25*ones)&high != 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c-'A' <= 'Z'-'A' || c >= 0x80 {
			return true
		}
	}
	return false
}

// keySlow is key for a name with upper-case letters or non-ASCII bytes.
func keySlow(k string) string {
	if !dnsname.IsASCII(k) {
		if n, err := dnsname.Normalize(k); err == nil {
			return n
		}
	}
	return dnsname.Lower(k)
}

// Add adds one record. It reports an error when the fields Type needs are
// missing or invalid (see RR), or when a name has an empty label, a label
// over 63 octets or more than 253 octets (RFC 1035 §2.3.4).
func (z *Zone) Add(rr RR) error { return z.add(rr, true) }

// add is Add; readers of files pass defaultTTL false to keep an explicit 0.
func (z *Zone) add(rr RR, defaultTTL bool) error {
	if err := rr.validate(); err != nil {
		return fmt.Errorf("zone: %w", err)
	}
	rr = rr.used()
	rr.Name = key(rr.Name)
	if rr.Name == "" {
		rr.Name = "." // the root
	}
	if rr.TTL == 0 && defaultTTL {
		rr.TTL = DefaultTTL
	}
	switch rr.Type {
	case TypeCNAME, TypePTR, TypeNS, TypeMX:
		rr.Target = canonicalTarget(rr.Target)
	}
	rr.Text = slices.Clone(rr.Text)
	if rr.SOA != nil {
		soa := *rr.SOA
		soa.MName, soa.RName = canonicalTarget(soa.MName), canonicalTarget(soa.RName)
		rr.SOA = &soa
	}
	// A name DNS cannot carry (an empty label, a label over 63 octets, a name
	// over 253) would be written out as a master file that does not read back.
	for _, n := range [...]string{rr.Name, rr.Target, soaName(rr.SOA, false), soaName(rr.SOA, true)} {
		if n != "" && n != "." {
			if err := dnsname.Check(n); err != nil {
				return fmt.Errorf("zone: record %s: %w", rr.Name, err)
			}
		}
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	z.addLocked(rr)
	return nil
}

func soaName(soa *SOA, rname bool) string {
	switch {
	case soa == nil:
		return ""
	case rname:
		return soa.RName
	}
	return soa.MName
}

// canonicalTarget lower-cases a target name and removes its trailing dot;
// the root stays ".".
func canonicalTarget(s string) string {
	if s == "." || s == "" {
		return "."
	}
	return key(s)
}

func (z *Zone) addLocked(rr RR) {
	n := z.nodes[rr.Name]
	if n == nil {
		n = &node{}
		z.nodes[rr.Name] = n
		for p := rr.Name; p != "" && p != "."; p = dnsname.Parent(p) {
			z.exists[p] = true
		}
		if parent, ok := strings.CutPrefix(rr.Name, "*."); ok {
			z.wild[parent] = n
		}
	}
	n.rrs = append(n.rrs, rr)
	switch rr.Type {
	case TypeA:
		n.addr4 = append(n.addr4, rr.Addr)
	case TypeAAAA:
		n.addr6 = append(n.addr6, rr.Addr)
	case TypeTXT:
		n.txt = append(n.txt, rr.Joined())
	case TypeMX:
		n.mx = append(n.mx, net.MX{Host: fqdn(rr.Target), Pref: rr.Pref})
		slices.SortStableFunc(n.mx, func(a, b net.MX) int { return int(a.Pref) - int(b.Pref) })
	case TypePTR:
		n.ptr = append(n.ptr, fqdn(rr.Target))
	case TypeCNAME:
		n.cname = rr.Target
	}
}

func fqdn(s string) string {
	if s == "." {
		return s
	}
	return s + "."
}

// AddTXT adds one TXT record holding value, split into 255-byte
// character-strings when it is longer (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
func (z *Zone) AddTXT(name, value string) {
	z.mustAdd(RR{Name: name, Type: TypeTXT, Text: SplitString(value)})
}

// AddTXTStrings adds one TXT record with the given character-strings; any
// string longer than 255 bytes is split. With no strings the record holds
// none (a TXT record with empty RDATA, as some broken zones publish).
func (z *Zone) AddTXTStrings(name string, strs ...string) {
	var text []string
	for _, s := range strs {
		text = append(text, SplitString(s)...)
	}
	z.mustAdd(RR{Name: name, Type: TypeTXT, Text: text})
}

// AddA adds an A record for each address. It panics if an address is not a
// valid IPv4 address: it is meant for tests and literals, like
// netip.MustParseAddr; use Add for input that may be bad.
func (z *Zone) AddA(name string, addrs ...string) {
	for _, a := range addrs {
		z.mustAdd(RR{Name: name, Type: TypeA, Addr: netip.MustParseAddr(a)})
	}
}

// AddAAAA adds an AAAA record for each address. It panics on an invalid
// address, as AddA does.
func (z *Zone) AddAAAA(name string, addrs ...string) {
	for _, a := range addrs {
		z.mustAdd(RR{Name: name, Type: TypeAAAA, Addr: netip.MustParseAddr(a)})
	}
}

// AddMX adds an MX record. A host of "." (or "") is a null MX (RFC 7505).
func (z *Zone) AddMX(name string, pref uint16, host string) {
	z.mustAdd(RR{Name: name, Type: TypeMX, Pref: pref, Target: canonicalTarget(host)})
}

// AddCNAME adds a CNAME record.
func (z *Zone) AddCNAME(name, target string) {
	z.mustAdd(RR{Name: name, Type: TypeCNAME, Target: target})
}

// AddPTR adds a PTR record; name is the reverse name (…in-addr.arpa or
// …ip6.arpa; see ReverseName).
func (z *Zone) AddPTR(name, target string) {
	z.mustAdd(RR{Name: name, Type: TypePTR, Target: target})
}

// AddNS adds an NS record.
func (z *Zone) AddNS(name, target string) {
	z.mustAdd(RR{Name: name, Type: TypeNS, Target: target})
}

func (z *Zone) mustAdd(rr RR) {
	if err := z.Add(rr); err != nil {
		panic(err)
	}
}

// Records returns every record, ordered by name and then as added.
func (z *Zone) Records() []RR {
	z.mu.RLock()
	defer z.mu.RUnlock()
	names := make([]string, 0, len(z.nodes))
	for name := range z.nodes {
		names = append(names, name)
	}
	slices.SortFunc(names, compareNames)
	var out []RR
	for _, name := range names {
		for _, rr := range z.nodes[name].rrs {
			out = append(out, cloneRR(rr))
		}
	}
	return out
}

// compareNames orders names the DNSSEC way (RFC 4034 §6.1, by labels from the
// right), which keeps a domain's records together in written zones.
func compareNames(a, b string) int {
	if c := compareLabels(a, b); c != 0 {
		return c
	}
	return strings.Compare(a, b) // names that differ only in empty labels
}

func compareLabels(a, b string) int {
	for a != "" && b != "" {
		la, lb := lastLabel(a), lastLabel(b)
		if c := strings.Compare(la, lb); c != 0 {
			return c
		}
		a, b = trimLast(a, la), trimLast(b, lb)
	}
	return len(a) - len(b)
}

func lastLabel(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func trimLast(s, label string) string {
	s = s[:len(s)-len(label)]
	return strings.TrimSuffix(s, ".")
}

// Lookup returns the records of type t owned by name itself: no CNAME
// following, no wildcards, no faults. TypeANY returns all of them.
func (z *Zone) Lookup(name string, t Type) []RR {
	z.mu.RLock()
	defer z.mu.RUnlock()
	n := z.nodes[key(name)]
	if n == nil {
		return nil
	}
	var out []RR
	for _, rr := range n.rrs {
		if t == TypeANY || rr.Type == t {
			out = append(out, cloneRR(rr))
		}
	}
	return out
}

func cloneRR(rr RR) RR {
	rr.Text = slices.Clone(rr.Text)
	if rr.SOA != nil {
		soa := *rr.SOA
		rr.SOA = &soa
	}
	return rr
}

// Remove deletes the records of type t at name (every type with TypeANY)
// and reports how many it removed.
func (z *Zone) Remove(name string, t Type) int {
	z.mu.Lock()
	defer z.mu.Unlock()
	k := key(name)
	n := z.nodes[k]
	if n == nil {
		return 0
	}
	delete(z.nodes, k)
	if parent, ok := strings.CutPrefix(k, "*."); ok {
		delete(z.wild, parent)
	}
	removed := 0
	for _, rr := range n.rrs {
		if t == TypeANY || rr.Type == t {
			removed++
			continue
		}
		z.addLocked(rr)
	}
	if removed > 0 {
		z.rebuildExists()
	}
	return removed
}

func (z *Zone) rebuildExists() {
	clear(z.exists)
	for name := range z.nodes {
		for p := name; p != "" && p != "."; p = dnsname.Parent(p) {
			z.exists[p] = true
		}
	}
}

// ReverseName returns the name under in-addr.arpa (IPv4, RFC 1035 §3.5) or
// ip6.arpa (IPv6, RFC 3596 §2.5) whose PTR records name addr's hosts.
// IPv4-mapped IPv6 addresses use the in-addr.arpa form.
func ReverseName(addr netip.Addr) string {
	addr = addr.Unmap()
	var b strings.Builder
	if addr.Is4() {
		a := addr.As4()
		fmt.Fprintf(&b, "%d.%d.%d.%d.in-addr.arpa", a[3], a[2], a[1], a[0])
		return b.String()
	}
	a := addr.As16()
	const hex = "0123456789abcdef"
	for i := len(a) - 1; i >= 0; i-- {
		b.WriteByte(hex[a[i]&0xf])
		b.WriteByte('.')
		b.WriteByte(hex[a[i]>>4])
		b.WriteByte('.')
	}
	b.WriteString("ip6.arpa")
	return b.String()
}
