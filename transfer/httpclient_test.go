package transfer

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// TestPlainHTTPDialsOnlyLoopback: the plain-http dialer hands the system
// only loopback IP literals, so neither a hosts file nor DNS is asked where
// localhost or BUCKET.localhost is, and any other name is refused outright.
func TestPlainHTTPDialsOnlyLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	for _, tc := range []struct {
		addr   string
		dialed []string // addresses handed to the system, in order; nil: refused
	}{
		{"localhost:" + port, []string{"127.0.0.1:" + port}},
		{"LocalHost:" + port, []string{"127.0.0.1:" + port}},
		{"127.0.0.1:" + port, []string{"127.0.0.1:" + port}},
		{"127.5.6.7:" + port, []string{"127.5.6.7:" + port}},
		{"[::1]:" + port, []string{"[::1]:" + port}},
		{"bkt.localhost:" + port, nil},
		{"localhost.:" + port, nil},
		{"example.invalid:80", nil},
		{"10.0.0.1:80", nil},
		{"0.0.0.0:" + port, nil},
		{"127.1:" + port, nil},
		{"2130706433:" + port, nil},
		{"[fe80::1%lo]:" + port, nil},
		{"localhost", nil},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			var dialed []string
			dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
				dialed = append(dialed, addr)
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}
			c, err := dialLoopback(context.Background(), dial, "tcp", tc.addr)
			if tc.dialed == nil {
				if !errors.Is(err, ErrPlainHTTP) || len(dialed) != 0 {
					t.Fatalf("err = %v after dialing %q; want ErrPlainHTTP before any dial", err, dialed)
				}
				if !strings.Contains(err.Error(), "only allowed to this computer") {
					t.Errorf("message %q does not say why", err)
				}
				return
			}
			if len(dialed) < 1 || dialed[0] != tc.dialed[0] {
				t.Fatalf("dialed %q, want %q first", dialed, tc.dialed)
			}
			if !strings.HasPrefix(tc.dialed[0], "127.0.0.1:") {
				// Only 127.0.0.1 listens (whether ::1 is even up depends on
				// the machine); the address is what matters.
				if c != nil {
					c.Close()
				}
				return
			}
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			c.Close()
		})
	}
}

// TestPlainHTTPRefusalIsPermanent: retrying a refused connection cannot
// make it allowed.
func TestPlainHTTPRefusalIsPermanent(t *testing.T) {
	_, err := linkClient.Get("http://example.invalid/")
	if !errors.Is(err, ErrPlainHTTP) || isTemporary(err) {
		t.Fatalf("err = %v (temporary %v), want a permanent ErrPlainHTTP", err, isTemporary(err))
	}
}

// TestLocalhostEndpoint: an endpoint typed as http://localhost:PORT reaches
// the server on 127.0.0.1 through the real SDK, addressed path style, so
// that nothing asks a resolver for BUCKET.localhost; links it signs are
// path style too and open with the default link client.
func TestLocalhostEndpoint(t *testing.T) {
	srv := osstest.Start(t, osstest.WithBuckets("bkt"))
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.Endpoint, "http://"))
	endpoint := "http://localhost:" + port
	st := openBucket(t, Conn{Endpoint: endpoint, AccessKeyID: srv.AccessKeyID, AccessKeySecret: srv.AccessKeySecret}, "bkt")
	ctx := context.Background()
	if err := st.Put(ctx, "dir/a b", strings.NewReader("hello"), 5, nil); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if info, err := st.Head(ctx, "dir/a b"); err != nil || info.Size != 5 {
		t.Fatalf("Head = %+v, %v", info, err)
	}
	page, err := st.ListPage(ctx, "dir/", "/", "", 100)
	if err != nil || len(page.Objects) != 1 {
		t.Fatalf("list = %+v, %v", page, err)
	}
	raw, err := st.SignURL("dir/a b", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if want := endpoint + "/bkt/dir%2Fa%20b?"; !strings.HasPrefix(raw, want) {
		t.Fatalf("link %q, want it to start %q", raw, want)
	}
	link, err := ParseLink(raw)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := link.Head(ctx, ""); err != nil || info.Size != 5 {
		t.Fatalf("link Head = %+v, %v", info, err)
	}
}

// redirector answers every request with a 307 to target plus the request's
// path and query.
func redirector(t *testing.T, useTLS bool, target string) *httptest.Server {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	var s *httptest.Server
	if useTLS {
		s = httptest.NewTLSServer(h)
	} else {
		s = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

// redirectSetup is a local OSS endpoint holding bkt/k, reachable over plain
// http directly and over https through a reverse proxy.
type redirectSetup struct {
	srv   *osstest.Server
	https string // the https proxy in front of srv
	roots *x509.CertPool
	link  string // a link to bkt/k, path and query only
}

func newRedirectSetup(t *testing.T) *redirectSetup {
	srv, st := startOSS(t)
	if err := st.Put(context.Background(), "k", strings.NewReader("0123456789"), 10, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := st.SignURL("k", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.Endpoint)
	proxy := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(u))
	t.Cleanup(proxy.Close)
	// Every httptest TLS server has the same certificate.
	roots := proxy.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	return &redirectSetup{srv: srv, https: proxy.URL, roots: roots, link: strings.TrimPrefix(raw, srv.Endpoint)}
}

// reached reports how many requests reached the OSS endpoint since the last
// call.
func (s *redirectSetup) reached() int {
	n := len(s.srv.Log.Entries())
	s.srv.Log.Reset()
	return n
}

// redirectCases: every hop that stays on https, or stays on plain http to
// this computer, is followed; a drop from https to http, or a plain-http
// hop elsewhere, is refused before anything is sent to it.
func redirectCases(s *redirectSetup, t *testing.T) []struct {
	name, start string
	ok          bool
} {
	return []struct {
		name, start string
		ok          bool
	}{
		{"https to https", redirector(t, true, s.https).URL, true},
		{"loopback http to loopback http", redirector(t, false, s.srv.Endpoint).URL, true},
		{"loopback http to https", redirector(t, false, s.https).URL, true},
		{"https to loopback http", redirector(t, true, s.srv.Endpoint).URL, false},
		{"https to https to loopback http", redirector(t, true, redirector(t, true, s.srv.Endpoint).URL).URL, false},
		{"https to plain http elsewhere", redirector(t, true, "http://example.invalid").URL, false},
		{"loopback http to plain http elsewhere", redirector(t, false, "http://example.invalid").URL, false},
		{"loopback http to BUCKET.localhost", redirector(t, false, "http://bkt.localhost:"+s.srv.Endpoint[strings.LastIndexByte(s.srv.Endpoint, ':')+1:]).URL, false},
	}
}

func TestLinkRedirects(t *testing.T) {
	s := newRedirectSetup(t)
	client := newHTTPClient(httpTimeouts{}, s.roots, nil)
	for _, tc := range redirectCases(s, t) {
		t.Run(tc.name, func(t *testing.T) {
			s.reached()
			link, err := ParseLink(tc.start + s.link)
			if err != nil {
				t.Fatal(err)
			}
			link.Client = client
			info, err := link.Head(context.Background(), "")
			n := s.reached()
			if tc.ok {
				if err != nil || info.Size != 10 || n != 1 {
					t.Fatalf("Head = %+v, %v after %d requests to the endpoint; want the object", info, err, n)
				}
				return
			}
			if !errors.Is(err, ErrPlainHTTP) || n != 0 {
				t.Fatalf("err = %v after %d requests to the endpoint; want ErrPlainHTTP before any", err, n)
			}
			if strings.Contains(err.Error(), "Signature") {
				t.Errorf("the error shows the link's signature: %v", err)
			}
		})
	}
}

// TestLinkDefaultClientRedirects: a link with no Client of its own gets the
// same checks.
func TestLinkDefaultClientRedirects(t *testing.T) {
	s := newRedirectSetup(t)
	for _, target := range []string{"http://example.invalid", "http://bkt.localhost:1"} {
		link, err := ParseLink(redirector(t, false, target).URL + s.link)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := link.Head(context.Background(), ""); !errors.Is(err, ErrPlainHTTP) {
			t.Fatalf("redirect to %s: err = %v, want ErrPlainHTTP", target, err)
		}
	}
}

func TestSDKRedirects(t *testing.T) {
	s := newRedirectSetup(t)
	for _, tc := range redirectCases(s, t) {
		t.Run(tc.name, func(t *testing.T) {
			st := openBucket(t, Conn{Endpoint: tc.start, AccessKeyID: s.srv.AccessKeyID, AccessKeySecret: s.srv.AccessKeySecret, rootCAs: s.roots}, "bkt")
			s.reached()
			info, err := st.Head(context.Background(), "k")
			n := s.reached()
			if tc.ok {
				if err != nil || info.Size != 10 || n != 1 {
					t.Fatalf("Head = %+v, %v after %d requests to the endpoint; want the object", info, err, n)
				}
				return
			}
			if !errors.Is(err, ErrPlainHTTP) || n != 0 {
				t.Fatalf("err = %v after %d requests to the endpoint; want ErrPlainHTTP before any", err, n)
			}
		})
	}
}

// TestSDKTimeouts: with its own HTTP client the SDK no longer applies its
// read timeout, so ours must: a server that stops answering fails the
// request after the read-write timeout rather than hanging.
func TestSDKTimeouts(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer hang.Close()
	defer close(release)
	st := openBucket(t, Conn{Endpoint: hang.URL, AccessKeyID: "id", AccessKeySecret: "secret", ReadWriteTimeout: 1}, "bkt")
	start := time.Now()
	_, err := st.Head(context.Background(), "k")
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("Head = %v after %v, want a timeout after about 1 s", err, time.Since(start))
	}
}
