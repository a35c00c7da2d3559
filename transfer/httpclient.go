package transfer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// The one HTTP client behind the SDK and behind shared links, so that the
// rule "https anywhere, plain http only to this computer" holds at the
// socket, not only when the endpoint is first checked:
//
//   - a plain-http connection dials only a loopback IP literal. "localhost"
//     is mapped to 127.0.0.1 (then ::1) here, never looked up: a hosts file
//     or a DNS answer for localhost or BUCKET.localhost could otherwise send
//     the signed request and the envelope to another machine in the clear;
//   - every redirect hop is checked: none from https down to http, none to
//     plain http off this computer.
//
// No proxy is used (the SDK's own client used none either): a plain-http
// proxy would be a plain-http connection off this computer.

// httpTimeouts are the SDK's own timeouts for Timeout(connect, rw), which
// its client applies only when it builds the transport itself.
type httpTimeouts struct {
	connect, rw time.Duration
}

func (t httpTimeouts) orDefault() httpTimeouts {
	if t.connect <= 0 {
		t.connect = 10 * time.Second
	}
	if t.rw <= 0 {
		t.rw = 60 * time.Second
	}
	return t
}

// newHTTPClient returns the client for OSS and links. roots nil means the
// system's certificate authorities (SSL_CERT_FILE honoured as Go does).
// dial, if not nil, opens connections in place of a plain dial
// and under TLS (Conn.Dial); for plain http it is handed only loopback IP
// literals.
func newHTTPClient(t httpTimeouts, roots *x509.CertPool, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Client {
	t = t.orDefault()
	d := &net.Dialer{Timeout: t.connect, KeepAlive: 30 * time.Second}
	raw := d.DialContext
	if dial != nil {
		raw = func(ctx context.Context, network, addr string) (net.Conn, error) {
			ctx, cancel := context.WithTimeout(ctx, t.connect)
			defer cancel()
			return dial(ctx, network, addr)
		}
	}
	// As the SDK: every read and write must move within rw, and a
	// connection idle for ten times that is dropped.
	long := 10 * t.rw
	tr := &http.Transport{
		// With DialTLSContext set, DialContext serves only plain http.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialLoopback(ctx, raw, network, addr)
			if err != nil {
				return nil, err
			}
			return newTimeoutConn(c, t.rw, long), nil
		},
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			rc, err := raw(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			host, _, _ := net.SplitHostPort(addr)
			tc := tls.Client(newTimeoutConn(rc, t.rw, long), &tls.Config{ServerName: host, RootCAs: roots, MinVersion: tls.VersionTLS12})
			hctx, cancel := context.WithTimeout(ctx, t.connect)
			defer cancel()
			if err := tc.HandshakeContext(hctx); err != nil {
				rc.Close()
				return nil, err
			}
			return tc, nil
		},
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 100,
		IdleConnTimeout:     t.rw,
		// No ResponseHeaderTimeout: it would run from the last Write, not
		// from the last byte to leave; timeoutConn waits for the answer.
	}
	return &http.Client{Transport: tr, CheckRedirect: checkRedirect}
}

// linkClient serves links whose Client is nil.
var linkClient = newHTTPClient(httpTimeouts{}, nil, nil)

// dialLoopback dials addr only if its host is a loopback IP literal or
// "localhost", and refuses anything else before any name is looked up: dial
// is only ever handed an IP literal.
func dialLoopback(ctx context.Context, dial func(ctx context.Context, network, addr string) (net.Conn, error), network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	ips := loopbackIPs(host)
	if err != nil || ips == nil {
		return nil, fmt.Errorf("refused to connect to %s: %w", addr, ErrPlainHTTP)
	}
	var first error
	for _, ip := range ips {
		c, err := dial(ctx, network, net.JoinHostPort(ip, port))
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// loopbackIPs returns the addresses to dial for host, or nil if host is not
// this computer by its very spelling.
func loopbackIPs(host string) []string {
	if strings.EqualFold(host, "localhost") {
		return []string{"127.0.0.1", "::1"}
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return []string{host}
	}
	return nil
}

// checkRedirect follows a redirect only if it keeps the rule: once a
// request went over https no hop may drop to plain http (the signed request
// would follow in the clear), and a plain-http hop must stay on this
// computer.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return fmt.Errorf("stopped after 10 redirects")
	}
	if !strings.EqualFold(req.URL.Scheme, "http") {
		return nil
	}
	for _, v := range via {
		if strings.EqualFold(v.URL.Scheme, "https") {
			return fmt.Errorf("refused a redirect from https to plain http (%s): %w", req.URL.Host, ErrPlainHTTP)
		}
	}
	if !IsLoopback(req.URL.Hostname()) {
		return fmt.Errorf("refused a redirect to plain http on %s: %w", req.URL.Host, ErrPlainHTTP)
	}
	return nil
}

// timeoutConn is the SDK's guard against a stalled peer, measured by
// progress rather than by the clock alone: each read or write must move
// within timeout, and a connection idle for longer is given up. Waiting
// for an answer counts as moving while this computer is still sending the
// request: on a slow link the body sits in the kernel's send queue long
// after the last Write returned, and the server cannot answer before it
// has it all. Before, the SDK's response-header timeout started at that
// last Write, so a slow but moving upload failed although its bytes went
// on arriving, and was sent again and again.
type timeoutConn struct {
	net.Conn
	timeout, longTimeout time.Duration
	// queued is what the send queue held at the last look while a read
	// waited (0 after a write: new data, nothing compared yet).
	queued atomic.Int64
}

func newTimeoutConn(c net.Conn, timeout, longTimeout time.Duration) *timeoutConn {
	c.SetReadDeadline(time.Now().Add(longTimeout))
	return &timeoutConn{Conn: c, timeout: timeout, longTimeout: longTimeout}
}

func (c *timeoutConn) Read(b []byte) (int, error) {
	for {
		c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
		n, err := c.Conn.Read(b)
		if n == 0 && errors.Is(err, os.ErrDeadlineExceeded) && c.stillSending() {
			continue // net.Conn reads may go on after a timeout
		}
		c.Conn.SetReadDeadline(time.Now().Add(c.longTimeout))
		return n, err
	}
}

func (c *timeoutConn) Write(b []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	n, err := c.Conn.Write(b)
	// The answer to what was just written is due within timeout of it,
	// or of the last progress of its sending (Read).
	c.queued.Store(0)
	c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return n, err
}

// stillSending reports whether the request is still leaving this
// computer: the kernel's send queue holds bytes, and fewer than at the
// last look (the first look gives the benefit of the doubt once). Where
// the queue cannot be read, nothing counts as progress.
func (c *timeoutConn) stillSending() bool {
	q, ok := unsentBytes(c.Conn)
	if !ok || q <= 0 {
		return false
	}
	last := c.queued.Swap(int64(q))
	return last == 0 || int64(q) < last
}
