package livedns

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseResolvConf(t *testing.T) {
	tests := []struct {
		name string
		conf string
		want []string
	}{
		{"one", "nameserver 192.0.2.53\n", []string{"192.0.2.53:53"}},
		{"several, with options and comments", "# a comment\nsearch example.org\nnameserver 192.0.2.1\noptions timeout:1\nnameserver 2001:db8::1\n",
			[]string{"192.0.2.1:53", "[2001:db8::1]:53"}},
		{"tabs and a trailing word", "nameserver\t192.0.2.9\textra\n", []string{"192.0.2.9:53"}},
		{"none", "search example.org\n", nil},
		{"a bare keyword", "nameserver\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseResolvConf(strings.NewReader(tt.conf))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
