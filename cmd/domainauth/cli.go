package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"github.com/domainauth/domainauth/audit"
	"io"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/termsafe"
)

// Exit statuses, documented in the package comment and in "domainauth help".
const (
	exitOK      = 0 // nothing wrong
	exitFailed  = 1 // the command ran and found errors
	exitTrouble = 2 // usage mistake, unreadable input, DNS trouble
)

// app holds what a command may touch: its standard streams and clock. Tests
// build one with buffers and a fixed clock and call run directly.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	terminal       bool             // stderr is a terminal: progress lines allowed
	clock          domainauth.Clock // nil: the system clock
	random         io.Reader        // key generation; nil: crypto/rand
	progressDelay  time.Duration    // show progress after this long; 0: 500ms, negative: at once
	cmdPath        string           // "domainauth spf check", for messages
	// httpDial and httpRoots replace, in tests, the dialer and the root
	// certificates of the HTTPS client check uses on live DNS (see
	// fetcher), so that fetches reach a loopback server.
	httpDial  func(ctx context.Context, network, addr string) (net.Conn, error)
	httpRoots *x509.CertPool
}

// command is one node of the command tree: either a group with subcommands
// or a leaf with a setup function that declares its flags.
type command struct {
	name     string
	args     string   // positional arguments for the usage line, e.g. "DOMAIN IP"
	summary  string   // one line for the parent's list
	long     string   // paragraph(s) for --help
	examples []string // shown under "Example" in --help; at least one per leaf
	minArgs  int
	maxArgs  int // -1: unlimited
	subs     []*command
	// setup declares the command's flags on fs and returns the function
	// that runs it with the positional arguments once flags are parsed.
	setup func(a *app, fs *flag.FlagSet) func(ctx context.Context, args []string) error
}

// usageError is a mistake in the command line: exit status 2, one line on
// stderr with a pointer to --help.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// errFindings reports that the command found errors and already said so on
// stdout: exit status 1 with nothing more on stderr.
var errFindings = errors.New("errors found")

// rootCommand builds the command tree. It is a function, not a package
// variable, so that no state is shared between runs.
func rootCommand() *command {
	return &command{
		name:    "domainauth",
		summary: "audit and work with SPF, DKIM, DMARC, MX and Amazon SES domain set-ups",
		long: `domainauth checks a domain's mail authentication in DNS or in a zone file,
and works with the records, messages and reports involved.

Exit status: 0 nothing wrong, 1 errors found, 2 usage, input or DNS trouble.`,
		examples: []string{
			"domainauth check --zone examples/zones/example.org.zone example.org",
			"domainauth check --selector s1 example.com",
			"domainauth spf --help",
		},
		subs: []*command{
			checkCommand(),
			spfCommand(),
			dkimCommand(),
			dmarcCommand(),
			reportCommand(),
			sesCommand(),
			zoneCommand(),
		},
	}
}

// run executes the command line args and returns the exit status. It never
// panics: a panic in a command becomes one line on stderr and status 2.
func (a *app) run(ctx context.Context, args []string) (status int) {
	root := rootCommand()
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(a.stderr, "domainauth: internal error: %s\n", audit.SafeLine(fmt.Sprint(v)))
			status = exitTrouble
		}
	}()
	cmd, path, rest := root, "domainauth", args
	for len(cmd.subs) > 0 {
		if len(rest) == 0 {
			names := make([]string, len(cmd.subs))
			for i, s := range cmd.subs {
				names[i] = s.name
			}
			return a.fail(path, usagef("missing command: one of %s", strings.Join(names, ", ")))
		}
		name := rest[0]
		switch name {
		case "help", "-h", "-help", "--help":
			if name == "help" && len(rest) > 1 {
				// "domainauth help spf check" is "domainauth spf check --help".
				rest = append(rest[1:len(rest):len(rest)], "--help")
				continue
			}
			a.printHelp(a.stdout, cmd, path)
			return exitOK
		}
		next := cmd.find(name)
		if next == nil {
			return a.fail(path, usagef("unknown command %q", name))
		}
		cmd, path, rest = next, path+" "+name, rest[1:]
	}
	a.cmdPath = path
	fs := flag.NewFlagSet(path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	runFn := cmd.setup(a, fs)
	pos, err := parseInterspersed(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		a.printHelp(a.stdout, cmd, path)
		return exitOK
	}
	if err != nil {
		return a.fail(path, &usageError{cleanFlagError(err)})
	}
	if len(pos) < cmd.minArgs || (cmd.maxArgs >= 0 && len(pos) > cmd.maxArgs) {
		return a.fail(path, usagef("want %s, got %d argument(s)", argsWanted(cmd), len(pos)))
	}
	return a.fail(path, runFn(ctx, pos))
}

// fail turns a command's error into the exit status, writing one line to
// stderr for anything but errFindings.
//
// fail is the one place a command's error is printed, so it is where the
// message is made safe for the terminal: errors carry what they cite of the
// input as it was (file names, record text, flag values, and wrapped errors,
// which errors.Is and errors.As see through), and fail escapes the message
// once with termsafe.Message, which keeps the escapes of what the packages
// quote with %q as they are rather than doubling their backslashes.
func (a *app) fail(path string, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errFindings) {
		return exitFailed
	}
	msg := termsafe.Message(audit.OneLine(err.Error()))
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(a.stderr, "%s: %s (see '%s --help')\n", path, msg, path)
		return exitTrouble
	}
	fmt.Fprintf(a.stderr, "%s: %s\n", path, msg)
	return exitTrouble
}

func (c *command) find(name string) *command {
	for _, s := range c.subs {
		if s.name == name {
			return s
		}
	}
	return nil
}

func argsWanted(c *command) string {
	if c.args == "" {
		return "no arguments"
	}
	return c.args
}

// parseInterspersed parses flags anywhere on the line, as people type them
// ("check example.org --json"); "--" ends flag parsing.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		// fs.Parse stops at the first non-flag, or just after "--", after
		// which everything is positional.
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// cleanFlagError rewrites the flag package's messages into this tool's
// double-dash spelling.
func cleanFlagError(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + strings.TrimLeft(name, "-")
	}
	if rest, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag --" + strings.TrimLeft(rest, "-") + " needs a value"
	}
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		return "invalid value " + strings.Replace(rest, " for flag -", " for flag --", 1)
	}
	return msg
}

// printHelp writes a command's help: usage line, description, subcommands or
// flags, and examples.
func (a *app) printHelp(w io.Writer, c *command, path string) {
	var b strings.Builder
	if len(c.subs) > 0 {
		fmt.Fprintf(&b, "Usage: %s COMMAND [flags] [arguments]\n\n", path)
	} else {
		fmt.Fprintf(&b, "Usage: %s [flags] %s\n\n", path, c.args)
	}
	if c.long != "" {
		b.WriteString(c.long)
		b.WriteString("\n\n")
	} else if c.summary != "" {
		b.WriteString(strings.ToUpper(c.summary[:1]) + c.summary[1:] + ".\n\n")
	}
	if len(c.subs) > 0 {
		b.WriteString("Commands:\n")
		for _, s := range c.subs {
			fmt.Fprintf(&b, "  %-8s %s\n", s.name, s.summary)
		}
		b.WriteString("\n")
	} else {
		fs := flag.NewFlagSet(path, flag.ContinueOnError)
		c.setup(a, fs)
		writeFlags(&b, fs)
	}
	if len(c.examples) > 0 {
		b.WriteString("Example:\n")
		for _, e := range c.examples {
			fmt.Fprintf(&b, "  %s\n", e)
		}
	}
	if len(c.subs) > 0 {
		fmt.Fprintf(&b, "\nRun '%s COMMAND --help' for a command's flags and an example.\n", path)
	}
	io.WriteString(w, b.String())
}

// writeFlags lists the flags in "--name VALUE  usage" form, sorted by name.
func writeFlags(b *strings.Builder, fs *flag.FlagSet) {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if kind != "" {
			left += " " + kind
		}
		if d := f.DefValue; d != "" && d != "false" && d != "0" && d != "0s" && d != "[]" {
			usage += " (default " + d + ")"
		}
		rows = append(rows, row{left, usage})
		width = max(width, len(left))
	})
	if len(rows) == 0 {
		return
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].left < rows[j].left })
	b.WriteString("Flags:\n")
	for _, r := range rows {
		fmt.Fprintf(b, "  %-*s  %s\n", width, r.left, r.usage)
	}
	b.WriteString("\n")
}
