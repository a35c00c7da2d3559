package osslocal

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// The hello exchange lets a client tell this server from another program
// that listens on the address the client expects it at (a store on a fixed
// loopback port, taken by someone else while the server is down), before
// it sends anything that matters: a request, a signature, a file.
//
// The client opens a connection and sends, as its first request,
//
//	GET /?ossvault-hello=NONCE&ossvault-id=ACCESS_KEY_ID
//
// with a fresh random NONCE (hex). A server with Options.Hello answers 200
// with the header X-Ossvault-Hello: hex(HMAC-SHA256(k, m)), where k is
// HMAC-SHA256 keyed by the credential's secret over helloKeyLabel, and m
// binds the label, the key id, the nonce and the server's own address on
// that connection. Only a program holding the secret can answer; the
// address in m stops a program on one port from relaying the challenge to
// the real server on another and passing its answer off as its own. The
// connection then carries the client's real requests.
const (
	helloParam    = "ossvault-hello"
	helloIDParam  = "ossvault-id"
	helloHeader   = "X-Ossvault-Hello"
	helloKeyLabel = "ossvault local endpoint hello key v1"
	helloMsgLabel = "ossvault-hello-v1"

	// A nonce is 16 to 64 random bytes in hex.
	helloMinNonce = 32
	helloMaxNonce = 128
	// helloMaxResponse bounds what a client reads of the answer, so that a
	// program that is not the server cannot make it buffer without end.
	helloMaxResponse = 16 << 10
	// helloTimeout bounds connecting and the exchange when the caller's
	// context has no sooner deadline.
	helloTimeout = 10 * time.Second
)

// ErrImpostor means the program answering on the address did not prove it
// holds the access key: it is not the server the client meant to reach,
// and nothing but the challenge was sent to it.
var ErrImpostor = errors.New("the program answering there is not the expected store: it does not hold the store's access key")

// helloMAC is the answer to nonce from the server at addr for the
// credential id, secret.
func helloMAC(id, secret, nonce, addr string) []byte {
	kdf := hmac.New(sha256.New, []byte(secret))
	kdf.Write([]byte(helloKeyLabel))
	m := hmac.New(sha256.New, kdf.Sum(nil))
	var buf []byte
	for _, f := range []string{helloMsgLabel, id, nonce, addr} {
		buf = binary.AppendUvarint(buf, uint64(len(f)))
		buf = append(buf, f...)
	}
	m.Write(buf)
	return m.Sum(nil)
}

func validNonce(n string) bool {
	if len(n) < helloMinNonce || len(n) > helloMaxNonce || len(n)%2 != 0 {
		return false
	}
	_, err := hex.DecodeString(n)
	return err == nil
}

// isHello tells the challenge from an OSS request (a GET / is ListBuckets).
func isHello(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Path == "/" && r.URL.Query().Has(helloParam)
}

// serveHello answers the challenge. It is not an OSS request: it is not
// counted, logged or subject to Faults.
func (s *Server) serveHello(w http.ResponseWriter, r *http.Request, reqID string) {
	q := r.URL.Query()
	nonce, id := q.Get(helloParam), q.Get(helloIDParam)
	cred, known := s.creds[id]
	addr, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	switch {
	case !validNonce(nonce):
		writeError(w, r, reqID, errInvalidArgument("The hello nonce must be 32 to 128 hex digits."))
	case !known:
		writeError(w, r, reqID, newError(http.StatusForbidden, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records."))
	case addr == nil:
		writeError(w, r, reqID, errInvalidArgument("The hello needs a connection of the server's own."))
	default:
		w.Header().Set(helloHeader, hex.EncodeToString(helloMAC(cred.AccessKeyID, cred.AccessKeySecret, nonce, addr.String())))
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	}
}

// HelloDialer opens connections to a server started with Options.Hello
// and hands each over only once the server on it has proved it holds the
// credential. Use its DialContext as an http.Transport's, so that no
// request is ever written to a connection whose other end has not proved
// itself.
type HelloDialer struct {
	AccessKeyID, AccessKeySecret string
	// Timeout bounds connecting and the exchange (10 s if 0).
	Timeout time.Duration
}

// DialContext dials addr and runs the hello exchange on the connection. A
// server that does not prove itself gets an error wrapping ErrImpostor and
// the connection is closed.
func (d HelloDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = helloTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if err := d.hello(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func (d HelloDialer) hello(ctx context.Context, conn net.Conn) error {
	// The context's end, a cancel or its deadline, unblocks the exchange at
	// once. The connection gets no deadline of its own: one equal to the
	// context's could fire a moment before the context reports it is done,
	// and a timeout would then be taken for an impostor.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var raw [32]byte
	rand.Read(raw[:])
	nonce := hex.EncodeToString(raw[:])
	addr := conn.RemoteAddr().String()
	req := fmt.Sprintf("GET /?%s=%s&%s=%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: ossvault-hello\r\n\r\n",
		helloParam, nonce, helloIDParam, url.QueryEscape(d.AccessKeyID), addr)
	if _, err := io.WriteString(conn, req); err != nil {
		return d.failed(ctx, err)
	}
	br := bufio.NewReader(io.LimitReader(conn, helloMaxResponse))
	if err := checkHello(br, d.AccessKeyID, d.AccessKeySecret, nonce, addr); err != nil {
		return d.failed(ctx, err)
	}
	if !stop() {
		return ctx.Err()
	}
	conn.SetDeadline(time.Time{})
	return nil
}

// failed reports a failed exchange: the caller's cancel or timeout as
// such, anything else as the impostor it shows.
func (d HelloDialer) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("no answer to the hello in time: %w", ctx.Err())
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The connection's deadline is the context's and may fire first:
		// a slow store is late, not an impostor.
		return fmt.Errorf("no answer to the hello in time: %w", context.DeadlineExceeded)
	}
	if errors.Is(err, ErrImpostor) {
		return err
	}
	return fmt.Errorf("%w (%v)", ErrImpostor, err)
}

// checkHello reads the answer to the challenge nonce from br and checks
// it. The answer must be the only thing the server sent, so that the
// connection is left clean for the requests that follow.
func checkHello(br *bufio.Reader, id, secret, nonce, addr string) error {
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return err // no answer yet: failed says it was late
	}
	if err != nil {
		return fmt.Errorf("%w (the answer is not HTTP: %v)", ErrImpostor, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w (it answered HTTP %d)", ErrImpostor, resp.StatusCode)
	}
	got, err := hex.DecodeString(strings.TrimSpace(resp.Header.Get(helloHeader)))
	if err != nil || !hmac.Equal(got, helloMAC(id, secret, nonce, addr)) {
		return fmt.Errorf("%w (its answer to the challenge is wrong)", ErrImpostor)
	}
	if resp.ContentLength != 0 || resp.Close || br.Buffered() != 0 {
		return fmt.Errorf("%w (it sent more than the answer)", ErrImpostor)
	}
	return nil
}

// CheckHello connects to endpoint ("http://host:port") once, runs the
// hello exchange for the credential and hangs up. It returns nil when the
// server there proved it holds the secret, an error wrapping ErrImpostor
// when something else answered, and the dial error when nothing did.
func CheckHello(ctx context.Context, endpoint, accessKeyID, accessKeySecret string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || u.Scheme != "http" {
		return fmt.Errorf("the endpoint %q is not a URL like http://127.0.0.1:PORT", endpoint)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	conn, err := HelloDialer{AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret}.DialContext(ctx, "tcp", host)
	if err != nil {
		return err
	}
	return conn.Close()
}
