package account

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
)

// TestSandboxLimitsMatchFACTS: the sandbox limits are the ones FACTS.md
// §5.1 states.
func TestSandboxLimitsMatchFACTS(t *testing.T) {
	facts, err := os.ReadFile(shared.Require(t, "reference", "ses", "FACTS.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"At most **200 messages per 24-hour period**", "At most **1 message per second**"} {
		if !strings.Contains(string(facts), s) {
			t.Errorf("FACTS.md no longer says %q; re-check the constant that encodes it", s)
		}
	}
	if SandboxMax24HourSend != 200 || SandboxMaxSendRate != 1 {
		t.Errorf("sandbox limits %d/%d", SandboxMax24HourSend, SandboxMaxSendRate)
	}
}

// TestAPIEnums checks the production-access enumerations against the
// botocore extract in reference/ses/samples/api-enums-botocore.json.
func TestAPIEnums(t *testing.T) {
	data, err := os.ReadFile(shared.Require(t, "reference", "ses", "samples", "api-enums-botocore.json"))
	if err != nil {
		t.Fatal(err)
	}
	var enums map[string]json.RawMessage
	if err := json.Unmarshal(data, &enums); err != nil {
		t.Fatal(err)
	}
	list := func(key string) (v []string) {
		if err := json.Unmarshal(enums[key], &v); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		return v
	}
	if got := list("sesv2.MailType"); !slices.Equal(got, []string{string(MailTypeMarketing), string(MailTypeTransactional)}) {
		t.Errorf("MailType %q", got)
	}
	if got := list("sesv2.ContactLanguage"); !slices.Equal(got, []string{string(ContactLanguageEnglish), string(ContactLanguageJapanese)}) {
		t.Errorf("ContactLanguage %q", got)
	}
}
