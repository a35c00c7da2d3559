// Package osstest starts a local OSS endpoint for a test in one call:
//
//	srv := osstest.Start(t, osstest.WithBuckets("demo"))
//	client, _ := oss.New(srv.Endpoint, srv.AccessKeyID, srv.AccessKeySecret)
//	... // use the real SDK
//	if n := srv.Log.Count(osslocal.OpUploadPart); n != 4 { ... }
//
// The server listens on 127.0.0.1 on a free port, stores in a temporary
// folder (or in memory with WithMemoryStore), accepts one freshly generated
// access key, and is shut down when the test ends. To simulate a restart,
// Close it and Start another WithDir(srv.Dir) and WithAccessKey.
package osstest

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
)

// Server is a running local endpoint.
type Server struct {
	*osslocal.Server
	// Endpoint is the base URL, e.g. "http://127.0.0.1:41234".
	Endpoint string
	// AccessKeyID and AccessKeySecret are the credential the server
	// accepts (besides any added with WithCredentials).
	AccessKeyID, AccessKeySecret string
	// Log records every request.
	Log *AccessLog
	// Dir is the disk store's folder ("" with WithMemoryStore).
	Dir string
}

type config struct {
	id, secret string
	memory     bool
	dir        string
	buckets    []string
	opts       osslocal.Options
	throttled  bool
}

// Option adjusts Start.
type Option func(*config)

// WithMemoryStore keeps data in memory instead of a temporary folder.
func WithMemoryStore() Option { return func(c *config) { c.memory = true } }

// WithDir stores in dir (e.g. to restart a server on the same folder).
func WithDir(dir string) Option { return func(c *config) { c.dir = dir } }

// WithAccessKey fixes the main credential instead of generating one, e.g.
// to restart a server (Close, then Start WithDir(old.Dir)) for clients
// that keep their configuration.
func WithAccessKey(id, secret string) Option {
	return func(c *config) { c.id, c.secret = id, secret }
}

// WithBuckets creates buckets before the server starts.
func WithBuckets(names ...string) Option {
	return func(c *config) { c.buckets = append(c.buckets, names...) }
}

// WithCredentials adds accepted credentials, e.g. an STS triple.
func WithCredentials(creds ...osslocal.Credential) Option {
	return func(c *config) { c.opts.Credentials = append(c.opts.Credentials, creds...) }
}

// WithFaults installs fault rules (also reachable later via Faults()).
func WithFaults(f *osslocal.Faults) Option { return func(c *config) { c.opts.Faults = f } }

// WithThrottledFaults is WithFaults, served through f.Listener so that
// f.Throttle, set before or after Start, paces every connection. Such
// connections do not offer sendfile.
func WithThrottledFaults(f *osslocal.Faults) Option {
	return func(c *config) { c.opts.Faults, c.throttled = f, true }
}

// WithHello makes the server answer the hello challenge, as the desktop
// app's own store does (osslocal.Options.Hello).
func WithHello() Option { return func(c *config) { c.opts.Hello = true } }

// WithRegion restricts V4 signatures to region.
func WithRegion(region string) Option { return func(c *config) { c.opts.Region = region } }

// WithClock sets the server's clock (signature expiry and skew checks).
func WithClock(now func() time.Time) Option { return func(c *config) { c.opts.Now = now } }

// WithLogger sends the access log to l as well as to Server.Log.
func WithLogger(l osslocal.Logger) Option {
	return func(c *config) { c.opts.Logger = l }
}

// RandomKey returns a random hex string of n bytes, for credentials.
func RandomKey(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Start runs a server for the duration of t.
func Start(t testing.TB, options ...Option) *Server {
	t.Helper()
	var cfg config
	for _, o := range options {
		o(&cfg)
	}
	s := &Server{AccessKeyID: "LTAI" + RandomKey(8), AccessKeySecret: RandomKey(15), Log: &AccessLog{}}
	if cfg.id != "" {
		s.AccessKeyID, s.AccessKeySecret = cfg.id, cfg.secret
	}
	var store osslocal.Store
	if cfg.memory {
		store = osslocal.NewMemoryStore()
	} else {
		s.Dir = cfg.dir
		if s.Dir == "" {
			s.Dir = t.TempDir()
		}
		ds, err := osslocal.NewDiskStore(s.Dir)
		if err != nil {
			t.Fatalf("osstest: %v", err)
		}
		store = ds
	}
	opts := cfg.opts
	opts.Store = store
	opts.Credentials = append([]osslocal.Credential{{AccessKeyID: s.AccessKeyID, AccessKeySecret: s.AccessKeySecret}}, opts.Credentials...)
	extra := opts.Logger
	opts.Logger = osslocal.LoggerFunc(func(e osslocal.LogEntry) {
		s.Log.add(e)
		if extra != nil {
			extra.Log(e)
		}
	})
	srv, err := osslocal.New(opts)
	if err != nil {
		t.Fatalf("osstest: %v", err)
	}
	for _, b := range cfg.buckets {
		if err := srv.CreateBucket(b); err != nil {
			t.Fatalf("osstest: %v", err)
		}
	}
	s.Server = srv
	s.Log.started = srv.RequestsStarted
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("osstest: %v", err)
	}
	if cfg.throttled {
		ln = cfg.opts.Faults.Listener(ln)
	}
	s.Endpoint, err = srv.StartOn(ln)
	if err != nil {
		t.Fatalf("osstest: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return s
}

// AccessLog collects access log entries; safe for concurrent use.
//
// A request is logged as the server's handler returns, which can be just
// after the client has read the whole response (a large body is written
// straight to the socket). So that a test that counts right after a call
// returns sees that call, every read first waits, up to settleWait, until
// every request that reached the server has been logged.
type AccessLog struct {
	mu      sync.Mutex
	entries []osslocal.LogEntry
	logged  int        // entries ever added, Reset or not
	started func() int // requests that reached the server; nil: do not wait
}

// settleWait bounds the wait for requests in flight, such as one a Hang
// fault holds open, so that a read never blocks for long.
const settleWait = 2 * time.Second

func (l *AccessLog) add(e osslocal.LogEntry) {
	l.mu.Lock()
	l.entries = append(l.entries, e)
	l.logged++
	l.mu.Unlock()
}

// settle waits until every request that reached the server has been
// logged, or settleWait has passed.
func (l *AccessLog) settle() {
	if l.started == nil {
		return
	}
	for deadline := time.Now().Add(settleWait); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		l.mu.Lock()
		done := l.logged >= l.started()
		l.mu.Unlock()
		if done {
			return
		}
	}
}

// Entries returns a copy of the entries so far, in completion order.
func (l *AccessLog) Entries() []osslocal.LogEntry {
	l.settle()
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]osslocal.LogEntry(nil), l.entries...)
}

// Count returns how many requests for op (an osslocal.Op* name) finished,
// whatever their status.
func (l *AccessLog) Count(op string) int {
	return l.CountFunc(func(e osslocal.LogEntry) bool { return e.Op == op })
}

// CountFunc counts the entries for which match returns true.
func (l *AccessLog) CountFunc(match func(osslocal.LogEntry) bool) int {
	l.settle()
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.entries {
		if match(e) {
			n++
		}
	}
	return n
}

// PartsStored returns, per part number, how many UploadPart requests for
// bucket/key succeeded (status 200): a resumed upload that resends nothing
// shows 1 for every part.
func (l *AccessLog) PartsStored(bucket, key string) map[int]int {
	l.settle()
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[int]int{}
	for _, e := range l.entries {
		if e.Op == osslocal.OpUploadPart && e.Bucket == bucket && e.Key == key && e.Status == 200 {
			out[e.Part]++
		}
	}
	return out
}

// Reset forgets the entries so far.
func (l *AccessLog) Reset() {
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
}
