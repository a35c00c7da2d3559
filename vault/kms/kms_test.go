package kms_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/kmslocal"
	"github.com/ossvault/ossvault/vault/kms"
)

const (
	region    = "cn-hangzhou"
	akID      = "LTAI5tTestAccessKey"
	akSecret  = "test-access-key-secret-0123456789"
	stsID     = "STS.NTestTemporaryKey"
	stsSecret = "sts-secret-abcdefghijklmnop"
	stsToken  = "CAIS-sts-security-token-value-xyz"
)

type fixture struct {
	srv   *kmslocal.Server
	ep    *kmslocal.Endpoint
	keyID string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := kmslocal.NewServer()
	srv.AddAccessKey(akID, akSecret)
	srv.AddSTSToken(stsID, stsSecret, stsToken, time.Time{})
	keyID, err := srv.CreateKey(region, "test key")
	if err != nil {
		t.Fatal(err)
	}
	ep, err := kmslocal.ServeTLS(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ep.Close(); err != nil {
			t.Errorf("closing the endpoint: %v", err)
		}
	})
	return &fixture{srv: srv, ep: ep, keyID: keyID}
}

func (f *fixture) config() kms.Config {
	return kms.Config{
		Region:      region,
		Endpoint:    f.ep.Host,
		Credentials: kms.Credentials{AccessKeyID: akID, AccessKeySecret: akSecret},
		RootCAs:     f.ep.RootCAs,
		Timeout:     5 * time.Second,
		RetryDelay:  time.Millisecond,
	}
}

func (f *fixture) client(t *testing.T, edit func(*kms.Config)) *kms.Client {
	t.Helper()
	cfg := f.config()
	if edit != nil {
		edit(&cfg)
	}
	c, err := kms.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func randomBase64(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// assertNoSecret fails if err's text holds any secret of the test.
func assertNoSecret(t *testing.T, err error, extra ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range append([]string{akSecret, stsSecret, stsToken}, extra...) {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error text leaks a secret %q: %v", s, err)
		}
	}
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	ctx := context.Background()
	for _, n := range []int{16, 32} {
		pt := randomBase64(t, n)
		blob, err := c.Encrypt(ctx, f.keyID, pt)
		if err != nil {
			t.Fatalf("Encrypt: %v", err)
		}
		if strings.Contains(blob, pt) {
			t.Fatalf("blob %q contains the plaintext", blob)
		}
		raw, err := base64.StdEncoding.DecodeString(blob)
		if err != nil {
			t.Fatalf("blob is not base64: %v", err)
		}
		if !strings.HasPrefix(string(raw), f.keyID) {
			t.Errorf("blob does not start with the key's UUID like KMS blobs do: %q", raw[:36])
		}
		got, err := c.Decrypt(ctx, blob)
		if err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		if got != pt {
			t.Errorf("Decrypt = %q, want %q", got, pt)
		}
	}
	// The ARN names the key as well as its ID does.
	blob, err := c.Encrypt(ctx, f.srv.ARN(f.keyID), "aGVsbG8=")
	if err != nil {
		t.Fatalf("Encrypt by ARN: %v", err)
	}
	if got, err := c.Decrypt(ctx, blob); err != nil || got != "aGVsbG8=" {
		t.Errorf("Decrypt = %q, %v", got, err)
	}
}

func TestGenerateDataKey(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	pt, blob, err := c.GenerateDataKey(context.Background(), f.keyID, 32)
	if err != nil {
		t.Fatal(err)
	}
	key, err := base64.StdEncoding.DecodeString(pt)
	if err != nil || len(key) != 32 {
		t.Fatalf("plaintext %q is not base64 of 32 bytes: %v", pt, err)
	}
	got, err := c.Decrypt(context.Background(), blob)
	if err != nil {
		t.Fatal(err)
	}
	if got != pt {
		t.Errorf("Decrypt of a data key blob = %q, want the base64 string %q", got, pt)
	}
	if _, _, err := c.GenerateDataKey(context.Background(), f.keyID, 0); err == nil {
		t.Error("GenerateDataKey of 0 bytes succeeded")
	}
}

func TestDescribeKey(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	info, err := c.DescribeKey(context.Background(), f.keyID)
	if err != nil {
		t.Fatal(err)
	}
	if info.KeyID != f.keyID || info.State != "Enabled" || !info.Usable() || info.ARN != f.srv.ARN(f.keyID) {
		t.Errorf("DescribeKey = %+v", info)
	}
	if err := f.srv.SetKeyState(f.keyID, kmslocal.Disabled); err != nil {
		t.Fatal(err)
	}
	info, err = c.DescribeKey(context.Background(), f.keyID)
	if err != nil {
		t.Fatal(err)
	}
	if info.State != "Disabled" || info.Usable() {
		t.Errorf("DescribeKey of a disabled key = %+v", info)
	}
}

func TestErrors(t *testing.T) {
	plaintext := randomBase64(t, 32)
	tests := []struct {
		name   string
		setup  func(f *fixture) // changes the server
		edit   func(cfg *kms.Config)
		run    func(f *fixture, c *kms.Client) error
		action string // the KMS action expected to be called once, "" for none
		want   error
		code   string
		words  string // expected in the message
	}{
		{
			name:   "wrong secret",
			edit:   func(cfg *kms.Config) { cfg.Credentials.AccessKeySecret = "not-the-secret" },
			run:    encrypt(plaintext),
			action: "Encrypt", want: kms.ErrAccessDenied, code: "SignatureDoesNotMatch", words: "secret does not match",
		},
		{
			name:   "unknown access key",
			edit:   func(cfg *kms.Config) { cfg.Credentials.AccessKeyID = "LTAI5tUnknown" },
			run:    encrypt(plaintext),
			action: "Encrypt", want: kms.ErrAccessDenied, code: "InvalidAccessKeyId.NotFound", words: "does not know this AccessKey ID",
		},
		{
			name: "unknown key",
			run: func(f *fixture, c *kms.Client) error {
				_, err := c.Encrypt(ctx(), "11111111-2222-4333-8444-555555555555", plaintext)
				return err
			},
			action: "Encrypt", want: kms.ErrKeyNotFound, code: "Forbidden.KeyNotFound", words: "not found in region " + region,
		},
		{
			name:   "key in another region",
			setup:  func(f *fixture) { f.keyID, _ = f.srv.CreateKey("cn-shanghai", "elsewhere") },
			run:    encrypt(plaintext),
			action: "Encrypt", want: kms.ErrKeyNotFound, code: "Forbidden.KeyNotFound", words: "created in this region",
		},
		{
			name: "ARN of another region",
			run: func(f *fixture, c *kms.Client) error {
				_, err := c.Encrypt(ctx(), "acs:kms:cn-beijing:1234567890123456:key/"+f.keyID, plaintext)
				return err
			},
			want: kms.ErrWrongRegion, words: "belongs to region cn-beijing",
		},
		{
			name:   "disabled key, encrypt",
			setup:  func(f *fixture) { _ = f.srv.SetKeyState(f.keyID, kmslocal.Disabled) },
			run:    encrypt(plaintext),
			action: "Encrypt", want: kms.ErrKeyDisabled, code: "Rejected.Disabled", words: "disabled",
		},
		{
			name:   "key pending deletion, generate data key",
			setup:  func(f *fixture) { _ = f.srv.SetKeyState(f.keyID, kmslocal.PendingDeletion) },
			run:    func(f *fixture, c *kms.Client) error { _, _, err := c.GenerateDataKey(ctx(), f.keyID, 32); return err },
			action: "GenerateDataKey", want: kms.ErrKeyDisabled, code: "Rejected.PendingDeletion", words: "scheduled for deletion",
		},
		{
			name: "disabled key, decrypt",
			run: func(f *fixture, c *kms.Client) error {
				blob, err := c.Encrypt(ctx(), f.keyID, plaintext)
				if err != nil {
					return err
				}
				_ = f.srv.SetKeyState(f.keyID, kmslocal.Disabled)
				_, err = c.Decrypt(ctx(), blob)
				return err
			},
			action: "Decrypt", want: kms.ErrKeyDisabled, code: "Rejected.Disabled",
		},
		{
			name: "tampered blob",
			run: func(f *fixture, c *kms.Client) error {
				blob, err := c.Encrypt(ctx(), f.keyID, plaintext)
				if err != nil {
					return err
				}
				raw, _ := base64.StdEncoding.DecodeString(blob)
				raw[len(raw)-1] ^= 1
				_, err = c.Decrypt(ctx(), base64.StdEncoding.EncodeToString(raw))
				return err
			},
			action: "Decrypt", want: kms.ErrInvalidCiphertext, code: "InvalidParameter", words: "could not decrypt",
		},
		{
			name: "blob that is not base64",
			run: func(f *fixture, c *kms.Client) error {
				_, err := c.Decrypt(ctx(), "not a blob!")
				return err
			},
			action: "Decrypt", want: kms.ErrInvalidCiphertext, code: "InvalidParameter",
		},
		{
			name: "STS token that does not match",
			edit: func(cfg *kms.Config) {
				cfg.Credentials = kms.Credentials{AccessKeyID: stsID, AccessKeySecret: stsSecret, SecurityToken: "CAIS-a-stolen-token"}
			},
			run:    encrypt(plaintext),
			action: "Encrypt", want: kms.ErrAccessDenied, code: "InvalidSecurityToken.MismatchWithAccessKey", words: "security token",
		},
		{
			name: "STS key without its token",
			edit: func(cfg *kms.Config) {
				cfg.Credentials = kms.Credentials{AccessKeyID: stsID, AccessKeySecret: stsSecret}
			},
			run:    encrypt(plaintext),
			action: "Encrypt", want: kms.ErrAccessDenied, code: "InvalidSecurityToken.Malformed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			c := f.client(t, tt.edit)
			err := tt.run(f, c)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var kerr *kms.Error
			if !errors.As(err, &kerr) {
				t.Fatalf("error is a %T, not a *kms.Error", err)
			}
			if kerr.Code != tt.code {
				t.Errorf("Code = %q, want %q", kerr.Code, tt.code)
			}
			if tt.code != "" && kerr.RequestID == "" {
				t.Error("no request ID in a KMS error")
			}
			if !strings.Contains(err.Error(), tt.words) {
				t.Errorf("message %q does not say %q", err, tt.words)
			}
			if tt.action != "" {
				if n := f.srv.Calls(tt.action); n != 1 {
					t.Errorf("%s reached the server %d times; a permanent error must not be retried", tt.action, n)
				}
			} else if n := f.srv.Calls(""); n != 0 {
				t.Errorf("%d requests reached the server, want none", n)
			}
			assertNoSecret(t, err, plaintext)
		})
	}
}

func ctx() context.Context { return context.Background() }

func encrypt(plaintext string) func(*fixture, *kms.Client) error {
	return func(f *fixture, c *kms.Client) error {
		_, err := c.Encrypt(ctx(), f.keyID, plaintext)
		return err
	}
}

func TestSTSToken(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, func(cfg *kms.Config) {
		cfg.Credentials = kms.Credentials{AccessKeyID: stsID, AccessKeySecret: stsSecret, SecurityToken: stsToken}
	})
	blob, err := c.Encrypt(ctx(), f.keyID, "c3RzIHdvcmtz")
	if err != nil {
		t.Fatalf("Encrypt with an STS token: %v", err)
	}
	if got, err := c.Decrypt(ctx(), blob); err != nil || got != "c3RzIHdvcmtz" {
		t.Fatalf("Decrypt with an STS token = %q, %v", got, err)
	}
}

func TestRetriesTransientFailures(t *testing.T) {
	tests := []struct {
		name  string
		fault kmslocal.Fault
		n     int
	}{
		{"503", kmslocal.FaultUnavailable, 3},
		{"throttling", kmslocal.FaultThrottling, 2},
		{"throttling user", kmslocal.Fault{Status: 400, Code: "Throttling.User"}, 1},
		{"connection reset", kmslocal.FaultReset, 2},
		{"500 without a code", kmslocal.Fault{Status: 500}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			c := f.client(t, func(cfg *kms.Config) { cfg.Retries = 3 })
			f.srv.FailNext(tt.n, tt.fault)
			if _, err := c.Encrypt(ctx(), f.keyID, "cmV0cnk="); err != nil {
				t.Fatalf("Encrypt after %d faults: %v", tt.n, err)
			}
			if got := f.srv.Calls("Encrypt"); got != tt.n+1 {
				t.Errorf("server saw %d calls, want %d", got, tt.n+1)
			}
		})
	}
}

func TestRetryBudgetExhausted(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, func(cfg *kms.Config) { cfg.Retries = 2 })
	f.srv.FailNext(10, kmslocal.FaultUnavailable)
	_, err := c.Encrypt(ctx(), f.keyID, "cmV0cnk=")
	if !errors.Is(err, kms.ErrUnavailable) {
		t.Fatalf("error = %v, want ErrUnavailable", err)
	}
	if got := f.srv.Calls("Encrypt"); got != 3 {
		t.Errorf("server saw %d calls, want 3 (1 + 2 retries)", got)
	}
	var kerr *kms.Error
	if !errors.As(err, &kerr) || kerr.Attempts != 3 || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Errorf("error does not report 3 attempts: %v", err)
	}
	// Retries < 0 turns retrying off.
	c = f.client(t, func(cfg *kms.Config) { cfg.Retries = -1 })
	before := f.srv.Calls("Encrypt")
	if _, err := c.Encrypt(ctx(), f.keyID, "cmV0cnk="); !errors.Is(err, kms.ErrUnavailable) {
		t.Fatalf("error = %v, want ErrUnavailable", err)
	}
	if got := f.srv.Calls("Encrypt") - before; got != 1 {
		t.Errorf("server saw %d calls with retries off, want 1", got)
	}
}

func TestTimeout(t *testing.T) {
	f := newFixture(t)
	f.srv.SetLatency(2 * time.Second)
	c := f.client(t, func(cfg *kms.Config) {
		cfg.Timeout = 200 * time.Millisecond
		cfg.Retries = 1
	})
	_, err := c.Encrypt(ctx(), f.keyID, "dGltZW91dA==")
	if !errors.Is(err, kms.ErrTimeout) {
		t.Fatalf("error = %v, want ErrTimeout", err)
	}
	if !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("message %q does not say what happened", err)
	}
	if got := f.srv.Calls("Encrypt"); got != 2 {
		t.Errorf("server saw %d calls, want 2 (a timeout is retried once)", got)
	}
	assertNoSecret(t, err, "dGltZW91dA==")
}

func TestCanceled(t *testing.T) {
	f := newFixture(t)
	f.srv.SetLatency(2 * time.Second)
	c := f.client(t, nil)
	cctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the request is being served, so it is the wait for
		// the answer that gets canceled.
		for f.srv.Calls("Encrypt") == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Encrypt(cctx, f.keyID, "Y2FuY2Vs")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if got := f.srv.Calls("Encrypt"); got != 1 {
		t.Errorf("server saw %d calls, want 1: a canceled call is not retried", got)
	}
}

func TestNoCredentials(t *testing.T) {
	_, err := kms.New(kms.Config{Region: region, Credentials: kms.Credentials{AccessKeyID: akID}})
	if !errors.Is(err, kms.ErrNoCredentials) {
		t.Fatalf("error = %v, want ErrNoCredentials", err)
	}
	if _, err := kms.New(kms.Config{Region: "Hangzhou China", Credentials: kms.Credentials{AccessKeyID: akID, AccessKeySecret: akSecret}}); err == nil {
		t.Error("New accepted a region with spaces")
	}
}

// TestConcurrent runs calls from many goroutines on one Client; run it with
// -race to check that a Client can be shared.
func TestConcurrent(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Go(func() {
			for j := range 4 {
				pt := base64.StdEncoding.EncodeToString([]byte{byte(i), byte(j)})
				blob, err := c.Encrypt(ctx(), f.keyID, pt)
				if err != nil {
					errs <- err
					return
				}
				got, err := c.Decrypt(ctx(), blob)
				if err != nil {
					errs <- err
					return
				}
				if got != pt {
					errs <- errors.New("round trip mismatch: " + got + " != " + pt)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestOversizedAnswer(t *testing.T) {
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"CiphertextBlob":"`))
		_, _ = w.Write(bytes.Repeat([]byte("A"), 2<<20))
		_, _ = w.Write([]byte(`"}`))
	}))
	defer big.Close()
	c, err := kms.New(kms.Config{Region: region, Endpoint: big.URL, Credentials: kms.Credentials{AccessKeyID: akID, AccessKeySecret: akSecret}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Encrypt(ctx(), "11111111-2222-4333-8444-555555555555", "QQ=="); !errors.Is(err, kms.ErrBadResponse) {
		t.Fatalf("error = %v, want ErrBadResponse", err)
	}
}
