package cli

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
	"github.com/ossvault/ossvault/vault"
)

// TestLocalStoreAccountRefusesImpostor: while the app is closed, another
// program takes the saved port of "This computer" and serves OSS-looking
// answers. Every command through that account refuses it in plain words,
// having sent it nothing but the hello challenge. The app's store on the
// same port passes, and an account on a store that answers no hellos
// (serve-local) works as before.
func TestLocalStoreAccountRefusesImpostor(t *testing.T) {
	h := newHarness(t)
	app := osstest.Start(t, osstest.WithHello(), osstest.WithBuckets("demo"))
	port := func() string {
		u, err := url.Parse(app.Endpoint)
		if err != nil {
			t.Fatal(err)
		}
		return u.Host
	}()
	v, err := vault.Open(h.home)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddAccount(vault.Account{Name: vault.LocalStoreAccount, Endpoint: app.Endpoint, AccessKeyID: app.AccessKeyID}, app.AccessKeySecret, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddAccount(vault.Account{Name: "Team", Endpoint: h.srv.Endpoint, AccessKeyID: h.srv.AccessKeyID}, h.srv.AccessKeySecret, ""); err != nil {
		t.Fatal(err)
	}
	local := []string{"--account", vault.LocalStoreAccount}
	src := filepath.Join(t.TempDir(), "minutes.txt")
	if err := os.WriteFile(src, []byte("the board met"), 0o600); err != nil {
		t.Fatal(err)
	}

	// The app's own store passes.
	h.must(append([]string{"put", src, "oss://demo/minutes.txt"}, local...)...)
	if out := h.must(append([]string{"ls", "oss://demo"}, local...)...); !strings.Contains(out, "minutes.txt") {
		t.Fatalf("ls on the app's store: %q", out)
	}
	// A store that answers no hellos, under an account of the user's.
	h.must("put", src, "oss://bkt/minutes.txt", "--account", "Team")
	if out := h.must("ls", "oss://bkt", "--account", "Team"); !strings.Contains(out, "minutes.txt") {
		t.Fatalf("ls on serve-local: %q", out)
	}

	// The app quits; another program takes its port.
	app.Close()
	impostor := osstest.StartImpostor(t, port)
	dest := t.TempDir()
	for _, args := range [][]string{
		{"ls", "oss://demo"},
		{"get", "oss://demo/" + osstest.ForgedObject, dest},
		{"info", "oss://demo/" + osstest.ForgedObject},
		{"put", src, "oss://demo/minutes.txt"},
		{"rm", "oss://demo/minutes.txt"},
		{"share", "oss://demo/minutes.txt"},
		{"mb", "oss://other"},
	} {
		t.Run(args[0], func(t *testing.T) {
			before := len(impostor.Requests())
			out, errs, code := h.run(append(args, local...)...)
			if code != ExitFailure || !strings.HasPrefix(errs, "ossvault: another program is answering on This computer's address") {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
			}
			if strings.Contains(errs, app.AccessKeySecret) {
				t.Fatal("the error shows the secret")
			}
			for _, r := range impostor.Requests()[before:] {
				if r.Signed || !strings.HasPrefix(r.URI, "/?ossvault-hello=") {
					t.Fatalf("the impostor was sent %+v", r)
				}
			}
		})
	}
	if entries, _ := os.ReadDir(dest); len(entries) != 0 {
		t.Fatalf("get left %d files from the impostor", len(entries))
	}
	if s := impostor.Signed(); len(s) != 0 {
		t.Fatalf("signed requests reached the impostor: %+v", s)
	}

	// The impostor goes: the command says to open the app.
	impostor.Close()
	if _, errs, code := h.run(append([]string{"ls", "oss://demo"}, local...)...); code != ExitFailure || !strings.Contains(errs, "open the ossvault app") {
		t.Fatalf("with nothing on the port: exit %d, %q", code, errs)
	}

	// The app comes back on its port: its store passes again.
	again, err := osslocal.New(osslocal.Options{Store: app.Store(), Hello: true,
		Credentials: []osslocal.Credential{{AccessKeyID: app.AccessKeyID, AccessKeySecret: app.AccessKeySecret}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Start(port); err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if out := h.must(append([]string{"ls", "oss://demo"}, local...)...); !strings.Contains(out, "minutes.txt") {
		t.Fatalf("ls once the app is back: %q", out)
	}
}
