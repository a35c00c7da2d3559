package kms_test

// How the client reaches KMS: which certificates it trusts, which
// endpoints it refuses to speak plain HTTP to, and what an endpoint that
// is not there looks like.

import (
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ossvault/ossvault/internal/kmslocal"
	"github.com/ossvault/ossvault/vault/kms"
)

func TestUntrustedCertificate(t *testing.T) {
	t.Setenv("SSL_CERT_FILE", "")
	f := newFixture(t)
	c := f.client(t, func(cfg *kms.Config) { cfg.RootCAs = nil })
	_, err := c.Encrypt(ctx(), f.keyID, "dGxz")
	if !errors.Is(err, kms.ErrCertificate) {
		t.Fatalf("error = %v, want ErrCertificate", err)
	}
	var kerr *kms.Error
	if errors.As(err, &kerr) && kerr.Attempts != 1 {
		t.Errorf("an untrusted certificate was retried: %d attempts", kerr.Attempts)
	}
	if !strings.Contains(err.Error(), "SSL_CERT_FILE") {
		t.Errorf("message %q does not say how to trust a private CA", err)
	}
}

func writeCA(t *testing.T, f *fixture) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, f.ep.CACertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCAFile(t *testing.T) {
	f := newFixture(t)
	path := writeCA(t, f)
	c := f.client(t, func(cfg *kms.Config) { cfg.RootCAs, cfg.CAFile = nil, path })
	if _, err := c.Encrypt(ctx(), f.keyID, "Y2E="); err != nil {
		t.Fatalf("Encrypt trusting CAFile: %v", err)
	}

	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{empty, filepath.Join(t.TempDir(), "missing.pem")} {
		cfg := f.config()
		cfg.RootCAs, cfg.CAFile = nil, bad
		if _, err := kms.New(cfg); err == nil {
			t.Errorf("New with CA file %s succeeded", bad)
		}
	}
}

func TestSSLCertFileHonoured(t *testing.T) {
	f := newFixture(t)
	t.Setenv("SSL_CERT_FILE", writeCA(t, f))
	c := f.client(t, func(cfg *kms.Config) { cfg.RootCAs = nil })
	if _, err := c.Encrypt(ctx(), f.keyID, "ZW52"); err != nil {
		t.Fatalf("Encrypt trusting SSL_CERT_FILE: %v", err)
	}
}

func TestPlainHTTP(t *testing.T) {
	for _, ep := range []string{"http://kms.cn-hangzhou.aliyuncs.com", "http://10.0.0.8:8080", "http://[2001:db8::1]:80"} {
		cfg := kms.Config{Region: region, Endpoint: ep, Credentials: kms.Credentials{AccessKeyID: akID, AccessKeySecret: akSecret}}
		if _, err := kms.New(cfg); !errors.Is(err, kms.ErrInsecureEndpoint) {
			t.Errorf("New(%s) error = %v, want ErrInsecureEndpoint", ep, err)
		}
	}

	// Plain http to this computer is allowed, for local endpoints.
	srv := kmslocal.NewServer()
	srv.AddAccessKey(akID, akSecret)
	keyID, err := srv.CreateKey(region, "")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c, err := kms.New(kms.Config{Region: region, Endpoint: hs.URL, Credentials: kms.Credentials{AccessKeyID: akID, AccessKeySecret: akSecret}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Endpoint(), "http://127.0.0.1:") {
		t.Errorf("Endpoint() = %q", c.Endpoint())
	}
	blob, err := c.Encrypt(ctx(), keyID, "bG9vcGJhY2s=")
	if err != nil {
		t.Fatalf("Encrypt over loopback http: %v", err)
	}
	if got, err := c.Decrypt(ctx(), blob); err != nil || got != "bG9vcGJhY2s=" {
		t.Fatalf("Decrypt = %q, %v", got, err)
	}
}

func TestUnreachable(t *testing.T) {
	f := newFixture(t)
	addr := f.ep.Host
	if err := f.ep.Close(); err != nil {
		t.Fatal(err)
	}
	c := f.client(t, func(cfg *kms.Config) { cfg.Endpoint = addr; cfg.Retries = 1 })
	_, err := c.Encrypt(ctx(), f.keyID, "bm9ib2R5")
	if !errors.Is(err, kms.ErrUnreachable) {
		t.Fatalf("error = %v, want ErrUnreachable", err)
	}
	var kerr *kms.Error
	if !errors.As(err, &kerr) || kerr.Attempts != 2 {
		t.Errorf("want 2 attempts (refused connections are retried): %v", err)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("message %q does not name the endpoint", err)
	}
}
