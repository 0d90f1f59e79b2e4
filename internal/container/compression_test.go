package container

import "testing"

// TestCompressionString: the two values print as their names; any other
// value prints as its number, never as "gzip" (report.Filename and
// tlsrpt.Filename add .gz only for CompressionGzip).
func TestCompressionString(t *testing.T) {
	for _, tt := range []struct {
		c    Compression
		want string
	}{
		{CompressionGzip, "gzip"},
		{CompressionNone, "none"},
		{Compression(7), "Compression(7)"},
	} {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("Compression(%d).String() = %q, want %q", uint8(tt.c), got, tt.want)
		}
	}
}
