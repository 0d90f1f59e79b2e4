package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/domainauth/domainauth/zone"
)

// readRoute53File reads Route 53 record-set JSON (the output of "aws route53
// list-resource-record-sets", or a change batch) into a zone.
func readRoute53File(file string) (*zone.Zone, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fileError(err)
	}
	defer f.Close()
	z, err := zone.ReadRoute53(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not a Route 53 record-set file: %v", file, strings.TrimPrefix(err.Error(), "zone: "))
	}
	return z, nil
}
