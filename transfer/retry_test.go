package transfer

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestBackoffBounds(t *testing.T) {
	p := Policy{Attempts: 10, Base: 100 * time.Millisecond, Max: time.Second}
	r := rand.New(rand.NewPCG(1, 2))
	for attempt, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 5: time.Second, 20: time.Second} {
		for range 100 {
			d := p.Backoff(attempt, r)
			if d < want/2 || d > want {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
}

func TestIsTemporary(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&RemoteError{Op: "UploadPart", Status: 500, Code: "InternalError"}, true},
		{&RemoteError{Op: "UploadPart", Status: 503}, true},
		{&RemoteError{Op: "UploadPart", Status: 429}, true},
		{&RemoteError{Op: "GetObject", Status: 403, Code: "SignatureDoesNotMatch"}, false},
		{&RemoteError{Op: "GetObject", Status: 403, Code: "InvalidAccessKeyId"}, false},
		{&RemoteError{Op: "GetObject", Status: 404, Code: "NoSuchKey"}, false},
		{&RemoteError{Op: "GetObject", Status: 404, Code: "NoSuchBucket"}, false},
		{&RemoteError{Op: "GetObject", Status: 412, Code: "PreconditionFailed"}, false},
		{fmt.Errorf("UploadPart: %w", io.ErrUnexpectedEOF), true},
		{errors.New("connection reset by peer"), true},
		{Permanent(errors.New("bad")), false},
		{fmt.Errorf("x: %w", ErrDiskFull), false},
		{&RemoteError{Op: "UploadPart", Status: 507, Code: "InsufficientStorage"}, true},
		{&RemoteError{Op: "GetObject", Status: 500, Code: "ObjectDamaged"}, false},
		{&RemoteError{Op: "PutObject", Status: 400, Code: "InvalidObjectName"}, false},
		{fmt.Errorf("x: %w", ErrInvalidName), false}, // a name the adapter refuses to send
		{fmt.Errorf("x: %w", ErrStalled), true},
		{fmt.Errorf("UploadPart: %w", syscall.ECONNREFUSED), true},
		{fmt.Errorf("UploadPart: %w", syscall.ETIMEDOUT), true},
		{fmt.Errorf("UploadPart: %w", io.EOF), true},
		{x509.UnknownAuthorityError{}, false},
		{x509.HostnameError{Host: "oss.example"}, false},
		{x509.CertificateInvalidError{Reason: x509.Expired}, false},
	} {
		if got := isTemporary(tc.err); got != tc.want {
			t.Errorf("isTemporary(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestRemoteErrorSentinels(t *testing.T) {
	for _, tc := range []struct {
		err  *RemoteError
		want error
	}{
		{&RemoteError{Status: 403, Code: "AccessDenied"}, ErrAccessDenied},
		{&RemoteError{Status: 403}, ErrAccessDenied},
		{&RemoteError{Status: 404, Code: "NoSuchBucket"}, ErrNoSuchBucket},
		{&RemoteError{Status: 404}, ErrNoSuchObject},
		{&RemoteError{Status: 404, Code: "NoSuchUpload"}, ErrNoSuchUpload},
		{&RemoteError{Status: 412}, ErrSourceChanged},
		{&RemoteError{Status: 507, Code: "InsufficientStorage"}, ErrStorageFull},
		{&RemoteError{Status: 507}, ErrStorageFull},
		{&RemoteError{Status: 500, Code: "ObjectDamaged"}, ErrDamaged},
		{&RemoteError{Status: 400, Code: "InvalidBucketName"}, ErrInvalidName},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%v does not match %v", tc.err, tc.want)
		}
		if !strings.Contains(tc.err.Error(), tc.want.Error()) {
			t.Errorf("message %q does not say %q", tc.err, tc.want)
		}
	}
}

func TestPolicyDo(t *testing.T) {
	noSleep := func(context.Context, time.Duration) error { return nil }
	p := Policy{Attempts: 4, Base: time.Millisecond, Max: time.Millisecond, Sleep: noSleep}
	t.Run("succeeds after transient failures", func(t *testing.T) {
		n := 0
		err := p.Do(context.Background(), func() error {
			n++
			if n < 3 {
				return &RemoteError{Status: 503}
			}
			return nil
		})
		if err != nil || n != 3 {
			t.Fatalf("err = %v after %d calls, want nil after 3", err, n)
		}
	})
	t.Run("gives up after the attempts", func(t *testing.T) {
		n := 0
		err := p.Do(context.Background(), func() error { n++; return &RemoteError{Status: 500} })
		if err == nil || n != 4 || !strings.Contains(err.Error(), "4 tries") {
			t.Fatalf("err = %v after %d calls, want failure after 4", err, n)
		}
	})
	t.Run("permanent errors are not retried", func(t *testing.T) {
		n := 0
		err := p.Do(context.Background(), func() error { n++; return &RemoteError{Status: 403} })
		if !errors.Is(err, ErrAccessDenied) || n != 1 {
			t.Fatalf("err = %v after %d calls, want access denied after 1", err, n)
		}
	})
	t.Run("a canceled context returns its cause", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		n := 0
		err := p.Do(ctx, func() error { n++; cancel(ErrPaused); return &RemoteError{Status: 500} })
		if !errors.Is(err, ErrPaused) || n != 1 {
			t.Fatalf("err = %v after %d calls, want ErrPaused after 1", err, n)
		}
	})
}

// seekCounter records rewinds.
type seekCounter struct {
	*strings.Reader
	seeks int
}

func (s *seekCounter) Seek(off int64, whence int) (int64, error) {
	s.seeks++
	return s.Reader.Seek(off, whence)
}

// flakyWriter fails the first n uploads after reading part of the body.
type flakyWriter struct {
	Store
	fail int
	got  []string
}

func (f *flakyWriter) Put(_ context.Context, _ string, body io.ReadSeeker, size int64, _ map[string]string) error {
	b, _ := io.ReadAll(io.LimitReader(body, size))
	if f.fail > 0 {
		f.fail--
		return &RemoteError{Op: "PutObject", Status: 500}
	}
	f.got = append(f.got, string(b))
	return nil
}

func TestRetryingRewindsBodies(t *testing.T) {
	f := &flakyWriter{fail: 2}
	r := &Retrying{Store: f, Policy: Policy{Attempts: 5, Sleep: func(context.Context, time.Duration) error { return nil }}}
	body := &seekCounter{Reader: strings.NewReader("hello world")}
	if err := r.Put(context.Background(), "k", body, 11, nil); err != nil {
		t.Fatal(err)
	}
	if len(f.got) != 1 || f.got[0] != "hello world" || body.seeks != 3 {
		t.Fatalf("stored %q after %d rewinds, want one full body after 3", f.got, body.seeks)
	}
}

// A refused connection is retried wherever it comes from: on this very
// computer it is a local store or the app's "This computer" being
// restarted, which is back within seconds.
func TestRefusedConnectionIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = http.Get("http://" + addr + "/bucket/key")
	if err == nil {
		t.Fatal("a closed port answered")
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Skipf("this system reports a refused connection as %v", err)
	}
	remote := &url.Error{Op: "Get", URL: "http://192.0.2.1/", Err: &net.OpError{Op: "dial", Net: "tcp",
		Addr: &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 80}, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	for name, err := range map[string]error{"loopback": err, "another host": remote} {
		if !isTemporary(err) {
			t.Errorf("%s: a refused connection counted as permanent: %v", name, err)
		}
		calls := 0
		p := Policy{Attempts: 5, Sleep: func(context.Context, time.Duration) error { return nil }}
		p.Do(context.Background(), func() error { calls++; return err })
		if calls != 5 {
			t.Errorf("%s: tried %d times, want 5", name, calls)
		}
	}
}

func TestPolicyWindow(t *testing.T) {
	p := Policy{Window: 300 * time.Millisecond, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	calls := 0
	start := time.Now()
	err := p.Do(context.Background(), func() error {
		calls++
		return fmt.Errorf("UploadPart: %w", syscall.ECONNRESET)
	})
	if err == nil || !errors.Is(err, syscall.ECONNRESET) || !strings.Contains(err.Error(), "gave up after") {
		t.Fatalf("err = %v, want the reset after the window", err)
	}
	if calls < 3 {
		t.Errorf("tried %d times in the window, want several", calls)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a 300 ms window lasted %v", d)
	}
	// A try succeeding inside the window ends it.
	calls = 0
	err = p.Do(context.Background(), func() error {
		if calls++; calls < 3 {
			return io.ErrUnexpectedEOF
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("err = %v after %d calls, want success after 3", err, calls)
	}
	// Zero everything: one try, as before windows existed.
	calls = 0
	(Policy{}).Do(context.Background(), func() error { calls++; return io.ErrUnexpectedEOF })
	if calls != 1 {
		t.Errorf("a zero policy tried %d times, want 1", calls)
	}
}

// A full storage does not clear in seconds: it is tried twice, not for the
// whole budget, and the message says what is wrong.
func TestStorageFullIsTriedBriefly(t *testing.T) {
	p := Policy{Attempts: 10, Window: time.Minute, Sleep: func(context.Context, time.Duration) error { return nil }}
	calls := 0
	err := p.Do(context.Background(), func() error {
		calls++
		return &RemoteError{Op: "UploadPart", Status: 507, Code: "InsufficientStorage"}
	})
	if calls != storageFullTries || !errors.Is(err, ErrStorageFull) {
		t.Fatalf("err = %v after %d calls, want ErrStorageFull after %d", err, calls, storageFullTries)
	}
	if !strings.Contains(err.Error(), "the storage has no space left") {
		t.Errorf("message %q does not say the storage is full", err)
	}
	if !resumable(err) {
		t.Error("a full storage should leave the transfer resumable")
	}
}
