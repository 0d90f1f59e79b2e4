package zone

import (
	"context"
)

// LookupSPFRR returns the text of the deprecated type SPF (99) records at
// name, each record's strings joined. It is the optional capability the spf
// linter uses to warn that such records are still published (RFC 7208 §3.1).
func (z *Zone) LookupSPFRR(ctx context.Context, name string) ([]string, error) {
	return lookup(z, ctx, name, TypeSPF, func(n *node) ([]string, bool) {
		var out []string
		for _, rr := range n.rrs {
			if rr.Type == TypeSPF {
				out = append(out, rr.Joined())
			}
		}
		return out, out != nil
	})
}
