package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/internal/safetext"
	"github.com/ossvault/ossvault/vault"
)

func init() {
	register(&command{
		name:    "account",
		args:    "add NAME --endpoint URL [--region R] | list | rm NAME | import-ossutil [FILE]",
		summary: "Manages saved OSS accounts; AccessKey secrets and STS tokens live in the system keychain.",
		flags: func(fs *pflag.FlagSet) {
			fs.String("endpoint", "", "add: OSS endpoint `URL` (a region's public, internal or accelerate endpoint, or a custom domain)")
			fs.String("region", "", "add: region id, e.g. cn-hangzhou (default: from the endpoint)")
		},
		run: runAccount,
	})
}

func runAccount(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) == 0 {
		return usagef("account needs a subcommand: add, list, rm or import-ossutil")
	}
	sub, rest := args[0], args[1:]
	var err error
	switch sub {
	case "add":
		if len(rest) != 1 {
			return usagef("usage: ossvault account add NAME --endpoint URL [--region R]")
		}
	case "list":
		if len(rest) != 0 {
			return usagef("usage: ossvault account list")
		}
		err = onlyFlags(fs, "account list")
	case "rm":
		if len(rest) != 1 {
			return usagef("usage: ossvault account rm NAME")
		}
		err = onlyFlags(fs, "account rm")
	case "import-ossutil":
		if len(rest) > 1 {
			return usagef("usage: ossvault account import-ossutil [FILE]")
		}
		err = onlyFlags(fs, "account import-ossutil")
	default:
		return usagef("unknown subcommand \"account %s\" (run \"ossvault account --help\")", sub)
	}
	if err != nil {
		return err
	}
	v, err := openVault(env)
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		return accountAdd(env, fs, v, rest[0])
	case "list":
		for _, a := range v.Accounts() {
			fmt.Fprintln(env.Out, accountLine(a))
		}
		return nil
	case "rm":
		return v.RemoveAccount(rest[0])
	default:
		path := ""
		if len(rest) == 1 {
			path = rest[0]
		}
		return accountImportOssutil(env, v, path)
	}
}

// accountLine is one line of "account list": name, endpoint, region ("-" if
// none), AccessKey ID, and "sts" or "accesskey".
func accountLine(a vault.Account) string {
	region, kind := a.Region, "accesskey"
	if region == "" {
		region = "-"
	}
	if a.STS {
		kind = "sts"
	}
	return strings.Join([]string{a.Name, safetext.Name(a.Endpoint), safetext.Name(region), safetext.Name(a.AccessKeyID), kind}, "\t")
}

func accountAdd(env *Env, fs *pflag.FlagSet, v *vault.Vault, name string) error {
	endpoint, _ := fs.GetString("endpoint")
	region, _ := fs.GetString("region")
	if endpoint == "" {
		return usagef("usage: ossvault account add NAME --endpoint URL [--region R]")
	}
	id, secret, token, err := accountSecret(env)
	if err != nil {
		return err
	}
	a, err := v.AddAccount(vault.Account{Name: name, Endpoint: endpoint, Region: region, AccessKeyID: id}, secret, token)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Out, accountLine(a))
	return nil
}

// accountSecret takes the AccessKey from OSS_ACCESS_KEY_ID,
// OSS_ACCESS_KEY_SECRET and OSS_SESSION_TOKEN, else asks on the terminal.
func accountSecret(env *Env) (id, secret, token string, err error) {
	id, secret, token = env.Getenv("OSS_ACCESS_KEY_ID"), env.Getenv("OSS_ACCESS_KEY_SECRET"), env.Getenv("OSS_SESSION_TOKEN")
	switch {
	case id != "" && secret != "":
		return id, secret, token, nil
	case id != "" || secret != "":
		return "", "", "", usagef("set both OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET, or neither to be asked")
	}
	if id, err = askLine(env, "AccessKey ID: "); err == nil {
		if secret, err = askSecret(env, "AccessKey secret: "); err == nil {
			token, err = askSecret(env, "STS token (press Enter if none): ")
		}
	}
	if errors.Is(err, errNoTerminal) {
		return "", "", "", usagef("no AccessKey: set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET (and OSS_SESSION_TOKEN for STS), or run in a terminal")
	}
	return id, secret, token, err
}

func accountImportOssutil(env *Env, v *vault.Vault, path string) error {
	rep, err := v.ImportOssutilReport(path)
	if err != nil {
		return err
	}
	for _, a := range rep.Imported {
		fmt.Fprintln(env.Out, accountLine(a))
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(env.Err, "skipped profile %s: %s\n", safetext.Name(s.Name), safetext.Line(s.Reason))
	}
	if len(rep.Imported) == 0 && len(rep.Skipped) == 0 {
		return fmt.Errorf("no credentials found in the ossutil config file")
	}
	return nil
}
