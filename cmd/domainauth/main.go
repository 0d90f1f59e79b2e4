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
