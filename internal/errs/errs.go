// Package errs holds the two helpers that keep the module's errors to its
// rules: a package sentinel that is one case of a module-wide one, and a
// package prefix written once, on the outermost error.
package errs

import "strings"

// New returns an error with text msg for which errors.Is also reports
// parent: a package's own sentinel (spf.ErrDNS) that is one case of a
// module-wide one (domainauth.ErrTemporary), or an error that is such a
// case. Its text is msg alone.
func New(msg string, parent error) error { return &sentinel{msg: msg, parent: parent} }

type sentinel struct {
	msg    string
	parent error
}

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Unwrap() error { return e.parent }

// Detail returns the text of err without a leading "pkg: ": what an error
// of package pkg that wraps err and names the package itself writes after
// its own text, so that the prefix appears once.
func Detail(pkg string, err error) string {
	if err == nil {
		return "<nil>"
	}
	s := err.Error()
	if rest, ok := strings.CutPrefix(s, pkg+": "); ok {
		return rest
	}
	return s
}
