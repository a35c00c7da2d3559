package systemtest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ossvault/ossvault/internal/kmslocal/kmstest"
	"github.com/ossvault/ossvault/internal/testenv"
	"github.com/ossvault/ossvault/vault"
	"github.com/ossvault/ossvault/vault/kms"
)

// keychainEntries counts the Secret Service items stored under service, as
// go-keyring labels them, locked or not: what is really in the keychain,
// not what the vault believes it wrote.
func keychainEntries(t *testing.T, service string) int { return testenv.KeychainItems(t, service) }

// A KMS key added with CheckKMS is tried through the real KMS client over
// HTTPS before it is saved. When the try fails the error names the reason
// (the vault/kms sentinel), and nothing reaches vault.json or the keychain,
// as a fresh Open of the home and a search of the Secret Service show.
func TestKMSKeyCheckedBeforeSaving(t *testing.T) {
	requireKeychain(t)
	ctx := context.Background()
	k := kmstest.Start(t)
	srv, ep, ca := k, k.Endpoint, k.CAFile
	const (
		officeID, officeSecret = "LTAIofficeKMS", "office-kms-secret-value"
		wrongSecret            = "a-secret-KMS-does-not-have"
	)
	srv.AddAccessKey(officeID, officeSecret)
	keyID := k.NewKey(t, "cn-hangzhou", "company", false)
	offKey := k.NewKey(t, "cn-hangzhou", "switched off", true)
	deadAddr := kmstest.DeadAddr(t)

	home := t.TempDir()
	// No AccessKey in the environment: only the key's or the account's count.
	env := map[string]string{"SSL_CERT_FILE": ca}
	opts := []vault.Option{vault.WithGetenv(func(k string) string { return env[k] })}
	v := open(t, home, opts...)
	if _, err := v.AddAccount(vault.Account{Name: "wrong", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: officeID}, wrongSecret, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddAccount(vault.Account{Name: "office", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: officeID}, officeSecret, ""); err != nil {
		t.Fatal(err)
	}
	service := "ossvault:" + readRegistry(t, home).VaultID
	entries := keychainEntries(t, service)
	if entries != 2 {
		t.Fatalf("%d keychain entries for the two accounts", entries)
	}

	good := &kms.Credentials{AccessKeyID: officeID, AccessKeySecret: officeSecret}
	for _, tc := range []struct {
		name     string
		creds    *kms.Credentials
		opts     []vault.KMSKeyOption
		keyID    string
		endpoint string
		want     error
	}{
		{"unknown AccessKey", &kms.Credentials{AccessKeyID: "LTAIunknown", AccessKeySecret: officeSecret}, nil, keyID, ep.Host, kms.ErrAccessDenied},
		{"wrong secret", &kms.Credentials{AccessKeyID: officeID, AccessKeySecret: wrongSecret}, nil, keyID, ep.Host, kms.ErrAccessDenied},
		{"account with the wrong secret", nil, []vault.KMSKeyOption{vault.UseAccount("wrong")}, keyID, ep.Host, kms.ErrAccessDenied},
		{"unknown key id", good, nil, "key-doesnotexist00000", ep.Host, kms.ErrKeyNotFound},
		{"key from another region", good, nil, keyID, ep.Host, kms.ErrKeyNotFound},
		{"disabled key", good, nil, offKey, ep.Host, kms.ErrKeyDisabled},
		{"unreachable endpoint", good, nil, keyID, deadAddr, kms.ErrUnreachable},
		{"no credentials", nil, nil, keyID, ep.Host, kms.ErrNoCredentials},
	} {
		t.Run(tc.name, func(t *testing.T) {
			region := "cn-hangzhou"
			if tc.name == "key from another region" {
				region = "cn-shanghai"
			}
			encrypts := srv.Calls("Encrypt")
			_, err := v.AddKMSKey("company", tc.keyID, region, tc.endpoint, nil, tc.creds, append(tc.opts, vault.CheckKMS(ctx))...)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			for _, s := range []string{officeSecret, wrongSecret} {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("the error holds a secret: %v", err)
				}
			}
			reachable := tc.want != kms.ErrUnreachable && tc.want != kms.ErrNoCredentials
			if got := srv.Calls("Encrypt") - encrypts; reachable != (got > 0) {
				t.Errorf("%d Encrypt calls reached KMS", got)
			}
			if keys := open(t, home, opts...).Keys(); len(keys) != 0 {
				t.Fatalf("the failed key is on disk: %+v", keys)
			}
			if r := readRegistry(t, home); len(r.Keys) != 0 {
				t.Fatalf("vault.json holds %+v", r.Keys)
			}
			if n := keychainEntries(t, service); n != entries {
				t.Fatalf("%d keychain entries after the failed add, want %d", n, entries)
			}
		})
	}

	// The same name then saves once the details are right: with its own
	// AccessKey (one more keychain entry) or the account's (none).
	encrypts := srv.Calls("Encrypt")
	if _, err := v.AddKMSKey("company", keyID, "cn-hangzhou", ep.Host, nil, good, vault.CheckKMS(ctx)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddKMSKey("via office", keyID, "cn-hangzhou", "https://"+ep.Host, nil, nil, vault.UseAccount("office"), vault.CheckKMS(ctx)); !errors.Is(err, vault.ErrKeyExists) {
		t.Fatalf("the same KMS key under another name: %v", err)
	}
	second, err := srv.CreateKey("cn-hangzhou", "second")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddKMSKey("via office", second, "cn-hangzhou", ep.Host, nil, nil, vault.UseAccount("office"), vault.CheckKMS(ctx)); err != nil {
		t.Fatal(err)
	}
	if got := srv.Calls("Encrypt") - encrypts; got != 2 {
		t.Errorf("%d Encrypt calls for two checked keys and a duplicate, want 2", got)
	}
	reopened := open(t, home, opts...)
	for _, name := range []string{"company", "via office"} {
		k, err := reopened.Key(name)
		if err != nil || k.Kind != vault.KindKMS {
			t.Fatalf("%s after reopening: %+v %v", name, k, err)
		}
		e, dk := seal(t, reopened, name)
		if err := opens(reopened, e, dk); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if n := keychainEntries(t, service); n != entries+1 {
		t.Fatalf("%d keychain entries, want %d (the accounts and the key's own AccessKey)", n, entries+1)
	}
}
