package vault

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/ossvault/ossvault/vault/kms"
)

func TestBackupRestoreOnNewComputer(t *testing.T) {
	ctx := context.Background()
	f := newFakeKMS()
	oldKC := newMemKeychain()
	v := newTestVault(t, WithKeychain(LimitedKeychain{oldKC}), WithKMSFactory(fakeKMSFactory(f)))
	if _, err := v.GenerateRSA(ctx, "mine", 4096, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := v.ImportPrivateKey("sdk", readTestdata(t, "sdk-test-key-1024.pem"), nil); err != nil {
		t.Fatal(err)
	}
	if err := v.SetDefault("sdk"); err != nil {
		t.Fatal(err)
	}
	other := newTestVault(t)
	if _, err := other.GenerateRSA(ctx, "colleague", 2048, nil); err != nil {
		t.Fatal(err)
	}
	pub, _ := other.ExportPublic("colleague")
	if _, err := v.AddPublicKey("colleague", pub, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddAccount(Account{Name: "acct", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "LTAIid"}, "account-secret-value", strings.Repeat("T", 3000)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddKMSKey("kms", "key-1", "cn-hangzhou", "", nil, &kms.Credentials{AccessKeyID: "kid", AccessKeySecret: "kms-secret-value"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddKMSKey("kms-acct", "key-2", "cn-hangzhou", "", nil, nil, UseAccount("acct")); err != nil {
		t.Fatal(err)
	}
	e1, k1 := sealFor(t, v, "mine")
	e2, k2 := sealFor(t, v, "kms")

	var buf bytes.Buffer
	const pass = "correct horse battery staple"
	if err := v.Backup(&buf, pass); err != nil {
		t.Fatal(err)
	}
	r := v.snapshot()
	priv, _ := v.privateKey(r, &r.Keys[0])
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(priv)
	for what, s := range map[string][]byte{"PKCS#8": pkcs8, "PKCS#8 base64": b64(pkcs8), "account secret": []byte("account-secret-value"),
		"kms secret": []byte("kms-secret-value"), "passphrase": []byte(pass), "key name": []byte("colleague")} {
		if bytes.Contains(buf.Bytes(), s) {
			t.Errorf("the backup file shows the %s", what)
		}
	}
	backup := buf.Bytes()

	// A new computer: fresh home, fresh keychain.
	newKC := newMemKeychain()
	n := newTestVault(t, WithKeychain(LimitedKeychain{newKC}), WithKMSFactory(fakeKMSFactory(f)))
	if err := n.Restore(bytes.NewReader(backup), "wrong"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if err := n.Restore(strings.NewReader("not a backup"), pass); err == nil || errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("garbage: %v", err)
	}
	rep, err := n.RestoreWithReport(bytes.NewReader(backup), pass)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Keys) != 5 || len(rep.Accounts) != 1 || len(rep.SkippedKeys) != 0 {
		t.Fatalf("report %+v", rep)
	}
	if n.snapshot().VaultID == r.VaultID {
		t.Fatal("restored vault reuses the old vault id")
	}
	mustOpen(t, n, e1, k1)
	mustOpen(t, n, e2, k2)
	if d, _ := n.DefaultKey(); d.Name != "sdk" {
		t.Errorf("default %q, want sdk", d.Name)
	}
	if _, s, tok, err := n.Credentials("acct"); err != nil || s != "account-secret-value" || len(tok) != 3000 {
		t.Fatalf("account after restore: %v", err)
	}
	if k := mustKey(t, n, "kms-acct"); k.KMS.Account != "acct" {
		t.Errorf("KMS key lost its account link")
	}
	if k := mustKey(t, n, "mine"); k.Bits != 4096 {
		t.Errorf("bits %d", k.Bits)
	}
	for i, k := range v.Keys() {
		got := n.Keys()[i]
		if got.Name != k.Name || got.Fingerprint != k.Fingerprint || !got.MatDesc.Equal(k.MatDesc) || got.Kind != k.Kind {
			t.Errorf("restored %+v, had %+v", got, k)
		}
	}

	// Restoring again skips every key as already here.
	rep, err = n.RestoreWithReport(bytes.NewReader(backup), pass)
	if err != nil || len(rep.Keys) != 0 || len(rep.SkippedKeys) != 5 || len(rep.SkippedAccounts) != 1 {
		t.Fatalf("second restore: %+v %v", rep, err)
	}

	// A different key under a taken name refuses the whole restore.
	c := newTestVault(t, WithKMSFactory(fakeKMSFactory(f)))
	if _, err := c.GenerateRSA(ctx, "mine", 2048, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Restore(bytes.NewReader(backup), pass); !errors.Is(err, ErrKeyExists) || !strings.Contains(err.Error(), `"mine"`) {
		t.Fatalf("conflict: %v", err)
	}
	if len(c.Keys()) != 1 || len(c.Accounts()) != 0 {
		t.Fatal("a refused restore changed the vault")
	}
}

func TestBackupFailsWhenASecretIsMissing(t *testing.T) {
	mem := newMemKeychain()
	v := newTestVault(t, WithKeychain(mem))
	if _, err := v.GenerateRSA(context.Background(), "mine", 2048, nil); err != nil {
		t.Fatal(err)
	}
	for k := range mem.m {
		delete(mem.m, k)
	}
	var buf bytes.Buffer
	if err := v.Backup(&buf, "a long passphrase"); !errors.Is(err, ErrSecretMissing) || !strings.Contains(err.Error(), `"mine"`) {
		t.Fatalf("got %v", err)
	}
	if buf.Len() != 0 {
		t.Fatal("wrote a partial backup")
	}
	if err := v.Backup(&buf, ""); err == nil {
		t.Fatal("empty passphrase accepted")
	}
}

// Backup itself refuses a passphrase shorter than MinPassphrase characters,
// so no caller can write a weak backup; Restore opens a file made with any
// passphrase.
func TestBackupPassphraseRule(t *testing.T) {
	v := newTestVault(t, WithKeychain(newMemKeychain()))
	if _, err := v.GenerateRSA(context.Background(), "mine", 2048, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pass string
		ok   bool
	}{
		{"", false},
		{"a", false},
		{"123456789", false},
		{"ééééééééé", false}, // 9 characters, 18 bytes
		{"1234567890", true},
		{"éééééééééé", true},
	} {
		if got := CheckPassphrase(c.pass); (got == nil) != c.ok || (got != nil && !errors.Is(got, ErrWeakPassphrase)) {
			t.Errorf("CheckPassphrase(%q) = %v, want ok %v", c.pass, got, c.ok)
		}
		var buf bytes.Buffer
		err := v.Backup(&buf, c.pass)
		if c.ok {
			if err != nil {
				t.Errorf("Backup with %q: %v", c.pass, err)
			}
			continue
		}
		if !errors.Is(err, ErrWeakPassphrase) || buf.Len() != 0 {
			t.Errorf("Backup with %q: %v, wrote %d bytes", c.pass, err, buf.Len())
		}
	}

	// A file locked with "a" (made before the rule) still restores.
	var buf bytes.Buffer
	if err := v.Backup(&buf, "1234567890"); err != nil {
		t.Fatal(err)
	}
	b, err := readBackup(&buf, "1234567890")
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := json.Marshal(b)
	rcpt, _ := age.NewScryptRecipient("a")
	rcpt.SetWorkFactor(backupWorkFactor)
	var old bytes.Buffer
	w, _ := age.Encrypt(&old, rcpt)
	w.Write(plain)
	w.Close()
	v2 := newTestVault(t, WithKeychain(newMemKeychain()))
	rep, err := v2.RestoreWithReport(&old, "a")
	if err != nil || len(rep.Keys) != 1 {
		t.Fatalf("restore of a backup made with a short passphrase: %v %+v", err, rep)
	}
}
