package vault

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/vault/kms"
)

// fakeKMS is an in-memory KMS for unit tests; vault/systemtest uses the real
// client against internal/kmslocal.
type fakeKMS struct {
	mu     sync.Mutex
	blobs  map[string]string
	used   []kms.Credentials // credentials of each client made
	encErr error             // returned by Encrypt when set
	calls  int               // Encrypt calls
}

func newFakeKMS() *fakeKMS { return &fakeKMS{blobs: map[string]string{}} }

type fakeKMSClient struct{ f *fakeKMS }

func (c fakeKMSClient) Encrypt(_ context.Context, keyID, pt string) (string, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	c.f.calls++
	if c.f.encErr != nil {
		return "", c.f.encErr
	}
	blob := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%s/%d", keyID, len(c.f.blobs)))
	c.f.blobs[blob] = pt
	return blob, nil
}

func (c fakeKMSClient) Decrypt(_ context.Context, blob string) (string, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	pt, ok := c.f.blobs[blob]
	if !ok {
		return "", errors.New("fake kms: unknown blob")
	}
	return pt, nil
}

func fakeKMSFactory(f *fakeKMS) KMSFactory {
	return func(region, endpoint string, creds kms.Credentials) (envelope.KMS, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.used = append(f.used, creds)
		return fakeKMSClient{f}, nil
	}
}

func (f *fakeKMS) lastCreds() kms.Credentials {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.used[len(f.used)-1]
}

// Credentials come, in the contract's order, from the key, its account,
// ALIBABA_CLOUD_*, then OSS_*.
func TestKMSCredentialOrder(t *testing.T) {
	ctx := context.Background()
	f := newFakeKMS()
	env := map[string]string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID": "env-ali-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-ali-secret",
		"OSS_ACCESS_KEY_ID": "env-oss-id", "OSS_ACCESS_KEY_SECRET": "env-oss-secret", "OSS_SESSION_TOKEN": "env-oss-token",
	}
	v := newTestVault(t, WithKMSFactory(fakeKMSFactory(f)), WithGetenv(envOf(env)))
	if _, err := v.AddAccount(Account{Name: "acct", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "acct-id"}, "acct-secret", "acct-token"); err != nil {
		t.Fatal(err)
	}
	own := &kms.Credentials{AccessKeyID: "own-id", AccessKeySecret: "own-secret", SecurityToken: strings.Repeat("t", 3000)}
	if _, err := v.AddKMSKey("own", "key-own", "cn-hangzhou", "", nil, own, UseAccount("acct")); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddKMSKey("viaacct", "key-acct", "cn-hangzhou", "kms-vpc.cn-hangzhou.aliyuncs.com", nil, nil, UseAccount("acct")); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddKMSKey("viaenv", "key-env", "cn-shanghai", "", nil, nil); err != nil {
		t.Fatal(err)
	}
	if k := mustKey(t, v, "own"); k.Kind != KindKMS || !k.KMS.OwnCredentials || k.Fingerprint != KMSFingerprint("cn-hangzhou", "key-own") {
		t.Fatalf("got %+v %+v", k, k.KMS)
	}
	check := func(key string, want kms.Credentials) {
		t.Helper()
		e, dk := sealFor(t, v, key)
		if got := f.lastCreds(); got != want {
			t.Errorf("%s wrapped with %v, want %v", key, got, want)
		}
		mustOpen(t, v, e, dk)
	}
	check("own", *own)
	check("viaacct", kms.Credentials{AccessKeyID: "acct-id", AccessKeySecret: "acct-secret", SecurityToken: "acct-token"})
	check("viaenv", kms.Credentials{AccessKeyID: "env-ali-id", AccessKeySecret: "env-ali-secret"})
	delete(env, "ALIBABA_CLOUD_ACCESS_KEY_ID")
	check("viaenv", kms.Credentials{AccessKeyID: "env-oss-id", AccessKeySecret: "env-oss-secret", SecurityToken: "env-oss-token"})
	delete(env, "OSS_ACCESS_KEY_ID")
	if _, err := v.Wrapper(ctx, "viaenv"); !errors.Is(err, kms.ErrNoCredentials) {
		t.Errorf("no credentials anywhere: %v", err)
	}
	// Removing the account unlinks its keys, which then use the environment.
	if err := v.RemoveAccount("acct"); err != nil {
		t.Fatal(err)
	}
	if k := mustKey(t, v, "viaacct"); k.KMS.Account != "" {
		t.Errorf("key still linked to a removed account")
	}
	if _, err := v.ExportPublic("own"); err == nil {
		t.Error("exported a public half of a KMS key")
	}
}

func TestAddKMSKeyValidation(t *testing.T) {
	v := newTestVault(t)
	cases := []struct{ name, id, region, endpoint, want string }{
		{"k", "", "cn-hangzhou", "", "key id"},
		{"k", "key-1", "", "", "region"},
		{"k", "key-1", "Hangzhou", "", "region"},
		{"k", "key-1", "cn-hangzhou", "http://kms.example.com", "plain http"},
		{"k", "key-1", "cn-hangzhou", "https://kms.example.com/path", "host name"},
	}
	for _, c := range cases {
		if _, err := v.AddKMSKey(c.name, c.id, c.region, c.endpoint, nil, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v", c, err)
		}
	}
	if _, err := v.AddKMSKey("k", "key-1", "cn-hangzhou", "", nil, nil, UseAccount("missing")); !errors.Is(err, ErrAccountNotFound) {
		t.Errorf("missing account: %v", err)
	}
	if _, err := v.AddKMSKey("k", "key-1", "cn-hangzhou", "", nil, &kms.Credentials{AccessKeyID: "x"}); err == nil {
		t.Error("half credentials accepted")
	}
	for _, ep := range []string{"kms-vpc.cn-hangzhou.aliyuncs.com", "https://kst-abc.cryptoservice.kms.aliyuncs.com", "http://127.0.0.1:8443", "kms.example.com:8443"} {
		if _, err := v.AddKMSKey("ep"+fmt.Sprint(len(v.Keys())), "key-"+ep, "cn-hangzhou", ep, nil, nil); err != nil {
			t.Errorf("endpoint %s: %v", ep, err)
		}
	}
}

// CheckKMS saves a key only after KMS wrapped a probe with it, using the
// credentials the key will use; a failure writes nothing anywhere.
func TestAddKMSKeyChecked(t *testing.T) {
	ctx := context.Background()
	f := newFakeKMS()
	kc := newMemKeychain()
	v := newTestVault(t, WithKeychain(kc), WithKMSFactory(fakeKMSFactory(f)), WithGetenv(envOf(nil)))
	if _, err := v.AddAccount(Account{Name: "acct", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "acct-id"}, "acct-secret", ""); err != nil {
		t.Fatal(err)
	}
	entries := kc.len()
	own := &kms.Credentials{AccessKeyID: "own-id", AccessKeySecret: "own-secret"}
	denied := &kms.Error{Op: "encrypt", KeyID: "key-1", Region: "cn-hangzhou", Kind: kms.ErrAccessDenied, Code: "SignatureDoesNotMatch"}
	for _, tc := range []struct {
		name  string
		creds *kms.Credentials
		opts  []KMSKeyOption
		err   error
		want  error
	}{
		{"own credentials refused", own, nil, denied, kms.ErrAccessDenied},
		{"account refused", nil, []KMSKeyOption{UseAccount("acct")}, denied, kms.ErrAccessDenied},
		{"key not found", own, nil, &kms.Error{Op: "encrypt", Kind: kms.ErrKeyNotFound}, kms.ErrKeyNotFound},
		{"no credentials anywhere", nil, nil, nil, kms.ErrNoCredentials},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.encErr = tc.err
			_, err := v.AddKMSKey("k", "key-1", "cn-hangzhou", "", nil, tc.creds, append(tc.opts, CheckKMS(ctx))...)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "not saved") {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), own.AccessKeySecret) || strings.Contains(err.Error(), "acct-secret") {
				t.Fatal("the error holds the secret")
			}
			if len(v.Keys()) != 0 || kc.len() != entries {
				t.Fatalf("a failed check left %d keys and %d keychain entries (had %d)", len(v.Keys()), kc.len(), entries)
			}
		})
	}
	f.encErr = nil
	calls := f.calls
	if _, err := v.AddKMSKey("k", "key-1", "cn-hangzhou", "", nil, own, CheckKMS(ctx)); err != nil {
		t.Fatal(err)
	}
	if f.calls != calls+1 || f.lastCreds() != *own {
		t.Fatalf("the check made %d Encrypt calls with %v", f.calls-calls, f.lastCreds())
	}
	if k := mustKey(t, v, "k"); !k.KMS.OwnCredentials || kc.len() != entries+1 {
		t.Fatalf("checked key saved as %+v with %d keychain entries", k.KMS, kc.len())
	}
	if _, err := v.AddKMSKey("viaacct", "key-2", "cn-hangzhou", "", nil, nil, UseAccount("acct"), CheckKMS(ctx)); err != nil {
		t.Fatal(err)
	}
	if got := f.lastCreds(); got != (kms.Credentials{AccessKeyID: "acct-id", AccessKeySecret: "acct-secret"}) {
		t.Fatalf("checked with %v, want the account's AccessKey", got)
	}
	// A taken name or key is refused before KMS is asked.
	calls = f.calls
	for _, args := range [][2]string{{"k", "key-3"}, {"again", "key-1"}} {
		if _, err := v.AddKMSKey(args[0], args[1], "cn-hangzhou", "", nil, own, CheckKMS(ctx)); !errors.Is(err, ErrKeyExists) {
			t.Errorf("%v: %v", args, err)
		}
	}
	if f.calls != calls {
		t.Errorf("a duplicate key made %d Encrypt calls", f.calls-calls)
	}
	// Without CheckKMS nothing is asked: a key can be added offline.
	f.encErr = denied
	if _, err := v.AddKMSKey("offline", "key-4", "cn-hangzhou", "", nil, own); err != nil || f.calls != calls {
		t.Fatalf("unchecked add: %v, %d calls", err, f.calls-calls)
	}
}
