package livedns_test

import (
	"context"
	"fmt"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/livedns"
)

// The system's name server as a Resolver with every capability; an
// audit-sized cache comes with it. (Not run: it needs the network.)
func ExampleResolver() {
	r := &livedns.Resolver{Timeout: 3 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// A resolver that answers NXDOMAIN for everything says so here.
	if ok, err := r.LookupExists(ctx, "org"); err != nil || !ok {
		fmt.Println("DNS is unusable:", r.Servers(), err)
		return
	}
	strs, err := r.LookupTXTStrings(ctx, "example.org")
	fmt.Println(len(strs), domainauth.Classify(ctx, err))
}
