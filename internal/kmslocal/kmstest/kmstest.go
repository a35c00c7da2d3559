// Package kmstest starts the local KMS for a test: a fresh kmslocal.Server
// served over HTTPS on a loopback port, with its certificate written to a
// file that SSL_CERT_FILE can name, as a user of a private certificate
// authority would. Everything is closed and removed when the test ends.
package kmstest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/ossvault/ossvault/internal/kmslocal"
)

// KMS is a running local KMS.
type KMS struct {
	*kmslocal.Server
	Endpoint *kmslocal.Endpoint
	// CAFile holds the endpoint's certificate, for SSL_CERT_FILE.
	CAFile string
}

// Start serves a new, empty KMS for t.
func Start(t testing.TB) *KMS {
	t.Helper()
	srv := kmslocal.NewServer()
	ep, err := kmslocal.ServeTLS(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ep.Close() })
	ca := filepath.Join(t.TempDir(), "kms-ca.pem")
	if err := os.WriteFile(ca, ep.CACertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return &KMS{Server: srv, Endpoint: ep, CAFile: ca}
}

// NewKey creates a key in region and returns its id; disabled keys
// answer every use with the KMS's "disabled" error.
func (k *KMS) NewKey(t testing.TB, region, description string, disabled bool) string {
	t.Helper()
	id, err := k.Server.CreateKey(region, description)
	if err != nil {
		t.Fatal(err)
	}
	if disabled {
		if err := k.SetKeyState(id, kmslocal.Disabled); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// DeadAddr returns a loopback host:port nothing listens on, for an
// endpoint that cannot be reached.
func DeadAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
