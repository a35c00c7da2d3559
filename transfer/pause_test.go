package transfer

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
)

// holdingProxy forwards connections to target, except that the first
// chunk of a request for part 2 is held back for a moment after it calls
// onHold: a client that gives up on the request meanwhile has returned
// before its bytes reach the server.
type holdingProxy struct {
	addr     string
	onHold   func()
	release  chan struct{} // closed: held bytes go on at once
	answered chan struct{} // closed: the server answered the held request, or closed its connection
	once     sync.Once
	mu       sync.Mutex
	conns    []net.Conn
}

func startHoldingProxy(t *testing.T, target string, onHold func()) *holdingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &holdingProxy{addr: ln.Addr().String(), onHold: onHold, release: make(chan struct{}), answered: make(chan struct{})}
	t.Cleanup(func() {
		ln.Close()
		p.letGo()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range p.conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			held := make(chan struct{})
			go p.back(c, s, held)
			go p.forward(s, c, held)
		}
	}()
	return p
}

// forward copies what the client sends, holding back the first chunk of
// a request for part 2 (once); held is closed when that chunk went on.
func (p *holdingProxy) forward(s, c net.Conn, held chan struct{}) {
	defer s.(*net.TCPConn).CloseWrite()
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		hold := false
		if n > 0 && bytes.Contains(buf[:n], []byte("partNumber=2&")) {
			p.once.Do(func() { hold = true })
		}
		if hold {
			p.onHold()
			select {
			case <-time.After(300 * time.Millisecond):
			case <-p.release:
			}
		}
		if n > 0 {
			if _, werr := s.Write(buf[:n]); werr != nil {
				return
			}
		}
		if hold {
			close(held)
		}
		if err != nil {
			return
		}
	}
}

// back copies what the server answers; the first answer (or close) after
// the held chunk went on closes p.answered.
func (p *holdingProxy) back(c, s net.Conn, held chan struct{}) {
	buf := make([]byte, 64<<10)
	for {
		n, err := s.Read(buf)
		select {
		case <-held:
			select {
			case <-p.answered:
			default:
				close(p.answered)
			}
		default:
		}
		if n > 0 {
			c.Write(buf[:n])
		}
		if err != nil {
			c.Close()
			return
		}
	}
}

func (p *holdingProxy) letGo() {
	select {
	case <-p.release:
	default:
		close(p.release)
	}
}

// A paused upload returns only once the part it was sending has had its
// answer: nothing it sent reaches the server after it returned, and the
// part is kept for the resume rather than sent again.
func TestOSSPauseLeavesNothingInFlight(t *testing.T) {
	srv, _ := startOSS(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	proxy := startHoldingProxy(t, srv.Endpoint[len("http://"):], func() { cancel(ErrPaused) })
	conn := srvConn(srv)
	conn.Endpoint = "http://" + proxy.addr
	st := openBucket(t, conn, "bkt")
	up, _ := newEngines(t, st)
	up.Parts = 1
	src, _ := writeRandom(t, t.TempDir(), "src", 4*MinPartSize)
	job := UploadJob{Source: src, Bucket: "bkt", Key: "k", Wrapper: testWrapper(t)}
	if err := up.Upload(ctx, job, nil); !errors.Is(err, ErrPaused) {
		t.Fatalf("upload: %v, want it paused", err)
	}
	before := srv.Log.Count(osslocal.OpUploadPart)
	// The held request reaches the server now if it had not yet; once
	// the server has answered it, it has been logged.
	proxy.letGo()
	<-proxy.answered
	if after := srv.Log.Count(osslocal.OpUploadPart); after != before {
		t.Fatalf("%d part requests reached the server after the paused upload returned", after-before)
	}
	if err := up.Upload(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	for n, c := range srv.Log.PartsStored("bkt", "k") {
		if c != 1 {
			t.Errorf("part %d stored %d times, want once", n, c)
		}
	}
}
