package vault

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestFilesArePrivateAndHoldNoSecret(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	home := filepath.Join(t.TempDir(), "a", "home")
	mem := newMemKeychain()
	v, err := Open(home, WithKeychain(mem))
	if err != nil {
		t.Fatal(err)
	}
	k, err := v.GenerateRSA(context.Background(), "mine", 2048, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddAccount(Account{Name: "acct", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "id"}, "account-secret-value", "account-sts-token"); err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
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
	if err != nil {
		t.Fatal(err)
	}
	r := v.snapshot()
	priv, err := v.privateKey(r, &r.Keys[0])
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(priv)
	pkcs1 := x509.MarshalPKCS1PrivateKey(priv)
	stored, _ := encodePrivateKey(priv)
	secrets := map[string][]byte{
		"PKCS#8 DER": pkcs8, "PKCS#8 base64": b64(pkcs8), "PKCS#1 base64": b64(pkcs1),
		"keychain form": []byte(stored), "first prime": priv.Primes[0].Bytes(), "private exponent": priv.D.Bytes(),
		"prime in decimal": []byte(priv.Primes[0].String()),
		"account secret":   []byte("account-secret-value"), "sts token": []byte("account-sts-token"),
	}
	scanForSecrets(t, home, secrets)
	// The registry does hold the public facts.
	b, _ := os.ReadFile(filepath.Join(home, registryFile))
	if !strings.Contains(string(b), k.Fingerprint) {
		t.Error("registry lacks the fingerprint")
	}
}

// Two vaults on one home (as two processes would be) adding at the same
// time lose nothing: every change is read-modify-write under the file lock.
func TestConcurrentChangesAreNotLost(t *testing.T) {
	home := t.TempDir()
	mem := newMemKeychain()
	var vaults []*Vault
	for range 3 {
		v, err := Open(home, WithKeychain(mem))
		if err != nil {
			t.Fatal(err)
		}
		vaults = append(vaults, v)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i, v := range vaults {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				_, err := v.AddAccount(Account{Name: fmt.Sprintf("a%d-%d", i, j), Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "id"}, "s", "")
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(vaults[0].Accounts()); n != 60 {
		t.Fatalf("%d accounts saved, want 60", n)
	}
	if mem.len() != 60 {
		t.Fatalf("%d secrets, want 60", mem.len())
	}
}

// The lock also holds across real processes: this test re-runs itself as
// helpers that add accounts to the same home at once.
func TestConcurrentProcesses(t *testing.T) {
	if home := os.Getenv("OSSVAULT_TEST_HELPER_HOME"); home != "" {
		v, err := Open(home, WithKeychain(newMemKeychain()))
		if err != nil {
			t.Fatal(err)
		}
		for j := range 15 {
			name := fmt.Sprintf("%s-%d", os.Getenv("OSSVAULT_TEST_HELPER_ID"), j)
			if _, err := v.AddAccount(Account{Name: name, Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "id"}, "s", ""); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	home := t.TempDir()
	var cmds []*exec.Cmd
	for i := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestConcurrentProcesses$")
		cmd.Env = append(os.Environ(), "OSSVAULT_TEST_HELPER_HOME="+home, fmt.Sprintf("OSSVAULT_TEST_HELPER_ID=p%d", i))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("helper: %v", err)
		}
	}
	v, err := Open(home, WithKeychain(newMemKeychain()))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(v.Accounts()); n != 45 {
		t.Fatalf("%d accounts saved by 3 processes, want 45", n)
	}
}

// A copied home gets its own keychain entries: removing a key from the copy
// leaves the original able to open its files. A moved home keeps its own.
func TestCopiedAndMovedHomes(t *testing.T) {
	ctx := context.Background()
	mem := newMemKeychain()
	root := t.TempDir()
	orig := filepath.Join(root, "orig")
	v, err := Open(orig, WithKeychain(mem))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.GenerateRSA(ctx, "mine", 2048, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddAccount(Account{Name: "acct", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "id"}, "secret", ""); err != nil {
		t.Fatal(err)
	}
	e, dk := sealFor(t, v, "mine")
	origID := v.snapshot().VaultID

	cp := filepath.Join(root, "copy")
	copyDir(t, orig, cp)
	c, err := Open(cp, WithKeychain(mem))
	if err != nil {
		t.Fatal(err)
	}
	if id := c.snapshot().VaultID; id == origID {
		t.Fatal("the copy shares the original's keychain entries")
	}
	mustOpen(t, c, e, dk)
	if _, s, _, err := c.Credentials("acct"); err != nil || s != "secret" {
		t.Fatalf("copy's account: %v", err)
	}
	if err := c.Remove("mine"); err != nil {
		t.Fatal(err)
	}
	mustOpen(t, v, e, dk)

	moved := filepath.Join(root, "moved")
	if err := os.Rename(orig, moved); err != nil {
		t.Fatal(err)
	}
	m, err := Open(moved, WithKeychain(mem))
	if err != nil {
		t.Fatal(err)
	}
	if id := m.snapshot().VaultID; id != origID {
		t.Fatal("a moved home lost its keychain entries")
	}
	mustOpen(t, m, e, dk)
}

// The same home reached by another path (a symbolic link) is neither a copy
// nor a move: it keeps its id whichever path is used.
func TestSymlinkedHomeIsTheSameVault(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	mem := newMemKeychain()
	root := t.TempDir()
	home, link := filepath.Join(root, "home"), filepath.Join(root, "link")
	v, err := Open(home, WithKeychain(mem))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.GenerateRSA(context.Background(), "mine", 2048, nil); err != nil {
		t.Fatal(err)
	}
	e, dk := sealFor(t, v, "mine")
	id := v.snapshot().VaultID
	if err := os.Symlink(home, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, home, link} {
		w, err := Open(p, WithKeychain(mem))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.SetDefault("mine"); err != nil {
			t.Fatal(err)
		}
		if got := w.snapshot().VaultID; got != id {
			t.Fatalf("opened through %s: vault id changed", p)
		}
		mustOpen(t, w, e, dk)
	}
	if mem.len() != 1 {
		t.Fatalf("%d keychain entries, want 1", mem.len())
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// With the keychain locked or missing, adding a key fails in plain words and
// nothing is written anywhere instead.
func TestKeychainUnavailable(t *testing.T) {
	down := fmt.Errorf("%w: org.freedesktop.secrets was not provided", ErrKeychainUnavailable)
	kc := funcKeychain{
		get: func(string, string) (string, error) { return "", down },
		set: func(string, string, string) error { return down },
		del: func(string, string) error { return down },
	}
	home := t.TempDir()
	v, err := Open(home, WithKeychain(kc))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = v.GenerateRSA(ctx, "mine", 2048, nil)
	if !errors.Is(err, ErrKeychainUnavailable) || !strings.Contains(err.Error(), "keychain") {
		t.Fatalf("got %v", err)
	}
	if _, err := v.ImportPrivateKey("imp", readTestdata(t, "sdk-test-key-1024.pem"), nil); !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("import: %v", err)
	}
	if _, err := v.AddAccount(Account{Name: "a", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "id"}, "account-secret-value", ""); !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("account: %v", err)
	}
	if n := len(v.Keys()) + len(v.Accounts()); n != 0 {
		t.Fatalf("%d entries registered without their secrets", n)
	}
	scanForSecrets(t, home, map[string][]byte{"account secret": []byte("account-secret-value"), "key": []byte("PRIVATE KEY")})
	// Public keys need no secret and still work.
	if _, err := v.AddPublicKey("pub", pemOf("PUBLIC KEY", mustPKIX(t)), nil); err != nil {
		t.Fatalf("public key with the keychain down: %v", err)
	}
	if _, err := v.Wrapper(ctx, "pub"); err != nil {
		t.Fatalf("encrypting with the keychain down: %v", err)
	}
	// Opening needs the keychain and says so.
	if _, err := Open(home, WithKeychain(kc)); err != nil {
		t.Fatal(err)
	}
	imp := newTestVault(t)
	if _, err := imp.ImportPrivateKey("k", readTestdata(t, "sdk-test-key-1024.pem"), nil); err != nil {
		t.Fatal(err)
	}
	e, _ := sealFor(t, imp, "k")
	imp.kc = kc
	if _, err := imp.Identities(ctx, e); !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("identities with the keychain down: %v", err)
	}
}

func mustPKIX(t *testing.T) []byte {
	der, err := x509.MarshalPKIXPublicKey(&testKey(t, 2048).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestDamagedRegistry(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, registryFile), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(home, WithKeychain(newMemKeychain())); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("got %v", err)
	}
	if err := os.WriteFile(filepath.Join(home, registryFile), []byte(`{"version":99,"vault_id":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(home, WithKeychain(newMemKeychain())); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("got %v", err)
	}
}
