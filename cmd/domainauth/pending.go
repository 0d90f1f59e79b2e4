package main

import (
	"context"
	"errors"
	"flag"
)

// pendingCommand stands in for a command whose package has not landed yet.
func pendingCommand(name, summary string) *command {
	return &command{
		name: name, summary: summary, args: "...", maxArgs: -1,
		examples: []string{"domainauth " + name + " --help"},
		setup: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			return func(context.Context, []string) error {
				return errors.New("not available in this build yet")
			}
		},
	}
}

func sesCommand() *command {
	return pendingCommand("ses", "plan and audit an Amazon SES domain identity")
}
