package cli

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	osscrypto "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/vault"
)

// withKeyPEM is a person whose default key is an RSA key pair imported
// from PEM, which the test keeps, so that the official SDK can use it too.
func withKeyPEM(t *testing.T, h *harness, name string) (*harness, *rsa.PrivateKey) {
	t.Helper()
	p := &harness{t: t, srv: h.srv, home: t.TempDir(), vars: map[string]string{}}
	for k, v := range h.vars {
		p.vars[k] = v
	}
	p.vars["OSSVAULT_HOME"] = p.home
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), name+".pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)}), 0o600); err != nil {
		t.Fatal(err)
	}
	p.must("key", "import", name, "--private-key", f)
	p.must("key", "default", name)
	return p, priv
}

func keyOf(t *testing.T, p *harness, name string) vault.Key {
	t.Helper()
	v, err := vault.Open(p.home)
	if err != nil {
		t.Fatal(err)
	}
	k, err := v.Key(name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// recipientLines are info's recipient lines, in order.
func recipientLines(t *testing.T, p *harness, obj string) ([]string, int) {
	t.Helper()
	out, _, code := p.run("info", obj)
	var lines []string
	for line := range strings.SplitSeq(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "recipient: "); ok {
			lines = append(lines, rest)
		}
	}
	return lines, code
}

// Alice puts one object for herself, Bob and Carol, each on a home of
// their own with keys exchanged by export-public and add-public: each of
// them gets it, Dave cannot (exit 3), the official Go SDK v1 opens it
// with Alice's key, info lists the recipients, and a flipped byte of the
// recipients header fails (exit 4), single PUT and multipart alike.
func TestPutForSeveralRecipients(t *testing.T) {
	requireKeychain(t)
	h := newHarness(t)
	alice, alicePriv := withKeyPEM(t, h, "alice")
	bob := person(t, h, "bob")
	carol := person(t, h, "carol")
	dave := person(t, h, "dave")
	exportTo(t, bob, "bob", alice, "bob")
	exportTo(t, carol, "carol", alice, "carol")
	md := map[string]string{"alice": keyOf(t, alice, "alice").MatDesc.String(),
		"bob": keyOf(t, bob, "bob").MatDesc.String(), "carol": keyOf(t, carol, "carol").MatDesc.String()}

	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		size int
	}{{"small.csv", 50 << 10}, {"multi.csv", 300 << 10}} {
		t.Run(tc.name, func(t *testing.T) {
			src := filepath.Join(dir, tc.name)
			want := writeFile(t, src, tc.size)
			obj := "oss://bkt/" + tc.name
			alice.must("put", src, obj, "--key", "alice", "--key", "bob", "--key", "carol", "--part-size", "102400")
			for _, p := range []*harness{alice, bob, carol} {
				out := filepath.Join(t.TempDir(), "out")
				p.must("get", obj, out)
				if !bytes.Equal(mustRead(t, out), want) {
					t.Fatalf("%s got other bytes", p.home)
				}
			}
			out := filepath.Join(t.TempDir(), "out")
			_, errs, code := dave.run("get", obj, out)
			if code != 3 || !strings.Contains(errs, md["bob"]) || !strings.Contains(errs, md["carol"]) {
				t.Fatalf("dave: exit %d: %s", code, errs)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatal("dave's get left a file")
			}

			// The official SDK sees Alice's wrap in its own headers.
			mc, err := osscrypto.CreateMasterRsa(keyOf(t, alice, "alice").MatDesc, publicPEM(t, alicePriv), string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(alicePriv)})))
			if err != nil {
				t.Fatal(err)
			}
			cb, err := osscrypto.GetCryptoBucket(&alice.bucket().Client, "bkt", osscrypto.CreateAesCtrCipher(mc))
			if err != nil {
				t.Fatal(err)
			}
			body, err := cb.GetObject(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(body)
			body.Close()
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("SDK v1: %v", err)
			}

			// Alice knows every recipient; Bob knows only himself.
			for _, tc := range []struct {
				p    *harness
				want []string
			}{
				{alice, []string{"alice " + md["alice"], "bob " + md["bob"], "carol " + md["carol"]}},
				{bob, []string{"unknown " + md["alice"], "bob " + md["bob"], "unknown " + md["carol"]}},
				{dave, []string{"unknown " + md["alice"], "unknown " + md["bob"], "unknown " + md["carol"]}},
			} {
				lines, _ := recipientLines(t, tc.p, obj)
				if fmt.Sprint(lines) != fmt.Sprint(tc.want) {
					t.Fatalf("recipient lines %q, want %q", lines, tc.want)
				}
			}
			if m, _ := infoLines(t, bob, obj); m["opened-by"] != "bob" || m["integrity"] != "verified" {
				t.Fatalf("bob's info: %v", m)
			}

			// A flipped byte of the recipients header (Carol's wrapped
			// counter, its last bytes) fails for everyone who opens it.
			// Like any envelope header it is bound by the MAC, which a
			// range checks with --verify; Carol's own wrap then opens
			// nothing, which fails at once.
			flipped := "flipped-" + tc.name
			tamperedCopy(t, alice, tc.name, flipped, func(_ []byte, m map[string]string) { flipB64(t, m, envelope.HeaderRecipients) })
			refused(t, bob, "oss://bkt/"+flipped, true)
			refused(t, alice, "oss://bkt/"+flipped, true)
			refused(t, carol, "oss://bkt/"+flipped)
		})
	}
}

func publicPEM(t *testing.T, k *rsa.PrivateKey) string {
	t.Helper()
	b, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: b}))
}

// Locked for more keys than OSS's 8 KB of metadata holds (9 RSA-2048
// keys), put refuses in a plain sentence and sends nothing.
func TestPutTooManyRecipients(t *testing.T) {
	requireKeychain(t)
	h := newHarness(t)
	args := []string{"--key", "me"}
	for i := range 9 {
		name := fmt.Sprintf("k%d", i)
		h.must("key", "gen", name, "--bits", "2048")
		args = append(args, "--key", name)
	}
	src := filepath.Join(t.TempDir(), "f")
	writeFile(t, src, 1000)
	before := len(h.srv.Log.Entries())
	_, errs, code := h.run(append([]string{"put", src, "oss://bkt/f"}, args...)...)
	if code != 1 || !strings.Contains(errs, "too many recipients for one object: locked for 10 keys") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("exit %d: %q", code, errs)
	}
	for _, e := range h.srv.Log.Entries()[before:] {
		if e.Op == osslocal.OpPutObject || e.Op == osslocal.OpInitiateMultipartUpload {
			t.Fatalf("%s reached the endpoint", e.Op)
		}
	}
	// Several files: refused once, up front, not once per file.
	other := filepath.Join(filepath.Dir(src), "g")
	writeFile(t, other, 1000)
	_, errs, code = h.run(append([]string{"put", src, other, "oss://bkt/many/"}, args...)...)
	if code != 1 || strings.Count(errs, "too many recipients") != 1 || strings.Count(errs, "\n") != 1 {
		t.Fatalf("two files: exit %d: %q", code, errs)
	}
	h.must(append([]string{"put", src, "oss://bkt/f"}, args[:18]...)...)
	// The same key twice is a usage error.
	if _, _, code := h.run("put", src, "oss://bkt/g", "--key", "k1", "--key", "k1"); code != 2 {
		t.Fatalf("--key twice: exit %d", code)
	}
}
