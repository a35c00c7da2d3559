package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/ossvault/ossvault/vault"
)

// errNoTerminal: a secret was needed, none was in the environment, and there
// is no terminal to ask on.
var errNoTerminal = errors.New("no terminal to ask on")

// terminalIn returns env.In as a terminal, if it is one.
func terminalIn(env *Env) (*os.File, bool) {
	f, ok := env.In.(*os.File)
	return f, ok && term.IsTerminal(int(f.Fd()))
}

// askSecret prompts on the terminal without echo.
func askSecret(env *Env, prompt string) (string, error) {
	f, ok := terminalIn(env)
	if !ok {
		return "", errNoTerminal
	}
	fmt.Fprint(env.Err, prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Err)
	if err != nil {
		return "", fmt.Errorf("failed to read from the terminal: %w", err)
	}
	return string(b), nil
}

// askLine prompts on the terminal with echo, for values that are not secret.
func askLine(env *Env, prompt string) (string, error) {
	if _, ok := terminalIn(env); !ok {
		return "", errNoTerminal
	}
	fmt.Fprint(env.Err, prompt)
	line, err := bufio.NewReader(env.In).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", fmt.Errorf("failed to read from the terminal: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// passphrase returns OSSVAULT_PASSPHRASE, else asks on the terminal. With
// confirm, for a new backup, it refuses a passphrase vault.CheckPassphrase
// refuses (before asking a second time), and asks twice, since a mistyped
// passphrase would lock the backup for good. A restore takes any
// passphrase: the file's own may predate the rule.
func passphrase(env *Env, confirm bool) (string, error) {
	if p := env.Getenv("OSSVAULT_PASSPHRASE"); p != "" {
		if confirm {
			if err := newPassphrase(p); err != nil {
				return "", err
			}
		}
		return p, nil
	}
	p, err := askSecret(env, "Backup passphrase: ")
	if errors.Is(err, errNoTerminal) {
		return "", usagef("a passphrase is needed: set OSSVAULT_PASSPHRASE or run in a terminal")
	}
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", usagef("the passphrase cannot be empty")
	}
	if confirm {
		if err := newPassphrase(p); err != nil {
			return "", err
		}
		again, err := askSecret(env, "Same passphrase again: ")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", usagef("the two passphrases differ; nothing was written")
		}
	}
	return p, nil
}

// newPassphrase refuses a passphrase too short for a new backup.
func newPassphrase(p string) error {
	if err := vault.CheckPassphrase(p); err != nil {
		return fmt.Errorf("%w; nothing was written", err)
	}
	return nil
}

// onlyFlags rejects flags that were given but belong to another subcommand,
// since one flag set serves all of a command's subcommands.
func onlyFlags(fs *pflag.FlagSet, cmd string, allowed ...string) error {
	var err error
	fs.Visit(func(f *pflag.Flag) {
		for _, a := range allowed {
			if f.Name == a {
				return
			}
		}
		if err == nil {
			err = usagef("%s does not take --%s", cmd, f.Name)
		}
	})
	return err
}
