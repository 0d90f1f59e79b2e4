package web_test

import (
	"errors"
	"fmt"

	"github.com/domainauth/domainauth/web"
)

// The dashboard refuses to listen beyond the loopback address unless it
// is protected: an access token, and TLS or a TLS-terminating proxy.
func ExampleConfig_CheckAddress() {
	for _, cfg := range []web.Config{
		{},
		{Listen: "0.0.0.0:8080"},
		{Listen: "0.0.0.0:8080", Token: "a-long-random-access-token", BehindTLSProxy: true},
	} {
		err := cfg.CheckAddress()
		fmt.Printf("%q: allowed %v, non-loopback refusal %v\n", cfg.Listen, err == nil, errors.Is(err, web.ErrNonLoopback))
	}
	// Output:
	// "": allowed true, non-loopback refusal false
	// "0.0.0.0:8080": allowed false, non-loopback refusal true
	// "0.0.0.0:8080": allowed true, non-loopback refusal false
}
