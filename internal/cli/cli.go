// Package cli is the ossvault command line. Its names, flags, outputs and exit
// codes are a contract that scripts outside the repository rely on (see the
// README); change them only by adding.
//
// Each command lives in its own file and registers itself in init with
// register. Commands return errors; Main turns them into one line on stderr
// and an exit status:
//
//	0 success
//	1 any other failure
//	2 usage error
//	3 no key available to open the object
//	4 integrity check failed
//
// Names that come from outside the program (object keys, bucket and file
// names, matdescs) are printed through internal/safetext: a control
// character, line separator or bidi override in one prints as an escape
// such as \n or \u202e, so one entry always stays one line, and a backslash
// in a name prints doubled. Printable names print as they are.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
	"github.com/ossvault/ossvault/internal/version"
)

// Exit statuses, fixed by the command-line contract.
const (
	ExitOK        = 0
	ExitFailure   = 1
	ExitUsage     = 2
	ExitNoKey     = 3
	ExitIntegrity = 4
)

// Stdio is the process environment a command sees. Tests substitute their
// own to run commands in-process.
type Stdio struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
	// IsTerminal reports whether Err is a terminal (for progress bars).
	IsTerminal func() bool
}

// Std returns the real process environment.
func Std() Stdio {
	return Stdio{
		In:         os.Stdin,
		Out:        os.Stdout,
		Err:        os.Stderr,
		Getenv:     os.Getenv,
		IsTerminal: func() bool { return isTerminal(os.Stderr) },
	}
}

// AppOptions tell the desktop app how to start.
type AppOptions struct {
	// Local starts the app on the embedded local endpoint with a demo bucket.
	Local bool
	// Home is the OSSVAULT_HOME folder.
	Home string
	// Context ends when SIGINT or SIGTERM arrives, from the moment the
	// process began listening: the app must quit even if the signal came
	// before it set up its own handling.
	Context context.Context
}

// AppRunner opens the desktop app and returns when its window closes.
type AppRunner func(AppOptions) error

// Env is what a running command gets: the process environment plus the
// resolved home folder.
type Env struct {
	Stdio
	Home string
}

type command struct {
	name    string
	args    string // usage after the name, e.g. "oss://BUCKET"
	summary string
	// flags declares the command's flags on fs; it may be nil.
	flags func(fs *pflag.FlagSet)
	run   func(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("cli: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// usageError is a mistake in how the command was called (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef reports a usage error.
func usagef(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// Main runs the command line with args (without the program name) and returns
// the exit status.
func Main(args []string, stdio Stdio, app AppRunner) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, stdio, app)
}

// Run is Main with a caller-supplied context.
func Run(ctx context.Context, args []string, stdio Stdio, app AppRunner) int {
	if stdio.Getenv == nil {
		stdio.Getenv = func(string) string { return "" }
	}
	if stdio.IsTerminal == nil {
		stdio.IsTerminal = func() bool { return false }
	}
	if err := checkDebugEnv(stdio.Getenv); err != nil {
		return report(stdio.Err, err)
	}
	home, err := resolveHome(stdio.Getenv)
	if err != nil {
		return report(stdio.Err, err)
	}
	env := &Env{Stdio: stdio, Home: home}

	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return runApp(ctx, env, args, app)
	}
	name := args[0]
	if name == "help" {
		printUsage(stdio.Out)
		return ExitOK
	}
	c, ok := commands[name]
	if !ok {
		return report(stdio.Err, usagef("unknown command %q (run \"ossvault --help\" for the list)", name))
	}
	fs := pflag.NewFlagSet("ossvault "+name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SetInterspersed(true)
	help := fs.BoolP("help", "h", false, "show this help")
	if c.flags != nil {
		c.flags(fs)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return report(stdio.Err, usagef("%s: %v", name, err))
	}
	if *help {
		fmt.Fprintf(stdio.Out, "usage: ossvault %s %s\n\n%s\n\n%s", name, c.args, c.summary, fs.FlagUsages())
		return ExitOK
	}
	return report(stdio.Err, c.run(ctx, env, fs, fs.Args()))
}

func runApp(ctx context.Context, env *Env, args []string, app AppRunner) int {
	fs := pflag.NewFlagSet("ossvault", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	local := fs.Bool("local", false, "open the app on the embedded local endpoint")
	showVersion := fs.Bool("version", false, "print the version")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		return report(env.Err, usagef("%v", err))
	}
	switch {
	case *help:
		printUsage(env.Out)
		return ExitOK
	case *showVersion:
		fmt.Fprintf(env.Out, "ossvault %s\n", version.String())
		return ExitOK
	case fs.NArg() > 0:
		return report(env.Err, usagef("unexpected argument %q", fs.Arg(0)))
	}
	if app == nil {
		return report(env.Err, errors.New("this build has no desktop app"))
	}
	return report(env.Err, app(AppOptions{Local: *local, Home: env.Home, Context: ctx}))
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "ossvault %s: encrypt files on this computer and exchange them through Alibaba Cloud OSS\n\n", version.String())
	fmt.Fprintln(w, "usage:")
	fmt.Fprintln(w, "  ossvault [--local]        open the desktop app")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(w, "  ossvault %s %s\n      %s\n", n, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"ossvault COMMAND --help\" for a command's flags.")
}

// report prints err as one line on w and returns the exit status for it.
func report(w io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(w, "ossvault: %s\n", errorLine(err))
	return ExitCode(err)
}

// errorLine renders err as one line that is safe to print. Names that the
// command line quotes are escaped where the message is built; this also
// escapes what other packages quote as it came (a path, an object name,
// a server's words), and removes any signature or credential a URL in the
// message still carries.
func errorLine(err error) string {
	msg := strings.TrimSpace(err.Error())
	msg = strings.ReplaceAll(msg, "\r\n", "\n")
	msg = strings.ReplaceAll(msg, "\n", "; ")
	return safetext.Line(safetext.RedactSignatures(msg))
}

// ExitCode maps an error to the contract's exit status.
func ExitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		return ExitUsage
	case errors.Is(err, envelope.ErrIntegrity):
		return ExitIntegrity
	case errors.Is(err, envelope.ErrNoKey):
		return ExitNoKey
	default:
		return ExitFailure
	}
}

// checkDebugEnv refuses DEBUG=sdk. With it, the Alibaba Cloud SDK prints
// every KMS request URL, and those carry base64 data keys and STS tokens. The
// SDK reads the variable while the program initialises, before any code of
// ours runs, so refusing is the only safe answer.
func checkDebugEnv(getenv func(string) string) error {
	for _, part := range strings.Split(getenv("DEBUG"), ",") {
		if part == "sdk" {
			return usagef("DEBUG=sdk makes the Alibaba Cloud SDK print secrets (data keys, tokens); unset DEBUG and run again")
		}
	}
	return nil
}

// resolveHome returns OSSVAULT_HOME, or the OS's user config folder +
// "ossvault".
func resolveHome(getenv func(string) string) (string, error) {
	if h := getenv("OSSVAULT_HOME"); h != "" {
		return filepath.Abs(h)
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a folder for settings (set OSSVAULT_HOME): %w", err)
	}
	return filepath.Join(dir, "ossvault"), nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
