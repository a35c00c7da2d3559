package transfer

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
)

// startTLSOSS serves a local endpoint over https with cert (httptest's own
// if nil), which no system trusts.
func startTLSOSS(t *testing.T, cert *tls.Certificate) (*httptest.Server, osslocal.Credential) {
	t.Helper()
	cred := osslocal.Credential{AccessKeyID: "tls-test-id", AccessKeySecret: "tls-test-secret"}
	srv, err := osslocal.New(osslocal.Options{Store: osslocal.NewMemoryStore(), Credentials: []osslocal.Credential{cred}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	if cert != nil {
		ts.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, cred
}

// An endpoint whose certificate this computer does not trust fails every
// call at once (no retries: none can change the certificate), with a
// sentence that says so.
func TestUntrustedCertificateFailsAtOnce(t *testing.T) {
	ts, cred := startTLSOSS(t, nil)
	svc := connect(t, Conn{Endpoint: ts.URL, AccessKeyID: cred.AccessKeyID, AccessKeySecret: cred.AccessKeySecret})
	st, err := svc.Bucket("bkt")
	if err != nil {
		t.Fatal(err)
	}
	r := &Retrying{Store: st, Policy: DefaultPolicy}
	for name, call := range map[string]func() error{
		"head": func() error { _, err := r.Head(context.Background(), "k"); return err },
		"put": func() error {
			return r.Put(context.Background(), "k", strings.NewReader("x"), 1, nil)
		},
		"list": func() error {
			return st.List(context.Background(), "", false, func(Entry) error { return nil })
		},
		"create bucket": func() error { return svc.CreateBucket(context.Background(), "other") },
		"list buckets":  func() error { _, err := svc.ListBuckets(context.Background()); return err },
	} {
		start := time.Now()
		err := call()
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v to fail", name, d)
		}
		if !errors.Is(err, ErrCertificate) || !strings.Contains(err.Error(), "certificate is not trusted on this computer") {
			t.Errorf("%s: %v, want the untrusted certificate in plain words", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
}

// Each certificate problem a real TLS handshake reports is permanent and
// worded for what it is.
func TestCertificateProblems(t *testing.T) {
	expired := selfSigned(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	for _, tc := range []struct {
		name       string
		cert       *tls.Certificate // nil: httptest's
		trust      bool
		serverName string
		want       string
	}{
		{"unknown authority", nil, false, "", "not trusted on this computer"},
		{"another name", nil, true, "oss.example", "is not made out to oss.example"},
		{"expired", &expired, true, "", "has expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts, _ := startTLSOSS(t, tc.cert)
			cfg := &tls.Config{ServerName: tc.serverName}
			if tc.trust {
				pool := x509.NewCertPool()
				pool.AddCert(ts.Certificate())
				cfg.RootCAs = pool
			}
			_, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}).Get(ts.URL)
			if err == nil {
				t.Fatal("the handshake succeeded")
			}
			if isTemporary(err) {
				t.Errorf("counted as temporary: %v", err)
			}
			got := NetError("HeadObject", err)
			if !errors.Is(got, ErrCertificate) || !strings.Contains(got.Error(), tc.want) {
				t.Errorf("worded %q, want it to say %q", got, tc.want)
			}
		})
	}
}

// selfSigned makes a certificate for 127.0.0.1 valid from notBefore to
// notAfter.
func selfSigned(t *testing.T, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ossvault test"},
		NotBefore: notBefore, NotAfter: notAfter,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
