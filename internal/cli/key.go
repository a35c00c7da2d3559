package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
	"github.com/ossvault/ossvault/vault"
	"github.com/ossvault/ossvault/vault/kms"

	"github.com/ossvault/ossvault/internal/atomicfile"
)

func init() {
	register(&command{
		name: "key",
		args: "gen NAME [--bits 2048|3072|4096] [--matdesc JSON] | import NAME --private-key FILE [--matdesc JSON] | " +
			"add-public NAME --public-key FILE [--matdesc JSON] | " +
			"add-kms NAME --kms-key-id ID --region REGION [--kms-endpoint HOST[:PORT]] [--matdesc JSON] [--account NAME | --store-credentials] [--check] | " +
			"export-public NAME | list | default NAME | rm NAME | backup FILE | restore FILE | verify NAME",
		summary: "Manages encryption keys: RSA pairs (private half in the system keychain), colleagues' public keys and KMS keys.",
		flags: func(fs *pflag.FlagSet) {
			fs.Int("bits", 3072, "RSA key size for gen: 2048, 3072 or 4096")
			fs.String("matdesc", "", "key description `JSON` written with each object, e.g. '{\"desc\":\"finance\"}' (default: derived from the key)")
			fs.String("private-key", "", "PEM private key `FILE` (PKCS#1 or PKCS#8) for import")
			fs.String("public-key", "", "PEM public key `FILE` (PKIX or PKCS#1) for add-public")
			fs.String("kms-key-id", "", "KMS key `ID` (or alias) for add-kms")
			fs.String("region", "", "KMS `REGION` for add-kms, e.g. cn-hangzhou")
			fs.String("kms-endpoint", "", "KMS `HOST[:PORT]` for add-kms, for VPC or dedicated KMS instances")
			fs.String("account", "", "add-kms: use the saved account `NAME`'s AccessKey for this key")
			fs.Bool("store-credentials", false, "add-kms: store the AccessKey from ALIBABA_CLOUD_* (or OSS_*) variables with the key")
			fs.Bool("check", false, "add-kms: try the key with KMS first and save it only if it works")
		},
		run: runKey,
	})
}

const addKMSUsage = "key add-kms NAME --kms-key-id ID --region REGION [--kms-endpoint HOST[:PORT]] [--matdesc JSON] [--account NAME | --store-credentials] [--check]"

var keySubcommands = map[string]struct {
	nargs int
	usage string
	flags []string
	run   func(ctx context.Context, env *Env, fs *pflag.FlagSet, v *vault.Vault, args []string) error
}{
	"gen":           {1, "key gen NAME [--bits 2048|3072|4096] [--matdesc JSON]", []string{"bits", "matdesc"}, keyGen},
	"import":        {1, "key import NAME --private-key FILE [--matdesc JSON]", []string{"private-key", "matdesc"}, keyImport},
	"add-public":    {1, "key add-public NAME --public-key FILE [--matdesc JSON]", []string{"public-key", "matdesc"}, keyAddPublic},
	"add-kms":       {1, addKMSUsage, []string{"kms-key-id", "region", "kms-endpoint", "matdesc", "account", "store-credentials", "check"}, keyAddKMS},
	"export-public": {1, "key export-public NAME", nil, keyExportPublic},
	"list":          {0, "key list", nil, keyList},
	"default":       {1, "key default NAME", nil, keyDefault},
	"rm":            {1, "key rm NAME", nil, keyRm},
	"backup":        {1, "key backup FILE", nil, keyBackup},
	"restore":       {1, "key restore FILE", nil, keyRestore},
	"verify":        {1, "key verify NAME", nil, keyVerify},
}

func runKey(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) == 0 {
		return usagef("key needs a subcommand: gen, import, add-public, add-kms, export-public, list, default, rm, backup, restore or verify")
	}
	sub, ok := keySubcommands[args[0]]
	if !ok {
		return usagef("unknown subcommand \"key %s\" (run \"ossvault key --help\")", args[0])
	}
	if len(args)-1 != sub.nargs {
		return usagef("usage: ossvault %s", sub.usage)
	}
	if err := onlyFlags(fs, "key "+args[0], sub.flags...); err != nil {
		return err
	}
	v, err := openVault(env)
	if err != nil {
		return err
	}
	return sub.run(ctx, env, fs, v, args[1:])
}

// matDescFlag parses --matdesc; nil (not given) means the key's default.
func matDescFlag(fs *pflag.FlagSet) (envelope.MatDesc, error) {
	if !fs.Changed("matdesc") {
		return nil, nil
	}
	s, _ := fs.GetString("matdesc")
	md, err := envelope.ParseMatDesc(s)
	if err != nil {
		return nil, usagef("--matdesc must be a JSON object of strings, e.g. '{\"desc\":\"finance\"}': %v", err)
	}
	if md == nil {
		md = envelope.MatDesc{}
	}
	return md, nil
}

// keyLine is one line of "key list": name, kind, fingerprint, matdesc
// ("-" if empty) and "default" on the default key.
func keyLine(k vault.Key) string {
	md := safetext.Line(k.MatDesc.String())
	if md == "" {
		md = "-"
	}
	line := strings.Join([]string{k.Name, string(k.Kind), k.Fingerprint, md}, "\t")
	if k.Default {
		line += "\tdefault"
	}
	return line
}

func keyGen(ctx context.Context, env *Env, fs *pflag.FlagSet, v *vault.Vault, args []string) error {
	bits, _ := fs.GetInt("bits")
	if bits != 2048 && bits != 3072 && bits != 4096 {
		return usagef("--bits must be 2048, 3072 or 4096, not %d", bits)
	}
	md, err := matDescFlag(fs)
	if err != nil {
		return err
	}
	k, err := v.GenerateRSA(ctx, args[0], bits, md)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Out, keyLine(k))
	return nil
}

func readKeyFile(fs *pflag.FlagSet, flag string) ([]byte, error) {
	path, _ := fs.GetString(flag)
	if path == "" {
		return nil, usagef("--%s FILE is needed", flag)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read the key file: %w", err)
	}
	defer f.Close()
	// Key files are a few kilobytes; the bound keeps a wrong file from
	// being read whole.
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("failed to read the key file: %w", err)
	}
	return b, nil
}

func keyImport(_ context.Context, env *Env, fs *pflag.FlagSet, v *vault.Vault, args []string) error {
	md, err := matDescFlag(fs)
	if err != nil {
		return err
	}
	pem, err := readKeyFile(fs, "private-key")
	if err != nil {
		return err
	}
	defer clear(pem)
	k, err := v.ImportPrivateKey(args[0], pem, md)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Out, keyLine(k))
	return nil
}

func keyAddPublic(_ context.Context, env *Env, fs *pflag.FlagSet, v *vault.Vault, args []string) error {
	md, err := matDescFlag(fs)
	if err != nil {
		return err
	}
	pem, err := readKeyFile(fs, "public-key")
	if err != nil {
		return err
	}
	k, err := v.AddPublicKey(args[0], pem, md)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Out, keyLine(k))
	return nil
}

// keyAddKMS saves a KMS key. With --check it first wraps a random data key
// with it, as every upload will, so that wrong credentials, a mistyped key
// ID or region and an endpoint that does not answer are found now and
// nothing is saved. Without it the command saves without asking KMS, as
// the contract has it (scripts may add keys while offline).
func keyAddKMS(ctx context.Context, env *Env, fs *pflag.FlagSet, v *vault.Vault, args []string) error {
	md, err := matDescFlag(fs)
	if err != nil {
		return err
	}
	id, _ := fs.GetString("kms-key-id")
	region, _ := fs.GetString("region")
	endpoint, _ := fs.GetString("kms-endpoint")
	account, _ := fs.GetString("account")
	store, _ := fs.GetBool("store-credentials")
	if id == "" || region == "" {
		return usagef("usage: ossvault %s", addKMSUsage)
	}
	if account != "" && store {
		return usagef("give either --account or --store-credentials, not both")
	}
	var creds *kms.Credentials
	if store {
		c, ok := kms.CredentialsFromEnv(env.Getenv)
		if !ok {
			return usagef("--store-credentials needs ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (or the OSS_ ones) set")
		}
		creds = &c
	}
	var opts []vault.KMSKeyOption
	if account != "" {
		opts = append(opts, vault.UseAccount(account))
	}
	check, _ := fs.GetBool("check")
	if check {
		opts = append(opts, vault.CheckKMS(ctx))
	}
	k, err := v.AddKMSKey(args[0], id, region, endpoint, md, creds, opts...)
	if check && (errors.Is(err, kms.ErrUnreachable) || errors.Is(err, kms.ErrTimeout) || errors.Is(err, kms.ErrUnavailable)) {
		return fmt.Errorf("%w; to save the key without trying it, leave out --check", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Out, keyLine(k))
	return nil
}

func keyExportPublic(_ context.Context, env *Env, _ *pflag.FlagSet, v *vault.Vault, args []string) error {
	pem, err := v.ExportPublic(args[0])
	if err != nil {
		return err
	}
	_, err = env.Out.Write(pem)
	return err
}

func keyList(_ context.Context, env *Env, _ *pflag.FlagSet, v *vault.Vault, _ []string) error {
	var b bytes.Buffer
	for _, k := range v.Keys() {
		fmt.Fprintln(&b, keyLine(k))
	}
	_, err := env.Out.Write(b.Bytes())
	return err
}

func keyDefault(_ context.Context, _ *Env, _ *pflag.FlagSet, v *vault.Vault, args []string) error {
	return v.SetDefault(args[0])
}

func keyRm(_ context.Context, env *Env, _ *pflag.FlagSet, v *vault.Vault, args []string) error {
	k, err := v.Key(args[0])
	if err != nil {
		return err
	}
	if err := v.Remove(args[0]); err != nil {
		return err
	}
	if k.Kind == vault.KindRSA {
		fmt.Fprintf(env.Err, "removed the private key %q: files locked with it open again only after restoring a backup that has it\n", k.Name)
	}
	return nil
}

func keyBackup(_ context.Context, env *Env, _ *pflag.FlagSet, v *vault.Vault, args []string) error {
	pass, err := passphrase(env, true)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := v.Backup(&buf, pass); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(args[0], buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "backed up %d keys and %d accounts, with their secrets, to %s\n", len(v.Keys()), len(v.Accounts()), safetext.Path(args[0]))
	return nil
}

func keyRestore(_ context.Context, env *Env, _ *pflag.FlagSet, v *vault.Vault, args []string) error {
	f, err := os.Open(args[0])
	if err != nil {
		return fmt.Errorf("failed to read the backup: %w", err)
	}
	defer f.Close()
	pass, err := passphrase(env, false)
	if err != nil {
		return err
	}
	rep, err := v.RestoreWithReport(f, pass)
	if err != nil {
		return err
	}
	for _, k := range rep.Keys {
		fmt.Fprintf(env.Out, "restored key %s\n", k)
	}
	for _, a := range rep.Accounts {
		fmt.Fprintf(env.Out, "restored account %s\n", a)
	}
	for _, s := range rep.SkippedKeys {
		fmt.Fprintf(env.Out, "skipped key %s: %s\n", safetext.Name(s.Name), safetext.Line(s.Reason))
	}
	for _, s := range rep.SkippedAccounts {
		fmt.Fprintf(env.Out, "skipped account %s: %s\n", safetext.Name(s.Name), safetext.Line(s.Reason))
	}
	switch rep.Signing {
	case "":
	case "restored":
		fmt.Fprintln(env.Out, "restored the signing key")
	case "already here":
		fmt.Fprintln(env.Out, "skipped the signing key: already here")
	default:
		fmt.Fprintf(env.Out, "skipped the signing key: %s\n", rep.Signing)
	}
	return nil
}

// keyVerify records that a colleague's key was compared with them, and
// says which fingerprints that vouches for.
func keyVerify(_ context.Context, env *Env, _ *pflag.FlagSet, v *vault.Vault, args []string) error {
	k, err := v.MarkVerified(args[0])
	if err != nil {
		return err
	}
	sig := k.SigningFingerprint
	if sig == "" {
		sig = "none"
	}
	fmt.Fprintf(env.Out, "marked %s as compared with its owner: key %s, signing key %s\n", safetext.Name(k.Name), k.Fingerprint, sig)
	return nil
}
