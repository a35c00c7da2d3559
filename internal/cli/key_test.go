package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/zalando/go-keyring"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/testenv"
	"github.com/ossvault/ossvault/vault"
)

// requireKeychain skips a test that needs the real OS keychain when no
// session bus is running (a developer's plain "go test"), and fails it in CI,
// where internal/testenv/with-services.sh always provides one.
func requireKeychain(t *testing.T) { testenv.RequireKeychain(t) }

// session runs commands in-process with its own variables and keeps
// everything they printed, for the secret scan.
type session struct {
	t    *testing.T
	vars map[string]string
	all  bytes.Buffer
}

func newSession(t *testing.T, vars map[string]string) *session {
	return &session{t: t, vars: vars}
}

func (s *session) run(args ...string) (string, string, int) {
	s.t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Stdio{
		In: strings.NewReader(""), Out: &out, Err: &errb,
		Getenv: func(k string) string { return s.vars[k] },
	}, nil)
	s.all.Write(out.Bytes())
	s.all.Write(errb.Bytes())
	return out.String(), errb.String(), code
}

func (s *session) must(args ...string) string {
	s.t.Helper()
	out, errs, code := s.run(args...)
	if code != 0 {
		s.t.Fatalf("ossvault %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// fail runs a command that must fail with the given status, in one
// "ossvault: " line mentioning want.
func (s *session) fail(code int, want string, args ...string) {
	s.t.Helper()
	out, errs, got := s.run(args...)
	if got != code || !strings.HasPrefix(errs, "ossvault: ") || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, want) {
		s.t.Errorf("ossvault %s: exit %d, stderr %q, stdout %q; want exit %d mentioning %q", strings.Join(args, " "), got, errs, out, code, want)
	}
}

func newPrivatePEM(t *testing.T, bits int) (*rsa.PrivateKey, []byte) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return k, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// secretForms are the ways a private key could leak: PEM, DER (PKCS#1 and
// PKCS#8), their base64, and its primes and private exponent.
func secretForms(name string, k *rsa.PrivateKey, into map[string][]byte) {
	p8, _ := x509.MarshalPKCS8PrivateKey(k)
	p1 := x509.MarshalPKCS1PrivateKey(k)
	into[name+" PKCS#8 DER"] = p8
	into[name+" PKCS#1 DER"] = p1
	into[name+" PKCS#8 base64"] = []byte(base64.StdEncoding.EncodeToString(p8))
	into[name+" PKCS#1 base64"] = []byte(base64.StdEncoding.EncodeToString(p1))
	into[name+" PKCS#8 PEM line"] = []byte(base64.StdEncoding.EncodeToString(p8)[64:128])
	into[name+" prime"] = k.Primes[0].Bytes()
	into[name+" prime base64"] = []byte(base64.StdEncoding.EncodeToString(k.Primes[0].Bytes())[:40])
	into[name+" exponent"] = k.D.Bytes()
}

func scanTree(t *testing.T, dir string, secrets map[string][]byte) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		scanBytes(t, p, b, secrets)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func scanBytes(t *testing.T, where string, b []byte, secrets map[string][]byte) {
	t.Helper()
	for what, s := range secrets {
		if len(s) > 0 && bytes.Contains(b, s) {
			t.Errorf("%s contains the %s", where, what)
		}
	}
}

// backedUpKeys opens a backup file the way an auditor would (age, scrypt)
// and returns the private keys in it by name.
func backedUpKeys(t *testing.T, path, pass string) map[string]*rsa.PrivateKey {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	id, _ := age.NewScryptIdentity(pass)
	r, err := age.Decrypt(f, id)
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Keys []struct {
			Name       string `json:"name"`
			PrivateKey []byte `json:"private_key"`
		} `json:"keys"`
	}
	raw, _ := io.ReadAll(r)
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	out := map[string]*rsa.PrivateKey{}
	for _, k := range b.Keys {
		if len(k.PrivateKey) == 0 {
			continue
		}
		pk, err := x509.ParsePKCS8PrivateKey(k.PrivateKey)
		if err != nil {
			t.Fatal(err)
		}
		out[k.Name] = pk.(*rsa.PrivateKey)
	}
	return out
}

// Every key and account command, run as a user would, leaves no secret in
// the home folders, the backup file or anything printed.
func TestKeyAndAccountCommandsLeakNoSecret(t *testing.T) {
	requireKeychain(t)
	dir := t.TempDir()
	home, home2 := filepath.Join(dir, "home"), filepath.Join(dir, "home2")
	const (
		pass        = "a long and secret passphrase"
		akSecret    = "AccountSecretValue0123456789abc"
		stsToken    = "CAIS.StsTokenValue.0123456789abcdefghijklmnopqrstuvwxyz"
		kmsSecret   = "KmsAccessKeySecretValue987654321"
		ossutilSec  = "OssutilSecretValue5551234"
		ossutilSTS  = "OssutilStsTokenValue777"
		ossutilPath = "ossutilconfig"
	)
	vars := map[string]string{
		"OSSVAULT_HOME":                   home,
		"OSSVAULT_PASSPHRASE":             pass,
		"OSS_ACCESS_KEY_ID":               "LTAI5tAccountId",
		"OSS_ACCESS_KEY_SECRET":           akSecret,
		"OSS_SESSION_TOKEN":               stsToken,
		"ALIBABA_CLOUD_ACCESS_KEY_ID":     "LTAI5tKmsId",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": kmsSecret,
	}
	s := newSession(t, vars)

	imported, importedPEM := newPrivatePEM(t, 2048)
	keyFile := filepath.Join(dir, "imported.pem")
	if err := os.WriteFile(keyFile, importedPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, ossutilPath)
	os.WriteFile(cfg, []byte("[Credentials]\nendpoint=oss-cn-shanghai.aliyuncs.com\naccessKeyID=LTAI5tOssutil\naccessKeySecret="+ossutilSec+"\nstsToken="+ossutilSTS+"\n"), 0o600)

	line := s.must("key", "import", "finance", "--private-key", keyFile, "--matdesc", `{"desc":"finance"}`)
	if f := strings.Split(strings.TrimSpace(line), "\t"); len(f) != 5 || f[0] != "finance" || f[1] != "rsa" || f[3] != `{"desc":"finance"}` || f[4] != "default" {
		t.Errorf("import printed %q", line)
	}
	s.must("key", "gen", "mine", "--bits", "2048")
	pub := s.must("key", "export-public", "mine")
	if !strings.HasPrefix(pub, "-----BEGIN PUBLIC KEY-----\n") {
		t.Fatalf("export-public printed %q", pub)
	}
	pubFile := filepath.Join(dir, "mine.pub")
	os.WriteFile(pubFile, []byte(pub), 0o644)
	s.must("key", "add-kms", "vaultkms", "--kms-key-id", "key-123", "--region", "cn-hangzhou", "--store-credentials")
	s.must("account", "add", "work", "--endpoint", "https://oss-cn-hangzhou.aliyuncs.com")
	s.must("key", "add-kms", "acctkms", "--kms-key-id", "key-456", "--region", "cn-hangzhou", "--kms-endpoint", "kms-vpc.cn-hangzhou.aliyuncs.com", "--account", "work")
	if out := s.must("account", "import-ossutil", cfg); !strings.HasPrefix(out, "ossutil\thttps://oss-cn-shanghai.aliyuncs.com\tcn-shanghai\tLTAI5tOssutil\tsts") {
		t.Errorf("import-ossutil printed %q", out)
	}
	accounts := s.must("account", "list")
	if accounts != "work\thttps://oss-cn-hangzhou.aliyuncs.com\tcn-hangzhou\tLTAI5tAccountId\tsts\n"+
		"ossutil\thttps://oss-cn-shanghai.aliyuncs.com\tcn-shanghai\tLTAI5tOssutil\tsts\n" {
		t.Errorf("account list:\n%s", accounts)
	}
	s.must("key", "default", "mine")
	list := s.must("key", "list")
	lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("key list:\n%s", list)
	}
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) < 4 || len(f) > 5 || len(f[2]) != 24 {
			t.Errorf("key list line %q", l)
		}
		if (len(f) == 5) != (f[0] == "mine") {
			t.Errorf("default marker on %q", l)
		}
	}

	backup := filepath.Join(dir, "keys.backup")
	s.must("key", "backup", backup)
	if info, err := os.Stat(backup); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", info.Mode(), err)
	}
	keys := backedUpKeys(t, backup, pass)
	if len(keys) != 2 || !keys["finance"].Equal(imported) {
		t.Fatalf("backup holds %d private keys", len(keys))
	}

	s.vars["OSSVAULT_HOME"] = home2
	out := s.must("key", "restore", backup)
	if !strings.Contains(out, "restored key mine\n") || !strings.Contains(out, "restored account work\n") {
		t.Errorf("restore printed %q", out)
	}
	s.must("key", "add-public", "colleague", "--public-key", pubFile)
	if got := s.must("key", "list"); !strings.Contains(got, "mine\trsa\t") || !strings.Contains(got, "colleague\trsa-public\t") {
		t.Errorf("restored list:\n%s", got)
	}
	s.must("key", "rm", "colleague")
	s.must("account", "rm", "ossutil")
	s.vars["OSSVAULT_HOME"] = home
	s.must("key", "rm", "finance")
	s.vars["OSSVAULT_PASSPHRASE"] = "not the passphrase"
	s.fail(1, "wrong passphrase", "key", "restore", backup)
	delete(s.vars, "OSSVAULT_PASSPHRASE")
	s.fail(2, "OSSVAULT_PASSPHRASE", "key", "backup", filepath.Join(dir, "other.backup"))

	secrets := map[string][]byte{
		"imported PEM": importedPEM, "AccessKey secret": []byte(akSecret), "STS token": []byte(stsToken),
		"KMS secret": []byte(kmsSecret), "ossutil secret": []byte(ossutilSec), "ossutil STS token": []byte(ossutilSTS),
		"passphrase": []byte(pass),
	}
	for name, k := range keys {
		secretForms(name, k, secrets)
	}
	scanTree(t, home, secrets)
	scanTree(t, home2, secrets)
	scanBytes(t, "the backup file", mustRead(t, backup), secrets)
	scanBytes(t, "the commands' output", s.all.Bytes(), secrets)

	for _, h := range []string{home, home2} {
		filepath.WalkDir(h, func(p string, d fs.DirEntry, err error) error {
			info, _ := d.Info()
			want := fs.FileMode(0o600)
			if d.IsDir() {
				want = 0o700
			}
			if info.Mode().Perm() != want {
				t.Errorf("%s: mode %v, want %v", p, info.Mode().Perm(), want)
			}
			return nil
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The new user's walk-through, against the real keychain: a key, its public
// half given to a colleague, a file locked for it there and opened here, a
// backup, a lost computer (home and keychain entries gone), a restore, and
// the file opens again.
func TestNewUserWalkthrough(t *testing.T) {
	requireKeychain(t)
	ctx := context.Background()
	dir := t.TempDir()
	mine, theirs := filepath.Join(dir, "mine"), filepath.Join(dir, "theirs")
	s := newSession(t, map[string]string{"OSSVAULT_HOME": mine, "OSSVAULT_PASSPHRASE": "walkthrough passphrase"})

	s.must("key", "gen", "alice", "--bits", "3072")
	pubFile := filepath.Join(dir, "alice.pub")
	if err := os.WriteFile(pubFile, []byte(s.must("key", "export-public", "alice")), 0o644); err != nil {
		t.Fatal(err)
	}
	s.vars["OSSVAULT_HOME"] = theirs
	s.must("key", "add-public", "alice", "--public-key", pubFile)

	colleague, err := vault.Open(theirs)
	if err != nil {
		t.Fatal(err)
	}
	w, err := colleague.Wrapper(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	sealed, dk, err := envelope.Seal(ctx, w, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e, err := envelope.ParseMeta(sealed.Meta())
	if err != nil {
		t.Fatal(err)
	}
	open := func(home string) error {
		t.Helper()
		v, err := vault.Open(home)
		if err != nil {
			return err
		}
		ids, err := v.Identities(ctx, e)
		if err != nil {
			return err
		}
		got, err := envelope.Open(ctx, e, ids...)
		if err != nil {
			return err
		}
		if got.Key != dk.Key || got.IV != dk.IV {
			t.Fatal("opened a different data key")
		}
		return nil
	}
	if err := open(mine); err != nil {
		t.Fatalf("before the backup: %v", err)
	}
	if err := open(theirs); !errors.Is(err, envelope.ErrNoKey) {
		t.Fatalf("the colleague's public key opened the file: %v", err)
	}

	s.vars["OSSVAULT_HOME"] = mine
	backup := filepath.Join(dir, "alice.backup")
	s.must("key", "backup", backup)

	// Lose the computer: the keychain entries and the home folder.
	var reg struct {
		VaultID string `json:"vault_id"`
		Keys    []struct {
			Secret string `json:"secret"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(mustRead(t, filepath.Join(mine, "vault.json")), &reg); err != nil {
		t.Fatal(err)
	}
	s.must("key", "rm", "alice")
	if _, err := keyring.Get("ossvault:"+reg.VaultID, reg.Keys[0].Secret); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("the keychain still holds the key: %v", err)
	}
	if err := os.RemoveAll(mine); err != nil {
		t.Fatal(err)
	}
	if err := open(mine); !errors.Is(err, envelope.ErrNoKey) {
		t.Fatalf("opened with no key: %v", err)
	}

	out := s.must("key", "restore", backup)
	if out != "restored key alice\nrestored the signing key\n" {
		t.Errorf("restore printed %q", out)
	}
	if err := open(mine); err != nil {
		t.Fatalf("after the restore: %v", err)
	}
	if got := s.must("key", "list"); !strings.HasPrefix(got, "alice\trsa\t") || !strings.HasSuffix(got, "\tdefault\n") {
		t.Errorf("key list after restore: %q", got)
	}
	// Restoring again over the same key skips it and says so.
	if out := s.must("key", "restore", backup); out != "skipped key alice: already here (the same key)\nskipped the signing key: already here\n" {
		t.Errorf("second restore printed %q", out)
	}
}

// With no reachable keychain (the session bus address points at nothing), a
// real ossvault process fails in plain words and writes no secret anywhere.
// The process is this test binary, re-run as the command line.
func TestKeychainMissingFailsClearly(t *testing.T) {
	if args := os.Getenv("OSSVAULT_TEST_CLI_ARGS"); args != "" {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			t.Fatal(err)
		}
		os.Exit(Main(argv, Std(), nil))
	}
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	_, keyPEM := newPrivatePEM(t, 2048)
	keyFile := filepath.Join(dir, "k.pem")
	os.WriteFile(keyFile, keyPEM, 0o600)
	const secret = "SecretThatMustNotLand123"
	ossvault := func(env []string, args ...string) (stdout, stderr []byte, code int) {
		argv, _ := json.Marshal(args)
		cmd := exec.Command(os.Args[0], "-test.run=^TestKeychainMissingFailsClearly$")
		cmd.Env = append(os.Environ(), append(env, "OSSVAULT_TEST_CLI_ARGS="+string(argv), "OSSVAULT_HOME="+home)...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return o.Bytes(), e.Bytes(), ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return o.Bytes(), e.Bytes(), 0
	}
	noBus := []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(dir, "no-bus"), "OSS_ACCESS_KEY_ID=id", "OSS_ACCESS_KEY_SECRET=" + secret}
	for _, args := range [][]string{
		{"key", "gen", "k"},
		{"key", "import", "k", "--private-key", keyFile},
		{"account", "add", "a", "--endpoint", "oss-cn-hangzhou.aliyuncs.com"},
	} {
		stdout, stderr, code := ossvault(noBus, args...)
		msg := string(stderr)
		if code != ExitFailure || !strings.HasPrefix(msg, "ossvault: ") || !strings.Contains(msg, "keychain is locked or not available") || strings.Count(msg, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, msg)
		}
		scanBytes(t, "output", append(stdout, stderr...), map[string][]byte{"secret": []byte(secret)})
	}
	scanTree(t, home, map[string][]byte{"secret": []byte(secret), "private key": keyPEM[30:90]})
	if out, _, code := ossvault(nil, "key", "list"); code != 0 || len(out) != 0 {
		t.Errorf("keys registered without their secrets: %q, exit %d", out, code)
	}
}

func TestKeyUsageErrors(t *testing.T) {
	s := newSession(t, map[string]string{"OSSVAULT_HOME": t.TempDir()})
	for _, c := range []struct {
		want string
		args []string
	}{
		{"subcommand", []string{"key"}},
		{"unknown subcommand", []string{"key", "frob"}},
		{"usage: ossvault key gen", []string{"key", "gen"}},
		{"usage: ossvault key list", []string{"key", "list", "extra"}},
		{"--bits must be", []string{"key", "gen", "k", "--bits", "1000"}},
		{"does not take --bits", []string{"key", "list", "--bits", "2048"}},
		{"does not take --public-key", []string{"key", "import", "k", "--public-key", "x"}},
		{"--matdesc must be", []string{"key", "gen", "k", "--matdesc", "not json"}},
		{"--private-key FILE is needed", []string{"key", "import", "k"}},
		{"usage: ossvault key add-kms", []string{"key", "add-kms", "k", "--region", "cn-hangzhou"}},
		{"either --account or --store-credentials", []string{"key", "add-kms", "k", "--kms-key-id", "x", "--region", "cn-hangzhou", "--account", "a", "--store-credentials"}},
		{"--store-credentials needs", []string{"key", "add-kms", "k", "--kms-key-id", "x", "--region", "cn-hangzhou", "--store-credentials"}},
		{"unknown flag", []string{"key", "gen", "k", "--nope"}},
		{"subcommand", []string{"account"}},
		{"unknown subcommand", []string{"account", "frob"}},
		{"--endpoint URL", []string{"account", "add", "a"}},
		{"does not take --endpoint", []string{"account", "list", "--endpoint", "x"}},
		{"OSS_ACCESS_KEY_ID", []string{"account", "add", "a", "--endpoint", "oss-cn-hangzhou.aliyuncs.com"}},
		{"OSSVAULT_PASSPHRASE", []string{"key", "backup", filepath.Join(t.TempDir(), "b")}},
	} {
		s.fail(ExitUsage, c.want, c.args...)
	}
	for _, c := range []struct {
		want string
		args []string
	}{
		{"no such key", []string{"key", "rm", "nope"}},
		{"no such key", []string{"key", "default", "nope"}},
		{"no such key", []string{"key", "export-public", "nope"}},
		{"no such account", []string{"account", "rm", "nope"}},
		{"failed to read the key file", []string{"key", "import", "k", "--private-key", filepath.Join(t.TempDir(), "missing.pem")}},
		{"failed to read the backup", []string{"key", "restore", filepath.Join(t.TempDir(), "missing")}},
		{"plain http", []string{"key", "add-kms", "k", "--kms-key-id", "x", "--region", "cn-hangzhou", "--kms-endpoint", "http://kms.example.com"}},
		{"failed to read the ossutil config file", []string{"account", "import-ossutil", filepath.Join(t.TempDir(), "none")}},
	} {
		s.fail(ExitFailure, c.want, c.args...)
	}
	for file, want := range map[string]string{
		"ec-p256.pem":         "elliptic-curve",
		"encrypted-pkcs8.pem": "password",
		"small-512.pem":       "only 512 bits",
	} {
		s.fail(ExitFailure, want, "key", "import", "k", "--private-key", filepath.Join("..", "..", "vault", "testdata", file))
	}
}

// A new backup needs a passphrase of at least vault.MinPassphrase
// characters (counted as characters, not bytes), as the app has always
// asked; a shorter one is refused in one sentence and no file is written.
// A backup made with a shorter passphrase before the rule still restores.
func TestKeyBackupPassphraseRule(t *testing.T) {
	requireKeychain(t)
	dir := t.TempDir()
	s := newSession(t, map[string]string{"OSSVAULT_HOME": filepath.Join(dir, "home")})
	s.must("key", "gen", "k", "--bits", "2048")
	for i, c := range []struct {
		pass string
		ok   bool
	}{
		{"a", false},
		{"123456789", false},
		{"密码密码密码密码密", false}, // 9 characters, 27 bytes
		{"1234567890", true},
		{"密码密码密码密码密码", true}, // 10 characters
	} {
		s.vars["OSSVAULT_PASSPHRASE"] = c.pass
		backup := filepath.Join(dir, fmt.Sprintf("b%d", i))
		if c.ok {
			s.must("key", "backup", backup)
			if keys := backedUpKeys(t, backup, c.pass); len(keys) != 1 {
				t.Errorf("passphrase %q: the backup holds %d private keys", c.pass, len(keys))
			}
			continue
		}
		before, _ := os.ReadDir(dir)
		s.fail(ExitFailure, "at least 10 characters", "key", "backup", backup)
		if after, _ := os.ReadDir(dir); len(after) != len(before) {
			t.Errorf("passphrase %q: a file was written (%d entries, were %d)", c.pass, len(after), len(before))
		}
	}

	// An older backup locked with "a": re-encrypt a good one to it.
	old := filepath.Join(dir, "old.backup")
	f, err := os.Open(filepath.Join(dir, "b3"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := age.NewScryptIdentity("1234567890")
	r, err := age.Decrypt(f, id)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(r)
	f.Close()
	rcpt, _ := age.NewScryptRecipient("a")
	rcpt.SetWorkFactor(10)
	var buf bytes.Buffer
	w, _ := age.Encrypt(&buf, rcpt)
	w.Write(plain)
	w.Close()
	if err := os.WriteFile(old, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	s.vars["OSSVAULT_HOME"] = filepath.Join(dir, "home2")
	s.vars["OSSVAULT_PASSPHRASE"] = "a"
	if out := s.must("key", "restore", old); !strings.Contains(out, "restored key k\n") {
		t.Errorf("restore with the short passphrase it was made with: %q", out)
	}
}
