package mtasts

import (
	"testing"

	"github.com/domainauth/domainauth/internal/codetest"
)

// TestFindingCodesComplete: FindingCodes lists every code the package's
// source emits and its tests expect, each once and with the package's
// prefix.
func TestFindingCodesComplete(t *testing.T) {
	codetest.Check(t, ".", "mtasts", FindingCodes())
}
