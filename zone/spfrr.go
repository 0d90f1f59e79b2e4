package zone

import (
	"context"

	"github.com/domainauth/domainauth"
)

// LookupSPFRR returns the text of the deprecated type SPF (99) records at
// name, each record's strings joined. It is the optional capability the spf
// linter uses to warn that such records are still published (RFC 7208 §3.1).
func (z *Zone) LookupSPFRR(ctx context.Context, name string) ([]string, error) {
	if err := z.wait(ctx, name); err != nil {
		return nil, err
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	n, err := z.resolve(name, TypeSPF)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range n.rrs {
		if rr.Type == TypeSPF {
			out = append(out, rr.Joined())
		}
	}
	if out == nil {
		return nil, domainauth.NotFoundError(name)
	}
	return out, nil
}
