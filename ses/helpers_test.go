package ses

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/shared"
)

// seedTokens are the Easy DKIM tokens of the seed example (example.org in
// ap-northeast-2).
var seedTokens = []string{"ee3iyktt6a52swhlzrcnadeiwwa27oo6", "hleoy2vma4pcnkbbyeekmttjnef4mcgf", "b743qnjojiphl56mvjxi2ietqlhb774b"}

const seedDMARC = "v=DMARC1; p=quarantine; rua=mailto:mail-master@example.org"

func mustDMARC(t testing.TB, s string) *dmarc.Record {
	t.Helper()
	r, err := dmarc.ParseRecord(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// seedIdentity is the seed's example: example.org, ap-northeast-2, three
// Easy DKIM tokens, MAIL FROM mail.example.org, DMARC with rua.
func seedIdentity(t testing.TB) Identity {
	return Identity{
		Domain:         "example.org",
		Region:         "ap-northeast-2",
		EasyDKIMTokens: slices.Clone(seedTokens),
		MailFrom:       "mail.example.org",
		DMARC:          mustDMARC(t, seedDMARC),
	}
}

func seedPlan(t testing.TB) *Plan {
	t.Helper()
	p, err := seedIdentity(t).Plan()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

// sharedDir finds ../shared beside the repository root, walking up from the
// package directory; "" when absent.
func sharedDir(t testing.TB) string {
	return shared.Find()
}

// repoFile returns the path of a file in the repository root (the parent of
// this package), or "" when it does not exist.
func repoFile(t testing.TB, rel string) string {
	p, err := filepath.Abs(filepath.Join("..", rel))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}
