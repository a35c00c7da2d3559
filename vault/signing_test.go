package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newPerson is a vault with one key pair, as a colleague's computer.
func newPerson(t *testing.T, name string) *Vault {
	t.Helper()
	v := newTestVault(t)
	if _, err := v.GenerateRSA(context.Background(), name, 2048, nil); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSigningKeyMadeOnceAndKept(t *testing.T) {
	v := newPerson(t, "alice")
	if _, ok := v.SigningPublic(); ok {
		t.Fatal("a signing key exists before first use")
	}
	k1, err := v.SigningKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := v.SigningKey()
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("second use gave another key (%v)", err)
	}
	again, err := Open(v.Home(), WithKeychain(v.kc))
	if err != nil {
		t.Fatal(err)
	}
	k3, err := again.SigningKey()
	if err != nil || !k1.Equal(k3) {
		t.Fatalf("reopened vault gave another key (%v)", err)
	}
	name, fp, known := v.Signer(k1.Public().(ed25519.PublicKey))
	if name != "alice" || !known || fp != SigningFingerprint(k1.Public().(ed25519.PublicKey)) || len(fp) != 24 {
		t.Fatalf("Signer(own) = %q %q %v", name, fp, known)
	}
	b, _ := os.ReadFile(filepath.Join(v.Home(), registryFile))
	if bytes.Contains(b, k1.Seed()) || strings.Contains(string(b), encodeSigningSeed(k1.Seed())) {
		t.Fatal("vault.json holds the signing key's seed")
	}
}

// The export carries the signing key in a second block that old readers
// skip; add-public stores it, and the colleague's objects then name them.
func TestExportCarriesSigningKey(t *testing.T) {
	alice := newPerson(t, "alice")
	exp, err := alice.ExportPublic("alice")
	if err != nil {
		t.Fatal(err)
	}
	first, rest := pem.Decode(exp)
	second, _ := pem.Decode(rest)
	if first == nil || first.Type != "PUBLIC KEY" || second == nil || second.Type != SigningPEMType {
		t.Fatalf("export is not RSA then signing key:\n%s", exp)
	}
	if _, err := parsePublicKeyPEM(exp); err != nil {
		t.Fatalf("first block no longer reads as before: %v", err)
	}
	own, _ := alice.SigningPublic()

	bob := newPerson(t, "bob")
	if _, _, known := bob.Signer(own); known {
		t.Fatal("Bob knows Alice's signing key before adding it")
	}
	k, err := bob.AddPublicKey("alice", exp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if k.SigningFingerprint != SigningFingerprint(own) || k.Verified {
		t.Fatalf("stored %+v", k)
	}
	if name, _, known := bob.Signer(own); name != "alice" || !known {
		t.Fatalf("Signer(alice's) on Bob's = %q %v", name, known)
	}
	// Re-exporting a colleague's key passes on their signing key.
	re, _ := bob.ExportPublic("alice")
	if !bytes.Equal(re, exp) {
		t.Fatal("re-export of a colleague's key differs from their own export")
	}
	// An RSA-only file (older ossvault, other tools) still adds.
	carol := newPerson(t, "carol")
	rsaOnly, _ := carol.ExportPublic("carol")
	blk, _ := pem.Decode(rsaOnly)
	k, err = bob.AddPublicKey("carol", pem.EncodeToMemory(blk), nil)
	if err != nil || k.SigningFingerprint != "" {
		t.Fatalf("RSA-only add: %+v %v", k, err)
	}

	if k, err = bob.MarkVerified("alice"); err != nil || !k.Verified {
		t.Fatalf("MarkVerified: %+v %v", k, err)
	}
	if k, _ := bob.Key("alice"); !k.Verified {
		t.Fatal("verified flag not kept")
	}
	for _, name := range []string{"bob", "nobody"} {
		if _, err := bob.MarkVerified(name); err == nil {
			t.Errorf("MarkVerified(%q) accepted", name)
		}
	}
}

// A colleague's name that already holds other keys is an alarm, not an
// update.
func TestKeyChangeRefused(t *testing.T) {
	alice := newPerson(t, "alice")
	exp, _ := alice.ExportPublic("alice")
	impostor := newPerson(t, "alice")
	fake, _ := impostor.ExportPublic("alice")
	blk, _ := pem.Decode(exp)
	rsaOnly := pem.EncodeToMemory(blk)
	_, sigRest := pem.Decode(fake)
	// Alice's RSA key with the impostor's signing key.
	mixed := append(append([]byte{}, rsaOnly...), sigRest...)

	for _, tc := range []struct {
		name      string
		have, add []byte
		changed   bool
	}{
		{"other RSA and signing key", exp, fake, true},
		{"signing key swapped", exp, mixed, true},
		{"signing key added", rsaOnly, exp, true},
		{"signing key dropped", exp, rsaOnly, true},
		{"same file again", exp, exp, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bob := newPerson(t, "bob")
			if _, err := bob.AddPublicKey("alice", tc.have, nil); err != nil {
				t.Fatal(err)
			}
			before, _ := bob.Key("alice")
			_, err := bob.AddPublicKey("alice", tc.add, nil)
			if !errors.Is(err, ErrKeyChanged) != !tc.changed || err == nil {
				t.Fatalf("err %v, want changed=%v", err, tc.changed)
			}
			if tc.changed {
				for _, s := range []string{before.Fingerprint, "key rm alice"} {
					if !strings.Contains(err.Error(), s) {
						t.Fatalf("%q does not name %q", err, s)
					}
				}
			}
			if after, _ := bob.Key("alice"); after.Fingerprint != before.Fingerprint || after.SigningFingerprint != before.SigningFingerprint {
				t.Fatal("the stored keys changed")
			}
		})
	}
	// The same signing key under a second name is refused too.
	bob := newPerson(t, "bob")
	if _, err := bob.AddPublicKey("alice", exp, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.AddPublicKey("mallory", append(pem.EncodeToMemory(mustBlock(t, fake)), sigOf(t, exp)...), nil); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("Alice's signing key under another name: %v", err)
	}
}

func mustBlock(t *testing.T, b []byte) *pem.Block {
	t.Helper()
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatal("no PEM block")
	}
	return blk
}

// sigOf returns the signing block of an export.
func sigOf(t *testing.T, exp []byte) []byte {
	t.Helper()
	_, rest := pem.Decode(exp)
	return rest
}

func TestBackupKeepsSigningKey(t *testing.T) {
	kc := newMemKeychain()
	v := newTestVault(t, WithKeychain(LimitedKeychain{kc}))
	if _, err := v.GenerateRSA(context.Background(), "me", 2048, nil); err != nil {
		t.Fatal(err)
	}
	own, err := v.SigningKey()
	if err != nil {
		t.Fatal(err)
	}
	alice := newPerson(t, "alice")
	exp, _ := alice.ExportPublic("alice")
	if _, err := v.AddPublicKey("alice", exp, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := v.MarkVerified("alice"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	const pass = "correct horse battery staple"
	if err := v.Backup(&buf, pass); err != nil {
		t.Fatal(err)
	}

	fresh := newTestVault(t, WithKeychain(LimitedKeychain{newMemKeychain()}))
	rep, err := fresh.RestoreWithReport(bytes.NewReader(buf.Bytes()), pass)
	if err != nil || rep.Signing != "restored" {
		t.Fatalf("restore: %+v %v", rep, err)
	}
	got, err := fresh.SigningKey()
	if err != nil || !got.Equal(own) {
		t.Fatalf("restored signing key differs (%v)", err)
	}
	if k, _ := fresh.Key("alice"); !k.Verified || k.SigningFingerprint == "" {
		t.Fatalf("colleague restored as %+v", k)
	}
	alicePub, _ := alice.SigningPublic()
	if name, _, ok := fresh.Signer(alicePub); name != "alice" || !ok {
		t.Fatal("restored vault does not know Alice's signing key")
	}
	// Restoring again changes nothing; a computer with a signing key of
	// its own keeps it.
	rep, err = fresh.RestoreWithReport(bytes.NewReader(buf.Bytes()), pass)
	if err != nil || rep.Signing != "already here" {
		t.Fatalf("second restore: %+v %v", rep, err)
	}
	busy := newPerson(t, "other")
	mine, _ := busy.SigningKey()
	rep, err = busy.RestoreWithReport(bytes.NewReader(buf.Bytes()), pass)
	if err != nil || !strings.Contains(rep.Signing, "keeps") {
		t.Fatalf("restore over another signing key: %+v %v", rep, err)
	}
	if k, _ := busy.SigningKey(); !k.Equal(mine) {
		t.Fatal("restore replaced this computer's signing key")
	}
}

// A copied home takes its own copy of the signing key's secret.
func TestCopiedHomeKeepsSigningKey(t *testing.T) {
	kc := newMemKeychain()
	v := newTestVault(t, WithKeychain(kc))
	own, err := v.SigningKey()
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(dst, os.DirFS(v.Home())); err != nil {
		t.Fatal(err)
	}
	c, err := Open(dst, WithKeychain(kc))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Remove("nothing"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatal(err)
	}
	got, err := c.SigningKey()
	if err != nil || !got.Equal(own) {
		t.Fatalf("copy's signing key: %v", err)
	}
	if c.snapshot().VaultID == v.snapshot().VaultID {
		t.Fatal("the copy shares the vault id")
	}
}
