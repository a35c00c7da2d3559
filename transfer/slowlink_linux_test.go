package transfer

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// slowLink forwards connections to upstream, the client's bytes at about
// rate bytes a second, through a socket whose receive buffer is kept
// small, so that what is not yet through waits in the client's send queue
// as it does on a slow network (on loopback it would otherwise all be
// acknowledged into the proxy's buffer at once).
func slowLink(t *testing.T, upstream string, rate int) string {
	t.Helper()
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			go func() { io.Copy(c, u); c.Close() }()
			go func() {
				defer u.Close()
				buf := make([]byte, rate/50)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if _, werr := u.Write(buf[:n]); werr != nil {
							return
						}
						time.Sleep(20 * time.Millisecond)
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

// A PUT over a link slow enough that its body takes several times the
// read-write timeout to leave the send queue after the last Write still
// succeeds, once, because the queue keeps draining: the wait for the
// answer counts progress, not time since the body was handed over.
func TestSlowLinkUploadFinishes(t *testing.T) {
	srv := osstest.Start(t, osstest.WithBuckets("bkt"))
	addr := slowLink(t, srv.Endpoint[len("http://"):], 256<<10)
	st := openBucket(t, Conn{Endpoint: "http://" + addr, AccessKeyID: srv.AccessKeyID, AccessKeySecret: srv.AccessKeySecret, ReadWriteTimeout: 1}, "bkt")
	body := bytes.Repeat([]byte("slow but moving "), (1<<20)/16) // 1 MiB: about 4 s at 256 KiB/s
	start := time.Now()
	if err := st.Put(context.Background(), "k", bytes.NewReader(body), int64(len(body)), nil); err != nil {
		t.Fatalf("PUT over the slow link after %v: %v", time.Since(start), err)
	}
	t.Logf("1 MiB through at 256 KiB/s with a 1 s timeout in %v", time.Since(start).Round(time.Millisecond))
	info, err := st.Head(context.Background(), "k")
	if err != nil || info.Size != int64(len(body)) {
		t.Fatalf("stored %+v, %v", info, err)
	}
}

// A server that takes the whole body and never answers still fails the
// request after about the timeout: an empty send queue is no progress.
func TestPutToSilentServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-release
	}))
	defer hang.Close()
	defer close(release)
	st := openBucket(t, Conn{Endpoint: hang.URL, AccessKeyID: "id", AccessKeySecret: "secret", ReadWriteTimeout: 1}, "bkt")
	start := time.Now()
	err := st.Put(context.Background(), "k", bytes.NewReader(make([]byte, 64<<10)), 64<<10, nil)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("Put = %v after %v, want a timeout after about 1 s", err, time.Since(start))
	}
}
