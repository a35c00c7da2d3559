package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ossvault/ossvault/internal/kmslocal/kmstest"
	"github.com/ossvault/ossvault/internal/testenv"
)

// keychainEntries counts the Secret Service items of home's vault, locked or
// not, by the service name go-keyring gives them ("ossvault:<vault id>").
func keychainEntries(t *testing.T, home string) int {
	t.Helper()
	var reg struct {
		VaultID string `json:"vault_id"`
	}
	if err := json.Unmarshal(mustRead(t, filepath.Join(home, "vault.json")), &reg); err != nil || reg.VaultID == "" {
		t.Fatalf("vault.json: %v", err)
	}
	return testenv.KeychainItems(t, "ossvault:"+reg.VaultID)
}

// "key add-kms --check" tries the key with KMS (internal/kmslocal over
// HTTPS, its certificate trusted through SSL_CERT_FILE) before saving it. A
// key that does not work exits 1 with one plain sentence and leaves "key
// list", vault.json and the keychain as they were; without --check the
// command saves without asking KMS, as the contract has it (offline adds).
func TestKeyAddKMSChecksTheKey(t *testing.T) {
	requireKeychain(t)
	k := kmstest.Start(t)
	srv, ep, ca := k, k.Endpoint, k.CAFile
	const (
		kmsID, kmsSecret = "LTAI5tKmsUser", "KmsUserSecretValue0123456789"
		wrongSecret      = "NotTheKmsSecretValue987654"
	)
	srv.AddAccessKey(kmsID, kmsSecret)
	keyID := k.NewKey(t, "cn-hangzhou", "company", false)
	offKey := k.NewKey(t, "cn-hangzhou", "switched off", true)
	deadAddr := kmstest.DeadAddr(t)

	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	s := newSession(t, map[string]string{
		"OSSVAULT_HOME": home, "SSL_CERT_FILE": ca,
		"OSS_ACCESS_KEY_ID": kmsID, "OSS_ACCESS_KEY_SECRET": wrongSecret,
	})
	// An account whose secret KMS does not take, so the vault has an id and
	// one keychain entry before any key is tried.
	s.must("account", "add", "wrong", "--endpoint", "https://oss-cn-hangzhou.aliyuncs.com")
	delete(s.vars, "OSS_ACCESS_KEY_ID")
	delete(s.vars, "OSS_ACCESS_KEY_SECRET")
	entries := keychainEntries(t, home)
	registry := string(mustRead(t, filepath.Join(home, "vault.json")))

	withKey := func(id, secret string) {
		s.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"], s.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = id, secret
	}
	add := func(keyID, endpoint string, extra ...string) []string {
		return append([]string{"key", "add-kms", "company", "--kms-key-id", keyID, "--region", "cn-hangzhou", "--kms-endpoint", endpoint, "--check"}, extra...)
	}
	for _, tc := range []struct {
		name       string
		id, secret string // ALIBABA_CLOUD_* ("" leaves them unset)
		args       []string
		want       string
	}{
		{"unknown AccessKey", "LTAI5tNobody", kmsSecret, add(keyID, ep.Host, "--store-credentials"), "access denied: Alibaba Cloud does not know this AccessKey ID"},
		{"wrong secret", kmsID, wrongSecret, add(keyID, ep.Host, "--store-credentials"), "access denied: the AccessKey secret does not match"},
		{"wrong secret from the environment", kmsID, wrongSecret, add(keyID, ep.Host), "access denied: the AccessKey secret does not match"},
		{"account KMS refuses", "", "", add(keyID, ep.Host, "--account", "wrong"), "access denied: the AccessKey secret does not match"},
		{"unknown key id", kmsID, kmsSecret, add("key-doesnotexist0000", ep.Host, "--store-credentials"), "the KMS key was not found in region cn-hangzhou"},
		{"disabled key", kmsID, kmsSecret, add(offKey, ep.Host, "--store-credentials"), "the KMS key is disabled"},
		{"unreachable endpoint", kmsID, kmsSecret, add(keyID, deadAddr, "--store-credentials"), "could not connect to https://" + deadAddr},
		{"no credentials", "", "", add(keyID, ep.Host), "has no credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			delete(s.vars, "ALIBABA_CLOUD_ACCESS_KEY_ID")
			delete(s.vars, "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
			if tc.id != "" {
				withKey(tc.id, tc.secret)
			}
			s.fail(ExitFailure, tc.want, tc.args...)
			if out := s.must("key", "list"); out != "" {
				t.Fatalf("key list after the failed add:\n%s", out)
			}
			if got := string(mustRead(t, filepath.Join(home, "vault.json"))); got != registry {
				t.Fatalf("vault.json changed:\n%s", got)
			}
			if n := keychainEntries(t, home); n != entries {
				t.Fatalf("%d keychain entries after the failed add, want %d", n, entries)
			}
		})
	}
	// Only a failure to reach KMS suggests leaving out --check.
	withKey(kmsID, kmsSecret)
	_, errs, _ := s.run(add(keyID, deadAddr, "--store-credentials")...)
	if !strings.Contains(errs, "leave out --check") {
		t.Errorf("unreachable KMS: %q does not suggest leaving out --check", errs)
	}
	withKey(kmsID, wrongSecret)
	if _, errs, _ := s.run(add(keyID, ep.Host)...); strings.Contains(errs, "leave out --check") {
		t.Errorf("refused AccessKey: %q suggests leaving out --check", errs)
	}

	// The right details save the key and print its "key list" line, as
	// before the check; one Encrypt call was the check.
	withKey(kmsID, kmsSecret)
	encrypts := srv.Calls("Encrypt")
	line := s.must(add(keyID, ep.Host, "--store-credentials")...)
	f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
	if len(f) != 5 || f[0] != "company" || f[1] != "kms" || f[4] != "default" || !strings.HasSuffix(line, "\n") || strings.Count(line, "\n") != 1 {
		t.Fatalf("add-kms printed %q", line)
	}
	if n := srv.Calls("Encrypt") - encrypts; n != 1 {
		t.Errorf("%d Encrypt calls for one checked key", n)
	}
	if got := s.must("key", "list"); got != line {
		t.Errorf("key list %q, want the printed line %q", got, line)
	}
	if n := keychainEntries(t, home); n != entries+1 {
		t.Errorf("%d keychain entries, want %d (the key's own AccessKey)", n, entries+1)
	}

	// Without --check a key whose KMS cannot be reached is saved, without
	// a call, as before the check existed.
	encrypts = srv.Calls("Encrypt")
	line = s.must("key", "add-kms", "offline", "--kms-key-id", keyID, "--region", "cn-shanghai", "--kms-endpoint", deadAddr)
	if !strings.HasPrefix(line, "offline\tkms\t") || strings.Count(line, "\n") != 1 {
		t.Errorf("add-kms without --check printed %q", line)
	}
	if n := srv.Calls("Encrypt") - encrypts; n != 0 {
		t.Errorf("add-kms without --check made %d Encrypt calls", n)
	}
	if got := s.must("key", "list"); !strings.Contains(got, "offline\tkms\t") {
		t.Errorf("key list:\n%s", got)
	}

	secrets := map[string][]byte{"KMS secret": []byte(kmsSecret), "wrong secret": []byte(wrongSecret)}
	scanTree(t, home, secrets)
	scanBytes(t, "the commands' output", s.all.Bytes(), secrets)
}
