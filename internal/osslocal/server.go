package osslocal

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Server.
type Options struct {
	// Store keeps the data. Required.
	Store Store
	// Credentials are the access keys the server accepts. At least one is
	// required: no request is served unsigned.
	Credentials []Credential
	// Logger receives the access log (nil: none).
	Logger Logger
	// Faults injects failures (nil: none). Rules may be added later.
	Faults *Faults
	// Region, when set, is the only region V4 signatures may name. When
	// empty any region is accepted.
	Region string
	// VirtualHostSuffixes are host names under which "bucket.<suffix>"
	// addresses a bucket virtual-host style. "localhost" is always one.
	VirtualHostSuffixes []string
	// Now is the clock for signature expiry and skew checks (nil:
	// time.Now).
	Now func() time.Time
	// Hello makes the server answer the hello challenge (see HelloDialer)
	// for its credentials, so that its own clients can tell it from
	// another program on its address before sending it anything. Plain
	// OSS clients are not affected either way.
	Hello bool
}

// Server serves the OSS API over a Store. It is an http.Handler; Start runs
// it on a TCP listener of its own.
type Server struct {
	store        Store
	creds        map[string]Credential
	logger       Logger
	faults       *Faults
	region       string
	hostSuffixes []string
	now          func() time.Time
	hello        bool

	reqSeq atomic.Uint64
	reqTag [4]byte

	countsMu sync.Mutex
	counts   map[string]int

	httpSrv  *http.Server
	listener net.Listener
	served   chan error
	stopMu   sync.Mutex
	stopped  bool

	// fresh holds connections that have not sent a request yet; net/http's
	// Shutdown waits up to 5 seconds for those, so Shutdown closes them.
	freshMu sync.Mutex
	fresh   map[net.Conn]bool
}

// New returns a Server for opts.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("osslocal: Options.Store is required")
	}
	if len(opts.Credentials) == 0 {
		return nil, errors.New("osslocal: at least one credential is required")
	}
	s := &Server{
		store:        opts.Store,
		creds:        map[string]Credential{},
		logger:       opts.Logger,
		faults:       opts.Faults,
		region:       opts.Region,
		hostSuffixes: append([]string{"localhost"}, opts.VirtualHostSuffixes...),
		now:          opts.Now,
		hello:        opts.Hello,
		counts:       map[string]int{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.faults == nil {
		s.faults = NewFaults(1)
	}
	for _, c := range opts.Credentials {
		if c.AccessKeyID == "" || c.AccessKeySecret == "" {
			return nil, errors.New("osslocal: a credential has an empty access key id or secret")
		}
		s.creds[c.AccessKeyID] = c
	}
	rand.Read(s.reqTag[:])
	return s, nil
}

// Store returns the server's store.
func (s *Server) Store() Store { return s.store }

// Faults returns the server's fault rules, to add to while it runs.
func (s *Server) Faults() *Faults { return s.faults }

// CreateBucket creates a bucket directly in the store (no request needed),
// e.g. the desktop app's demo bucket. An existing bucket is not an error.
func (s *Server) CreateBucket(name string) error {
	if !validBucketName(name) {
		return fmt.Errorf("invalid bucket name %q: use 3-63 lower-case letters, digits and hyphens", name)
	}
	if err := s.store.CreateBucket(name); err != nil && !errors.Is(err, ErrBucketExists) {
		return err
	}
	return nil
}

// Requests returns how many requests for op (an Op* name) have arrived,
// whether they succeeded, failed or were cut short by a fault.
func (s *Server) Requests(op string) int {
	s.countsMu.Lock()
	defer s.countsMu.Unlock()
	return s.counts[op]
}

// RequestsStarted returns how many requests have reached the server so
// far, of every operation; each is logged when it ends (Options.Logger).
func (s *Server) RequestsStarted() int {
	s.countsMu.Lock()
	defer s.countsMu.Unlock()
	n := 0
	for _, c := range s.counts {
		n += c
	}
	return n
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in the
// background. It returns the base URL, e.g. "http://127.0.0.1:41234".
func (s *Server) Start(addr string) (string, error) {
	if s.httpSrv != nil {
		return "", errors.New("osslocal: server already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("failed to listen on %s: %w", addr, err)
	}
	return s.StartOn(ln)
}

// StartOn is Start on a listener of the caller's, e.g. Faults.Listener's
// wrapping for a throttled link. It takes ln over: Close closes it.
func (s *Server) StartOn(ln net.Listener) (string, error) {
	if s.httpSrv != nil {
		return "", errors.New("osslocal: server already started")
	}
	s.listener = ln
	s.fresh = map[net.Conn]bool{}
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second, ConnState: s.trackConn}
	s.served = make(chan error, 1)
	go func() { s.served <- s.httpSrv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Addr returns the address Start listens on.
func (s *Server) Addr() net.Addr {
	if s.listener == nil {
		return nil
	}
	return s.listener.Addr()
}

// Shutdown stops accepting connections and waits for requests in flight to
// finish until ctx ends, then closes what remains.
//
// Calling it again (or Close) after it returned does nothing more.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	if s.httpSrv == nil || s.stopped {
		return nil
	}
	s.stopped = true
	done := make(chan error, 1)
	go func() { done <- s.httpSrv.Shutdown(ctx) }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		s.closeFresh()
		select {
		case err = <-done:
			break wait
		case <-tick.C:
		}
	}
	if err != nil {
		s.httpSrv.Close()
	}
	if serr := <-s.served; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Close shuts the server down, giving requests in flight 5 seconds.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Shutdown(ctx)
}

func (s *Server) trackConn(c net.Conn, state http.ConnState) {
	s.freshMu.Lock()
	defer s.freshMu.Unlock()
	if state == http.StateNew {
		s.fresh[c] = true
	} else {
		delete(s.fresh, c)
	}
}

func (s *Server) closeFresh() {
	s.freshMu.Lock()
	defer s.freshMu.Unlock()
	for c := range s.fresh {
		c.Close()
		delete(s.fresh, c)
	}
}

func (s *Server) newRequestID() string {
	return fmt.Sprintf("%X%016X", s.reqTag, s.reqSeq.Add(1))
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	reqID := s.newRequestID()
	h := w.Header()
	setRaw(h, hdrRequestID, reqID)
	h.Set("Server", "AliyunOSS")
	h.Set("Date", start.UTC().Format(http.TimeFormat))
	if s.hello && isHello(r) {
		s.serveHello(w, r, reqID)
		return
	}

	rt := s.parseRoute(r)
	s.countsMu.Lock()
	s.counts[rt.op]++
	s.countsMu.Unlock()

	plan := s.faults.decide(rt)
	if r.Body == nil {
		r.Body = http.NoBody // client-side requests handed straight to ServeHTTP
	}
	body := &faultBody{r: r.Body}
	rw := &faultWriter{w: w, limit: -1, body: body}
	switch plan.action.kind {
	case actResetRequest:
		body.limit, body.armed = plan.action.bytes, true
	case actResetResponse, actTruncateResponse:
		rw.limit = plan.action.bytes
	}
	r.Body = body
	if plan.delay > 0 {
		t := time.NewTimer(plan.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	hung := s.serve(rw, r, rt, reqID, plan)
	s.finish(w, r, rw, body, plan, hung)
	broken := hung || body.tripped || (plan.action.kind == actResetResponse && rw.tripped)
	if s.logger != nil {
		e := LogEntry{
			Op: rt.op, Bucket: rt.bucket, Key: rt.key, Status: rw.status, In: body.n, Out: rw.n,
			RequestID: reqID, Method: r.Method, Time: start, Duration: s.now().Sub(start), Fault: plan.names,
		}
		if rt.op == OpUploadPart {
			e.Part = rt.part
		}
		if broken {
			e.Status = 0 // no complete response reached the client
		}
		s.logger.Log(e)
	}
}

// serve answers the request, or the fault planned for it in its place. It
// reports whether the request was left hanging.
func (s *Server) serve(rw *faultWriter, r *http.Request, rt route, reqID string, p plan) (hung bool) {
	switch {
	case p.action.kind == actError:
		io.Copy(io.Discard, r.Body)
		writeError(rw, r, reqID, newError(p.action.status, p.action.code, "Injected fault: "+p.action.String()))
	case p.action.kind == actHang:
		hang(r)
		return true
	default:
		if e := s.authenticate(r, rt); e != nil {
			writeError(rw, r, reqID, e)
		} else {
			s.dispatch(rw, r, rt, reqID)
		}
	}
	return false
}

// finish ends the response: the rest of the body read, a status written,
// or the connection broken as the planned fault says.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, rw *faultWriter, body *faultBody, p plan, hung bool) {
	if !body.tripped && !hung {
		// Read what the operation left unread so the client gets the
		// response rather than a broken pipe while it is still sending.
		io.Copy(io.Discard, r.Body)
		if rw.status == 0 {
			rw.WriteHeader(http.StatusOK)
		}
	}
	switch {
	case body.tripped || (p.action.kind == actResetResponse && rw.tripped):
		resetConn(w)
	case p.action.kind == actTruncateResponse && rw.tripped:
		// Returning with fewer body bytes than Content-Length announced
		// makes net/http close the connection.
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
}

// resetConn takes the connection from net/http and closes it with a TCP
// RST, after sending whatever was already written.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// faultBody counts request body bytes and, when armed, fails reads after
// limit bytes so the operation aborts as if the connection had dropped.
type faultBody struct {
	r       io.ReadCloser
	n       int64
	limit   int64
	armed   bool
	tripped bool
}

func (b *faultBody) Read(p []byte) (int, error) {
	if b.armed {
		rest := b.limit - b.n
		if rest <= 0 {
			b.tripped = true
			return 0, errInjected
		}
		if int64(len(p)) > rest {
			p = p[:rest]
		}
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

func (b *faultBody) Close() error { return b.r.Close() }

// faultWriter counts response body bytes and records the status; with a
// limit, it stops passing bytes on after limit.
type faultWriter struct {
	w       http.ResponseWriter
	status  int
	n       int64
	limit   int64 // -1: none
	tripped bool
	// body is the request body; once a request reset has tripped nothing
	// more may reach the client.
	body *faultBody
}

func (f *faultWriter) Header() http.Header { return f.w.Header() }

func (f *faultWriter) WriteHeader(code int) {
	if f.status != 0 {
		return
	}
	f.status = code
	if !f.body.tripped {
		f.w.WriteHeader(code)
	}
}

func (f *faultWriter) Write(p []byte) (int, error) {
	if f.status == 0 {
		f.WriteHeader(http.StatusOK)
	}
	if f.body.tripped {
		return 0, errInjected
	}
	if f.limit >= 0 {
		rest := f.limit - f.n
		if rest <= 0 {
			f.tripped = true
			return 0, errInjected
		}
		if int64(len(p)) > rest {
			n, _ := f.w.Write(p[:rest])
			f.n += int64(n)
			f.tripped = true
			return n, errInjected
		}
	}
	n, err := f.w.Write(p)
	f.n += int64(n)
	return n, err
}

// ReadFrom lets io.Copy from a file hand the copy to net/http, which can
// then use sendfile.
func (f *faultWriter) ReadFrom(src io.Reader) (int64, error) {
	if f.limit >= 0 || f.body.tripped {
		return io.Copy(writerOnly{f}, src)
	}
	if f.status == 0 {
		f.WriteHeader(http.StatusOK)
	}
	rf, ok := f.w.(io.ReaderFrom)
	if !ok {
		return io.Copy(writerOnly{f}, src)
	}
	n, err := rf.ReadFrom(src)
	f.n += n
	return n, err
}

type writerOnly struct{ io.Writer }

// dispatch runs the operation.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, rt route, reqID string) {
	c := &call{s: s, w: w, r: r, rt: rt, reqID: reqID}
	if rt.bucket != "" && !validBucketName(rt.bucket) {
		c.fail(newError(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.").with("BucketName", rt.bucket))
		return
	}
	if rt.key != "" && !validObjectKey(rt.key) {
		c.fail(newError(http.StatusBadRequest, "InvalidObjectName", "The specified object is not valid."))
		return
	}
	if c.serveConfig() {
		return
	}
	switch rt.op {
	case OpListBuckets:
		c.listBuckets()
	case OpPutBucket:
		c.putBucket()
	case OpDeleteBucket:
		c.deleteBucket()
	case OpGetBucketInfo:
		c.getBucketInfo()
	case OpGetBucketLocation:
		c.getBucketLocation()
	case OpListObjects, OpListObjectsV2:
		c.listObjects(rt.op == OpListObjectsV2)
	case OpListMultipartUploads:
		c.listUploads()
	case OpDeleteMultipleObjects:
		c.deleteMultiple()
	case OpPutObject:
		c.putObject()
	case OpGetObject, OpHeadObject:
		c.getObject(rt.op == OpHeadObject)
	case OpGetObjectMeta:
		c.getObjectMeta()
	case OpDeleteObject:
		c.deleteObject()
	case OpCopyObject:
		c.copyObject()
	case OpPutObjectTagging:
		c.putObjectTagging()
	case OpGetObjectTagging:
		c.getObjectTagging()
	case OpDeleteObjectTagging:
		c.deleteObjectTagging()
	case OpInitiateMultipartUpload:
		c.initiateUpload()
	case OpUploadPart:
		c.uploadPart()
	case OpCompleteMultipartUpload:
		c.completeUpload()
	case OpAbortMultipartUpload:
		c.abortUpload()
	case OpListParts:
		c.listParts()
	default:
		if rt.bucket == "" {
			c.fail(newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource."))
			return
		}
		c.fail(errNotImplemented())
	}
}
