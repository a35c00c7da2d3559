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
	mu    sync.Mutex
	blobs map[string]string
	used  []kms.Credentials // credentials of each client made
}

func newFakeKMS() *fakeKMS { return &fakeKMS{blobs: map[string]string{}} }

type fakeKMSClient struct{ f *fakeKMS }

func (c fakeKMSClient) Encrypt(_ context.Context, keyID, pt string) (string, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
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
