package osslocal_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

func hostOf(t *testing.T, endpoint string) string {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// startRelay listens on a port of its own and passes each request on to
// the server at target, answer included: a program that holds no key but
// can reach the real store on another port.
func startRelay(t *testing.T, target string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(target + r.URL.RequestURI())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// startReplayer answers every hello with the answer the real store gave to
// one earlier challenge.
func startReplayer(t *testing.T, real *osstest.Server) string {
	t.Helper()
	resp, err := http.Get(real.Endpoint + "/?ossvault-hello=" + strings.Repeat("ab", 32) + "&ossvault-id=" + real.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	recorded := resp.Header.Get("X-Ossvault-Hello")
	if recorded == "" {
		t.Fatal("the real store gave no answer to record")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Ossvault-Hello", recorded)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// startSilent accepts connections and never answers.
func startSilent(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return "http://" + ln.Addr().String()
}

// TestHello: only the store that holds the access key passes the hello;
// every other program on the address is refused with ErrImpostor, having
// seen nothing but the challenge; nothing listening is a plain dial error.
func TestHello(t *testing.T) {
	genuine := osstest.Start(t, osstest.WithMemoryStore(), osstest.WithHello(), osstest.WithBuckets("demo"))
	plain := osstest.Start(t, osstest.WithMemoryStore(), osstest.WithAccessKey(genuine.AccessKeyID, genuine.AccessKeySecret))
	impostor := osstest.StartImpostor(t, "127.0.0.1:0")
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return "http://" + ln.Addr().String()
	}()
	id, secret := genuine.AccessKeyID, genuine.AccessKeySecret

	cases := []struct {
		name       string
		endpoint   string
		id, secret string
		impostor   bool // want ErrImpostor
		fails      bool // want some other error
	}{
		{name: "the store itself", endpoint: genuine.Endpoint, id: id, secret: secret},
		{name: "an OSS look-alike without the key", endpoint: impostor.Endpoint, id: id, secret: secret, impostor: true},
		{name: "a store that does not answer hellos", endpoint: plain.Endpoint, id: id, secret: secret, impostor: true},
		{name: "a relay to the store on another port", endpoint: startRelay(t, genuine.Endpoint), id: id, secret: secret, impostor: true},
		{name: "a replay of an earlier answer", endpoint: startReplayer(t, genuine), id: id, secret: secret, impostor: true},
		{name: "the store, asked with another secret", endpoint: genuine.Endpoint, id: id, secret: secret + "x", impostor: true},
		{name: "the store, asked for an unknown key", endpoint: genuine.Endpoint, id: "LTAInobody", secret: secret, impostor: true},
		{name: "nothing listening", endpoint: closed, id: id, secret: secret, fails: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := osslocal.CheckHello(context.Background(), c.endpoint, c.id, c.secret)
			t.Logf("%v", err)
			switch {
			case c.impostor && !errors.Is(err, osslocal.ErrImpostor):
				t.Fatalf("got %v, want ErrImpostor", err)
			case c.fails && (err == nil || errors.Is(err, osslocal.ErrImpostor)):
				t.Fatalf("got %v, want a dial error", err)
			case !c.impostor && !c.fails && err != nil:
				t.Fatal(err)
			}
			if err != nil && strings.Contains(err.Error(), c.secret) {
				t.Fatal("the error shows the secret")
			}
		})
	}
	reqs := impostor.Requests()
	if len(reqs) != 1 || reqs[0].Signed || !strings.HasPrefix(reqs[0].URI, "/?ossvault-hello=") {
		t.Fatalf("the impostor saw %+v, want the one unsigned challenge", reqs)
	}
	if n := genuine.RequestsStarted(); n != 0 {
		t.Fatalf("the hellos were counted as %d OSS requests", n)
	}
}

// TestHelloTimeout: a program that takes the connection and never answers
// does not hold the client past its timeout or its context.
func TestHelloTimeout(t *testing.T) {
	silent := hostOf(t, startSilent(t))
	start := time.Now()
	_, err := osslocal.HelloDialer{AccessKeyID: "id", AccessKeySecret: "secret", Timeout: 300 * time.Millisecond}.DialContext(context.Background(), "tcp", silent)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start = time.Now()
	_, err = osslocal.HelloDialer{AccessKeyID: "id", AccessKeySecret: "secret"}.DialContext(ctx, "tcp", silent)
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Fatalf("after a cancel: got %v after %v", err, time.Since(start))
	}
}

// TestHelloDialerCarriesRequests: the SDK over a transport that dials with
// HelloDialer works against the store on the proved connections, and
// reaches the impostor with nothing at all.
func TestHelloDialerCarriesRequests(t *testing.T) {
	genuine := osstest.Start(t, osstest.WithMemoryStore(), osstest.WithHello(), osstest.WithBuckets("demo"))
	impostor := osstest.StartImpostor(t, "127.0.0.1:0")
	d := osslocal.HelloDialer{AccessKeyID: genuine.AccessKeyID, AccessKeySecret: genuine.AccessKeySecret}
	var dials atomic.Int32
	client := func(endpoint string) *oss.Bucket {
		tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return d.DialContext(ctx, network, addr)
		}}
		t.Cleanup(tr.CloseIdleConnections)
		c, err := oss.New(endpoint, d.AccessKeyID, d.AccessKeySecret, oss.HTTPClient(&http.Client{Transport: tr}))
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.Bucket("demo")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	b := client(genuine.Endpoint)
	for i := range 3 {
		if err := b.PutObject("k", strings.NewReader("kept")); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	r, err := b.GetObject("k")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != "kept" {
		t.Fatalf("read back %q", got)
	}
	if n := dials.Load(); n != 1 {
		t.Fatalf("%d connections for 4 requests in a row, want 1 kept open after the hello", n)
	}
	if n := genuine.Log.Count(osslocal.OpPutObject); n != 3 {
		t.Fatalf("the store logged %d puts", n)
	}

	_, err = client(impostor.Endpoint).GetObject(osstest.ForgedObject)
	if !errors.Is(err, osslocal.ErrImpostor) {
		t.Fatalf("reading from the impostor: %v, want ErrImpostor", err)
	}
	if s := impostor.Signed(); len(s) != 0 {
		t.Fatalf("signed requests reached the impostor: %+v", s)
	}
}

// TestHelloLeavesPlainClientsAlone: a store that answers hellos serves the
// plain SDK as before, and one that does not (serve-local) treats the
// challenge as the anonymous request it is.
func TestHelloLeavesPlainClientsAlone(t *testing.T) {
	for _, hello := range []bool{true, false} {
		opts := []osstest.Option{osstest.WithMemoryStore(), osstest.WithBuckets("demo")}
		if hello {
			opts = append(opts, osstest.WithHello())
		}
		srv := osstest.Start(t, opts...)
		c, err := oss.New(srv.Endpoint, srv.AccessKeyID, srv.AccessKeySecret)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := c.ListBuckets(); err != nil || len(res.Buckets) != 1 {
			t.Fatalf("hello %v: ListBuckets %+v, %v", hello, res, err)
		}
		b, _ := c.Bucket("demo")
		if err := b.PutObject("k", strings.NewReader("x")); err != nil {
			t.Fatalf("hello %v: %v", hello, err)
		}
		resp, err := http.Get(srv.Endpoint + "/?ossvault-hello=" + strings.Repeat("0", 64) + "&ossvault-id=" + srv.AccessKeyID)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if answered := resp.Header.Get("X-Ossvault-Hello") != ""; answered != hello || (!hello && resp.StatusCode != http.StatusForbidden) {
			t.Fatalf("hello %v: the challenge got HTTP %d, answered %v", hello, resp.StatusCode, answered)
		}
	}
}
