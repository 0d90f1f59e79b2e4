// Command domainauth audits and works with a domain's mail authentication:
// SPF, DKIM, DMARC, MX, DMARC aggregate reports and the DNS set-up of an
// Amazon SES sending domain.
//
// The main job is
//
//	domainauth check example.org
//
// which looks the domain up in DNS (or in a master file given with --zone, or
// a Route 53 record-set listing given with --route53) and prints, grouped by
// area, every problem it finds with its severity, a stable code, the record it
// concerns and what to publish instead. The other commands expose one package
// each: spf, dkim, dmarc, report, ses and zone. Run "domainauth help" for the
// list and "domainauth COMMAND --help" for a command's flags and an example.
//
// Exit status: 0 when nothing is wrong, 1 when the command found errors (an
// audit with error findings, a failed evaluation or verification), 2 for a
// usage mistake, unreadable input or DNS trouble. Errors are one line on
// standard error.
package main

import (
	"context"
	"os"
)

func main() {
	a := &app{
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		terminal: isTerminal(os.Stderr),
	}
	os.Exit(a.run(context.Background(), os.Args[1:]))
}

// isTerminal reports whether f is a character device, the sign of an
// interactive terminal, without any dependency outside the standard library.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
