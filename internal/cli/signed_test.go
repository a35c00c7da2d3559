package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/vault"
)

// person is another computer on the same endpoint: its own home, and so
// its own keys, signing key included, with the RSA key pair name as the
// default.
func person(t *testing.T, h *harness, name string) *harness {
	t.Helper()
	p := &harness{t: t, srv: h.srv, home: t.TempDir(), vars: map[string]string{}}
	for k, v := range h.vars {
		p.vars[k] = v
	}
	p.vars["OSSVAULT_HOME"] = p.home
	p.must("key", "gen", name, "--bits", "2048")
	return p
}

// exportTo gives from's export of key to to, added there under name.
func exportTo(t *testing.T, from *harness, key string, to *harness, name string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), key+".pem")
	if err := os.WriteFile(f, []byte(from.must("key", "export-public", key)), 0o600); err != nil {
		t.Fatal(err)
	}
	to.must("key", "add-public", name, "--public-key", f)
}

// signingFP is the signing fingerprint of a home's own signing key.
func signingFP(t *testing.T, p *harness) string {
	t.Helper()
	v, err := vault.Open(p.home)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := v.SigningKey()
	if err != nil {
		t.Fatal(err)
	}
	return vault.SigningFingerprint(priv.Public().(ed25519.PublicKey))
}

// infoLines runs info and returns its key: value lines.
func infoLines(t *testing.T, p *harness, obj string) (map[string]string, int) {
	t.Helper()
	out, _, code := p.run("info", obj)
	m := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			m[k] = v
		}
	}
	return m, code
}

var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// Alice's object, locked for Bob, reads on Bob's computer as unknown until
// Bob adds Alice's export, then as Alice's; one written by someone holding
// only Bob's public key reads as unknown; a copy under another name warns
// with the name it was uploaded as.
func TestSignedBy(t *testing.T) {
	h := newHarness(t)
	alice := person(t, h, "alice")
	bob := person(t, h, "bob")
	mallory := person(t, h, "mallory")
	exportTo(t, bob, "bob", alice, "bob")
	exportTo(t, bob, "bob", mallory, "bob")

	src := filepath.Join(t.TempDir(), "inv.csv")
	want := writeFile(t, src, 300<<10)
	alice.must("put", src, "oss://bkt/inv.csv", "--key", "bob")
	aliceFP, malloryFP := signingFP(t, alice), signingFP(t, mallory)

	m, code := infoLines(t, bob, "oss://bkt/inv.csv")
	if code != 0 || m["integrity"] != "verified" || m["signed-by"] != "unknown "+aliceFP {
		t.Fatalf("before add-public: exit %d, %v", code, m)
	}
	if m["uploaded-as"] != "oss://bkt/inv.csv" || !rfc3339UTC.MatchString(m["uploaded-at"]) {
		t.Fatalf("name and time: %v", m)
	}
	if at, _ := time.Parse(time.RFC3339, m["uploaded-at"]); time.Since(at) > time.Hour || time.Until(at) > time.Minute {
		t.Fatalf("uploaded-at %s is not now", m["uploaded-at"])
	}
	exportTo(t, alice, "alice", bob, "alice")
	if m, code = infoLines(t, bob, "oss://bkt/inv.csv"); code != 0 || m["signed-by"] != "alice "+aliceFP {
		t.Fatalf("after add-public: exit %d, %v", code, m)
	}
	// The writer sees herself under her own default key's name.
	bobFP := signingFP(t, bob)
	src2 := filepath.Join(t.TempDir(), "own")
	writeFile(t, src2, 1000)
	bob.must("put", src2, "oss://bkt/own")
	if m, _ = infoLines(t, bob, "oss://bkt/own"); m["signed-by"] != "bob "+bobFP {
		t.Fatalf("own object: %v", m)
	}

	// Mallory has only Bob's public key: her object opens and verifies,
	// but names no one Bob knows.
	mallory.must("put", src, "oss://bkt/forged.csv", "--key", "bob")
	if m, code = infoLines(t, bob, "oss://bkt/forged.csv"); code != 0 || m["integrity"] != "verified" || m["signed-by"] != "unknown "+malloryFP {
		t.Fatalf("forged: exit %d, %v", code, m)
	}

	// The official SDK copies Alice's object, body and headers, over
	// another name: get warns with the name it was uploaded as.
	tamperedCopy(t, bob, "inv.csv", "bob.csv", func([]byte, map[string]string) {})
	out := filepath.Join(t.TempDir(), "copy")
	_, errs, code := bob.run("get", "oss://bkt/bob.csv", out)
	got, _ := os.ReadFile(out)
	if code != 0 || !bytes.Equal(got, want) {
		t.Fatalf("copy: exit %d (%s)", code, errs)
	}
	wantWarn := regexp.MustCompile(`^ossvault: warning: oss://bkt/bob\.csv was uploaded as oss://bkt/inv\.csv on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$`)
	if !wantWarn.MatchString(errs) {
		t.Fatalf("copy: stderr %q", errs)
	}
	if m, _ = infoLines(t, bob, "oss://bkt/bob.csv"); m["uploaded-as"] != "oss://bkt/inv.csv" || m["signed-by"] != "alice "+aliceFP {
		t.Fatalf("copy info: %v", m)
	}
	// Read under its own name: no warning.
	if _, errs, code = bob.run("get", "oss://bkt/inv.csv", filepath.Join(t.TempDir(), "x")); code != 0 || errs != "" {
		t.Fatalf("own name: exit %d, stderr %q", code, errs)
	}

	// Mallory cannot claim to be Alice: her object with Alice's signer
	// header fails, like any bad signature.
	aliceSigner := headerOf(t, bob, "inv.csv", "ossvault-signer")
	tamperedCopy(t, bob, "forged.csv", "claimed.csv", func(_ []byte, m map[string]string) { m["ossvault-signer"] = aliceSigner })
	refused(t, bob, "oss://bkt/claimed.csv")
}

func headerOf(t *testing.T, h *harness, key, name string) string {
	t.Helper()
	hdr, err := h.bucket().GetObjectDetailedMeta(key)
	if err != nil {
		t.Fatal(err)
	}
	return hdr.Get("X-Oss-Meta-" + name)
}

// refused checks that get exits 4 leaving nothing, whole and as a range
// (checked before any byte is read unless relabelled: a v2 MAC then fails
// only when the whole object is read, so with --verify), and info says the
// integrity failed.
func refused(t *testing.T, h *harness, obj string, relabelled ...bool) {
	t.Helper()
	rng := []string{"--range", "0-99"}
	if len(relabelled) > 0 && relabelled[0] {
		rng = append(rng, "--verify")
	}
	for _, extra := range [][]string{nil, rng} {
		dir := t.TempDir()
		_, errs, code := h.run(append([]string{"get", obj, filepath.Join(dir, "out")}, extra...)...)
		if code != 4 || !strings.HasPrefix(errs, "ossvault: ") {
			t.Fatalf("get %s %v: exit %d (%q), want 4", obj, extra, code, errs)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Fatalf("get %s %v: left %d files", obj, extra, len(ents))
		}
	}
	m, code := infoLines(t, h, obj)
	if code != 4 || m["integrity"] != "failed" || m["signed-by"] != "none" {
		t.Fatalf("info %s: exit %d, %v", obj, code, m)
	}
}

// Changing or removing the signature, made with the official SDK, fails
// as a bad MAC does.
func TestBadSignatureExits4(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "pay.csv")
	writeFile(t, src, 2<<20+5)
	h.must("put", src, "oss://bkt/pay.csv")
	sigHeaders := []string{"ossvault-signer", "ossvault-sig-alg", "ossvault-uploaded-as", "ossvault-uploaded-at", "ossvault-sig"}
	for _, tc := range []struct {
		name   string
		change func([]byte, map[string]string)
	}{
		{"signature bytes flipped", func(_ []byte, m map[string]string) { flipB64(t, m, "ossvault-sig") }},
		{"signature removed", func(_ []byte, m map[string]string) {
			for _, n := range sigHeaders {
				delete(m, n)
			}
		}},
		{"signature removed, MAC relabelled as unsigned", func(_ []byte, m map[string]string) {
			for _, n := range sigHeaders {
				delete(m, n)
			}
			m["ossvault-mac-alg"] = envelope.MACAlg
		}},
		{"name rewritten to the copy's", func(_ []byte, m map[string]string) { m["ossvault-uploaded-as"] = "oss://bkt/t.csv" }},
		{"time rewritten", func(_ []byte, m map[string]string) { m["ossvault-uploaded-at"] = "2030-01-01T00:00:00Z" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tamperedCopy(t, h, "pay.csv", "t.csv", tc.change)
			refused(t, h, "oss://bkt/t.csv", strings.Contains(tc.name, "relabelled"))
		})
	}
}

// Objects written before signatures (a v2 MAC, no signature headers)
// still read, verified and not signed, without a warning.
func TestUnsignedObjectStillReads(t *testing.T) {
	h := newHarness(t)
	v, err := vault.Open(h.home)
	if err != nil {
		t.Fatal(err)
	}
	w, err := v.Wrapper(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	e, k, err := envelope.Seal(context.Background(), w, nil)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("PAY Alice 0000\n")
	e.UnencryptedLength = int64(len(plain))
	if err := envelope.Sum(context.Background(), e, k, bytes.NewReader(plain), int64(len(plain)), 1); err != nil {
		t.Fatal(err)
	}
	ct := make([]byte, len(plain))
	k.XORKeyStreamAt(ct, plain, 0)
	var opts []oss.Option
	for n, val := range e.Meta() {
		opts = append(opts, oss.Meta(n, val))
	}
	if err := h.bucket().PutObject("old.csv", bytes.NewReader(ct), opts...); err != nil {
		t.Fatal(err)
	}
	m, code := infoLines(t, h, "oss://bkt/old.csv")
	if code != 0 || m["integrity"] != "verified" || m["signed-by"] != "none" || m["uploaded-as"] != "-" || m["uploaded-at"] != "-" {
		t.Fatalf("info: exit %d, %v", code, m)
	}
	out := filepath.Join(t.TempDir(), "old")
	_, errs, code := h.run("get", "oss://bkt/old.csv", out)
	if got, _ := os.ReadFile(out); code != 0 || errs != "" || !bytes.Equal(got, plain) {
		t.Fatalf("get: exit %d, stderr %q", code, errs)
	}
	// A plaintext object: not encrypted, not signed.
	if err := h.bucket().PutObject("plain.txt", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if m, _ := infoLines(t, h, "oss://bkt/plain.txt"); m["signed-by"] != "none" || m["encrypted"] != "no" {
		t.Fatalf("plaintext info: %v", m)
	}
}

// A colleague's name whose keys changed is refused, naming both
// fingerprints; key rm then add-public replaces it; key verify marks it.
func TestKeyChangeAlarm(t *testing.T) {
	h := newHarness(t)
	alice := person(t, h, "alice")
	impostor := person(t, h, "alice")
	exportTo(t, alice, "alice", h, "alice")
	before := h.must("key", "list")
	f := filepath.Join(t.TempDir(), "new.pem")
	os.WriteFile(f, []byte(impostor.must("key", "export-public", "alice")), 0o600)
	_, errs, code := h.run("key", "add-public", "alice", "--public-key", f)
	oldK, _ := mustKey(t, alice, "alice")
	newK, _ := mustKey(t, impostor, "alice")
	for _, s := range []string{oldK.Fingerprint, newK.Fingerprint, signingFP(t, alice), signingFP(t, impostor), "key rm alice"} {
		if !strings.Contains(errs, s) {
			t.Fatalf("exit %d, stderr %q lacks %q", code, errs, s)
		}
	}
	if code != 1 || strings.Count(errs, "\n") != 1 || h.must("key", "list") != before {
		t.Fatalf("exit %d, stderr %q, or the keys changed", code, errs)
	}
	out := h.must("key", "verify", "alice")
	if !strings.Contains(out, oldK.Fingerprint) || !strings.Contains(out, signingFP(t, alice)) {
		t.Fatalf("verify: %q", out)
	}
	if h.must("key", "list") != before {
		t.Fatal("key list changed its lines")
	}
	if _, _, code := h.run("key", "verify", "me"); code != 1 {
		t.Fatalf("verify of an own key: exit %d", code)
	}
	h.must("key", "rm", "alice")
	h.must("key", "add-public", "alice", "--public-key", f)
}

func mustKey(t *testing.T, p *harness, name string) (vault.Key, *vault.Vault) {
	t.Helper()
	v, err := vault.Open(p.home)
	if err != nil {
		t.Fatal(err)
	}
	k, err := v.Key(name)
	if err != nil {
		t.Fatal(err)
	}
	return k, v
}

// A backup restored on a new computer signs as the same person.
func TestBackupKeepsSigningKey(t *testing.T) {
	h := newHarness(t)
	h.vars["OSSVAULT_PASSPHRASE"] = "correct horse battery staple"
	src := filepath.Join(t.TempDir(), "a")
	writeFile(t, src, 1000)
	h.must("put", src, "oss://bkt/a")
	fp := signingFP(t, h)
	file := filepath.Join(t.TempDir(), "backup.age")
	h.must("key", "backup", file)

	fresh := &harness{t: t, srv: h.srv, home: t.TempDir(), vars: map[string]string{}}
	for k, v := range h.vars {
		fresh.vars[k] = v
	}
	fresh.vars["OSSVAULT_HOME"] = fresh.home
	if out := fresh.must("key", "restore", file); !strings.Contains(out, "restored the signing key") {
		t.Fatalf("restore: %q", out)
	}
	if got := signingFP(t, fresh); got != fp {
		t.Fatalf("restored signing key %s, want %s", got, fp)
	}
	if m, _ := infoLines(t, fresh, "oss://bkt/a"); m["signed-by"] != "me "+fp {
		t.Fatalf("info on the restored computer: %v", m)
	}
}
