package kmslocal

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"sync"
	"time"
)

// Endpoint is a handler served over HTTPS on a loopback port with a
// certificate made for it alone.
type Endpoint struct {
	// Host is "127.0.0.1:PORT", the form KMS clients take as an endpoint.
	Host string
	// CACertPEM is the self-signed certificate the server presents; trust
	// it (and nothing else is needed) to reach the endpoint.
	CACertPEM []byte
	// RootCAs holds CACertPEM, ready for a tls.Config.
	RootCAs *x509.CertPool

	srv       *http.Server
	done      chan error
	closeOnce sync.Once
	closeErr  error
}

// URL returns "https://" + Host.
func (e *Endpoint) URL() string { return "https://" + e.Host }

// ServeTLS serves h on 127.0.0.1 on a free port, with a fresh self-signed
// certificate valid for 127.0.0.1, ::1 and localhost.
func ServeTLS(h http.Handler) (*Endpoint, error) {
	certPEM, cert, err := selfSigned()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("failed to listen on 127.0.0.1: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	e := &Endpoint{
		Host:      ln.Addr().String(),
		CACertPEM: certPEM,
		RootCAs:   pool,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
			// Injected connection resets and client timeouts are expected
			// here; they are not worth a line on stderr.
			ErrorLog: log.New(io.Discard, "", 0),
		},
		done: make(chan error, 1),
	}
	go func() { e.done <- e.srv.ServeTLS(ln, "", "") }()
	return e, nil
}

// Close stops the server at once, cutting requests in flight: a graceful
// shutdown waits up to a second for idle HTTP/2 connections, which adds up
// over many tests. Closing twice is harmless.
func (e *Endpoint) Close() error {
	e.closeOnce.Do(func() {
		err := e.srv.Close()
		if serr := <-e.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		e.closeErr = err
	})
	return e.closeErr
}

func selfSigned() ([]byte, tls.Certificate, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("failed to generate a TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("failed to generate a serial number: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "kmslocal"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("failed to create a certificate: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return certPEM, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}, nil
}
