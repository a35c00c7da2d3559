package systemtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/kmslocal/kmstest"
	"github.com/ossvault/ossvault/internal/testenv"
	"github.com/ossvault/ossvault/vault"
	"github.com/ossvault/ossvault/vault/kms"
)

func requireKeychain(t *testing.T) { testenv.RequireKeychain(t) }

// open opens a vault on the real keychain, with Windows' and macOS's size
// limits enforced on top so that what passes here fits there too.
func open(t testing.TB, home string, opts ...vault.Option) *vault.Vault {
	t.Helper()
	v, err := vault.Open(home, append([]vault.Option{vault.WithKeychain(vault.LimitedKeychain{Keychain: vault.SystemKeychain{}})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// registry reads the parts of vault.json the tests look behind.
type registry struct {
	VaultID string `json:"vault_id"`
	Keys    []struct {
		Name   string `json:"name"`
		Secret string `json:"secret"`
	} `json:"keys"`
	Accounts []struct {
		Name   string `json:"name"`
		Secret string `json:"secret"`
	} `json:"accounts"`
}

func readRegistry(t *testing.T, home string) registry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(home, "vault.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r registry
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func seal(t *testing.T, v *vault.Vault, name string) (*envelope.Envelope, *envelope.DataKey) {
	t.Helper()
	ctx := context.Background()
	w, err := v.Wrapper(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	e, k, err := envelope.Seal(ctx, w, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	back, err := envelope.ParseMeta(e.Meta())
	if err != nil {
		t.Fatal(err)
	}
	return back, k
}

func opens(v *vault.Vault, e *envelope.Envelope, want *envelope.DataKey) error {
	ctx := context.Background()
	ids, err := v.Identities(ctx, e)
	if err != nil {
		return err
	}
	k, err := envelope.Open(ctx, e, ids...)
	if err != nil {
		return err
	}
	if k.Key != want.Key || k.IV != want.IV {
		return errors.New("opened a different data key")
	}
	return nil
}

func gone(t *testing.T, service, user string) {
	t.Helper()
	if _, err := keyring.Get(service, user); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("keychain entry %s/%s still there: %v", service, user, err)
	}
}

func TestEverySizeInTheRealKeychain(t *testing.T) {
	requireKeychain(t)
	for _, bits := range []int{2048, 3072, 4096} {
		t.Run(fmt.Sprint(bits), func(t *testing.T) {
			home := t.TempDir()
			v := open(t, home)
			if _, err := v.GenerateRSA(context.Background(), "k", bits, nil); err != nil {
				t.Fatal(err)
			}
			e, dk := seal(t, v, "k")
			// A second Vault reads the key back from the keychain, not from
			// anything the first one kept.
			if err := opens(open(t, home), e, dk); err != nil {
				t.Fatal(err)
			}
			r := readRegistry(t, home)
			if err := v.Remove("k"); err != nil {
				t.Fatal(err)
			}
			gone(t, "ossvault:"+r.VaultID, r.Keys[0].Secret)
		})
	}
}

func TestLongSTSTokenInTheRealKeychain(t *testing.T) {
	requireKeychain(t)
	home := t.TempDir()
	v := open(t, home)
	token := strings.Repeat("CAISxyz0123456789", 400) // 6800 bytes: four entries
	if _, err := v.AddAccount(vault.Account{Name: "sts", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "STS.id"}, "sts-secret", token); err != nil {
		t.Fatal(err)
	}
	_, secret, got, err := open(t, home).Credentials("sts")
	if err != nil || secret != "sts-secret" || got != token {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
	r := readRegistry(t, home)
	if err := v.RemoveAccount("sts"); err != nil {
		t.Fatal(err)
	}
	service, ref := "ossvault:"+r.VaultID, r.Accounts[0].Secret
	for _, user := range []string{ref, ref + "#1", ref + "#2", ref + "#3", ref + "#4"} {
		gone(t, service, user)
	}
}

// Two homes never see each other's entries, and a copied home gets its own.
func TestHomesAreSeparateInTheRealKeychain(t *testing.T) {
	requireKeychain(t)
	ctx := context.Background()
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	va, vb := open(t, a), open(t, b)
	if _, err := va.GenerateRSA(ctx, "same-name", 2048, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := vb.GenerateRSA(ctx, "same-name", 2048, nil); err != nil {
		t.Fatal(err)
	}
	ea, ka := seal(t, va, "same-name")
	if err := opens(vb, ea, ka); !errors.Is(err, envelope.ErrNoKey) {
		t.Fatalf("home b opened home a's object: %v", err)
	}
	if readRegistry(t, a).VaultID == readRegistry(t, b).VaultID {
		t.Fatal("two homes share a vault id")
	}

	c := filepath.Join(root, "copy-of-a")
	if err := os.CopyFS(c, os.DirFS(a)); err != nil {
		t.Fatal(err)
	}
	vc := open(t, c)
	if readRegistry(t, c).VaultID == readRegistry(t, a).VaultID {
		t.Fatal("the copy shares the original's entries")
	}
	if err := opens(vc, ea, ka); err != nil {
		t.Fatalf("the copy cannot open: %v", err)
	}
	if err := vc.Remove("same-name"); err != nil {
		t.Fatal(err)
	}
	if err := opens(open(t, a), ea, ka); err != nil {
		t.Fatalf("removing from the copy broke the original: %v", err)
	}
}

// KMS keys work through the real KMS client, over HTTPS to the local KMS
// endpoint, with credentials from the key (an STS token), an account, or
// the environment, and SSL_CERT_FILE from the vault's environment.
func TestKMSWithTheRealClient(t *testing.T) {
	requireKeychain(t)
	k := kmstest.Start(t)
	srv, ep, ca := k, k.Endpoint, k.CAFile
	srv.AddAccessKey("env-id", "env-secret")
	srv.AddAccessKey("acct-id", "acct-secret")
	srv.AddSTSToken("STS.own", "own-secret", "own-token", time.Now().Add(time.Hour))
	env := map[string]string{"SSL_CERT_FILE": ca, "ALIBABA_CLOUD_ACCESS_KEY_ID": "env-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret"}
	v := open(t, t.TempDir(), vault.WithGetenv(func(k string) string { return env[k] }))
	if _, err := v.AddAccount(vault.Account{Name: "acct", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "acct-id"}, "acct-secret", ""); err != nil {
		t.Fatal(err)
	}
	own := &kms.Credentials{AccessKeyID: "STS.own", AccessKeySecret: "own-secret", SecurityToken: "own-token"}
	for _, k := range []struct {
		name  string
		creds *kms.Credentials
		opts  []vault.KMSKeyOption
	}{
		{"own", own, nil},
		{"account", nil, []vault.KMSKeyOption{vault.UseAccount("acct")}},
		{"env", nil, nil},
	} {
		keyID, err := srv.CreateKey("cn-hangzhou", k.name)
		if err != nil {
			t.Fatal(err)
		}
		md := envelope.MatDesc{"key": k.name}
		if _, err := v.AddKMSKey(k.name, keyID, "cn-hangzhou", ep.Host, md, k.creds, k.opts...); err != nil {
			t.Fatal(err)
		}
		e, dk := seal(t, v, k.name)
		if e.WrapAlg != envelope.WrapKMS {
			t.Fatalf("wrap alg %q", e.WrapAlg)
		}
		if err := opens(v, e, dk); err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
	}
	if n := srv.Calls("Decrypt"); n < 6 {
		t.Fatalf("%d Decrypt calls reached the KMS endpoint, want at least 6", n)
	}
	// Without the certificate authority the connection is refused, in words
	// that point at SSL_CERT_FILE.
	delete(env, "SSL_CERT_FILE")
	w, err := v.Wrapper(context.Background(), "env")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = envelope.Seal(context.Background(), w, rand.Reader)
	if err == nil || !strings.Contains(err.Error(), "SSL_CERT_FILE") {
		t.Fatalf("untrusted endpoint: %v", err)
	}
}
