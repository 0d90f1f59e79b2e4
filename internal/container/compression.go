package container

import "strconv"

// Compression is how a report file is stored: gzip'd or plain. Both report
// kinds that write files (report and tlsrpt) expose it under their own name
// as an alias, so that one value serves both and a caller that writes DMARC
// and TLS reports alike (store/ingest, the command) needs one setting.
//
// The zero value is CompressionGzip: every report kind sends its files
// gzip'd by default (RFC 9990 §3.5.2, RFC 7489 §7.2.1.1, RFC 8460 §5.3).
type Compression uint8

// The compressions of a report file.
const (
	CompressionGzip Compression = iota // gzip: the name ends in .gz
	CompressionNone                    // the plain document
)

// String returns "gzip" or "none", and "Compression(n)" for a value that is
// neither: Filename writes no .gz for such a value, so it must not print
// as "gzip".
func (c Compression) String() string {
	switch c {
	case CompressionGzip:
		return "gzip"
	case CompressionNone:
		return "none"
	}
	return "Compression(" + strconv.Itoa(int(c)) + ")"
}
