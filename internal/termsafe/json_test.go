package termsafe

import (
	"encoding/json"
	"testing"
)

// TestJSON: the runes String escapes are \u escapes in JSON, and the
// result decodes to the same string.
func TestJSON(t *testing.T) {
	in := "a\u009b31m\u202eb\u2028c é"
	js, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	got := JSON(js)
	if want := `"a\u009b31m\u202eb\u2028c é"`; string(got) != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
	var back string
	if err := json.Unmarshal(got, &back); err != nil || back != in {
		t.Errorf("decodes to %q, %v; want %q", back, err, in)
	}
}
