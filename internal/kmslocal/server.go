// Package kmslocal is a local stand-in for Alibaba Cloud KMS (API version
// 2016-01-20) for tests and demos. It speaks the RPC protocol exactly as the
// alibaba-cloud-sdk-go client sends it: form and query parameters, RPC
// signature V1 (HMAC-SHA1) checked against registered AccessKeys and STS
// tokens, JSON answers shaped like KMS's and KMS's error codes.
//
// Supported actions: Encrypt, Decrypt, GenerateDataKey, DescribeKey and
// CreateKey. Keys are regional as in KMS: a request whose RegionId is not the
// key's region is answered Forbidden.KeyNotFound. Faults (errors, dropped
// connections, latency) can be injected through the Go API.
//
// The keys live in memory and die with the Server; it is not a key store.
package kmslocal

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// APIVersion is the KMS OpenAPI version the server speaks.
const APIVersion = "2016-01-20"

// KeyState is a key's state as DescribeKey reports it.
type KeyState string

// Key states that change what Encrypt and Decrypt do.
const (
	Enabled         KeyState = "Enabled"
	Disabled        KeyState = "Disabled"
	PendingDeletion KeyState = "PendingDeletion"
)

// Fault is an answer injected in place of the next request's real one.
type Fault struct {
	Status int    // HTTP status of the error answer
	Code   string // KMS error code in the body
	// Reset drops the connection without an answer instead.
	Reset bool
}

// Faults that KMS clients are expected to retry.
var (
	FaultUnavailable = Fault{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable"}
	// KMS answers throttling with HTTP 400 and a Throttling* code.
	FaultThrottling = Fault{Status: http.StatusBadRequest, Code: "Throttling"}
	FaultReset      = Fault{Reset: true}
)

// maxPlaintext is KMS's limit on Encrypt's Plaintext (6 KiB).
const maxPlaintext = 6 * 1024

// clockSkew is how far a request's Timestamp may be from the server's clock,
// and how long a SignatureNonce is remembered.
const clockSkew = 15 * time.Minute

type credential struct {
	secret  string
	token   string // empty for a permanent AccessKey
	expires time.Time
}

type key struct {
	id, region, versionID, description string
	state                              KeyState
	secret                             []byte
	created                            time.Time
}

// Server is an http.Handler that answers KMS RPC requests. The zero value is
// not usable; call NewServer.
type Server struct {
	// DefaultRegion is used for requests without RegionId. KMS requests
	// from the SDK always carry one.
	DefaultRegion string
	// AccountID appears in key ARNs and KeyMetadata.Creator.
	AccountID string

	mu      sync.Mutex
	creds   map[string]credential
	keys    map[string]*key
	faults  []Fault
	latency time.Duration
	calls   map[string]int
	nonces  map[string]time.Time
	now     func() time.Time
}

// NewServer returns a server with no keys and no credentials.
func NewServer() *Server {
	return &Server{
		DefaultRegion: "cn-hangzhou",
		AccountID:     "1234567890123456",
		creds:         map[string]credential{},
		keys:          map[string]*key{},
		calls:         map[string]int{},
		nonces:        map[string]time.Time{},
		now:           time.Now,
	}
}

// AddAccessKey lets requests signed with this AccessKey pair in.
func (s *Server) AddAccessKey(id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds[id] = credential{secret: secret}
}

// AddSTSToken lets in requests signed with this temporary AccessKey pair
// that also carry token as SecurityToken. A zero expires never expires.
func (s *Server) AddSTSToken(id, secret, token string, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds[id] = credential{secret: secret, token: token, expires: expires}
}

// CreateKey creates an enabled key in region and returns its ID.
func (s *Server) CreateKey(region, description string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.newKeyLocked(region, description)
	if err != nil {
		return "", err
	}
	return k.id, nil
}

func (s *Server) newKeyLocked(region, description string) (*key, error) {
	if region == "" {
		return nil, errors.New("a key needs a region")
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("failed to generate a key: %w", err)
	}
	k := &key{
		id: newUUID(), region: region, versionID: newUUID(), description: description,
		state: Enabled, secret: secret, created: s.now().UTC(),
	}
	s.keys[k.id] = k
	return k, nil
}

// SetKeyState changes a key's state, as DisableKey, EnableKey or
// ScheduleKeyDeletion would.
func (s *Server) SetKeyState(keyID string, state KeyState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[keyID]
	if !ok {
		return fmt.Errorf("no key %q", keyID)
	}
	switch state {
	case Enabled, Disabled, PendingDeletion:
		k.state = state
		return nil
	}
	return fmt.Errorf("unknown key state %q", state)
}

// ARN returns a key's Alibaba Cloud Resource Name, which KMS accepts as a
// KeyId.
func (s *Server) ARN(keyID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[keyID]
	if !ok {
		return ""
	}
	return s.arnLocked(k)
}

func (s *Server) arnLocked(k *key) string {
	return "acs:kms:" + k.region + ":" + s.AccountID + ":key/" + k.id
}

// FailNext answers the next n requests with f instead of processing them.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Calls returns how many requests for action reached the server, whatever
// their outcome; action "" counts all of them.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// apiError is an error answer in KMS's shape.
type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errMissing(name string) *apiError {
	return &apiError{http.StatusBadRequest, "MissingParameter",
		`The input parameter "` + name + `" that is mandatory for processing this request is not supplied.`}
}

func errInvalid(name string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameter", `The specified parameter "` + name + `" is not valid.`}
}

var errKeyNotFound = &apiError{http.StatusNotFound, "Forbidden.KeyNotFound", "The specified Key is not found."}

type request struct {
	params url.Values
	region string
}

// ServeHTTP answers one KMS RPC request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newUUID()
	// ParseForm merges the query string and a form body, the two places the
	// SDK puts parameters; both are signed.
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, requestID, &apiError{http.StatusBadRequest, "InvalidParameter", "The request could not be parsed."})
		return
	}
	params := r.Form
	action := params.Get("Action")

	s.mu.Lock()
	s.calls[""]++
	s.calls[action]++
	latency := s.latency
	var fault *Fault
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		fault = &f
	}
	s.mu.Unlock()

	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fault != nil {
		if fault.Reset {
			resetConnection(w)
			return
		}
		s.writeError(w, r, requestID, &apiError{fault.Status, fault.Code, "Injected fault."})
		return
	}
	resp, err := s.answer(r.Method, params)
	if err != nil {
		s.writeError(w, r, requestID, err)
		return
	}
	writeJSON(w, http.StatusOK, withRequestID(resp, requestID))
}

// answer checks a request as KMS does, in KMS's order (method, signature,
// version, format), and runs its action.
func (s *Server) answer(method string, params url.Values) (any, *apiError) {
	if method != http.MethodPost && method != http.MethodGet {
		return nil, &apiError{http.StatusForbidden, "UnsupportedHTTPMethod", "This http method is not supported."}
	}
	if err := s.authenticate(method, params); err != nil {
		return nil, err
	}
	if v := params.Get("Version"); v != APIVersion {
		return nil, &apiError{http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid."}
	}
	if f := params.Get("Format"); f != "" && !strings.EqualFold(f, "JSON") {
		return nil, errInvalid("Format")
	}
	req := &request{params: params, region: params.Get("RegionId")}
	if req.region == "" {
		req.region = s.DefaultRegion
	}
	switch action := params.Get("Action"); action {
	case "Encrypt":
		return s.encrypt(req)
	case "Decrypt":
		return s.decrypt(req)
	case "GenerateDataKey":
		return s.generateDataKey(req)
	case "DescribeKey":
		return s.describeKey(req)
	case "CreateKey":
		return s.createKey(req)
	case "":
		return nil, errMissing("Action")
	}
	return nil, &apiError{http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."}
}

func (s *Server) authenticate(method string, p url.Values) *apiError {
	for _, name := range []string{"AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp"} {
		if p.Get(name) == "" {
			return errMissing(name)
		}
	}
	if p.Get("SignatureMethod") != "HMAC-SHA1" || p.Get("SignatureVersion") != "1.0" {
		return &apiError{http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards."}
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", p.Get("Timestamp"))
	if err != nil {
		return &apiError{http.StatusBadRequest, "IllegalTimestamp", `The input parameter "Timestamp" that is mandatory for processing this request is not supplied.`}
	}
	now := s.now()
	if d := now.Sub(ts); d > clockSkew || d < -clockSkew {
		return &apiError{http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	cred, ok := s.creds[p.Get("AccessKeyId")]
	if !ok {
		return &apiError{http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
	}
	if !signatureValid(method, p, cred.secret) {
		return &apiError{http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."}
	}
	token, sent := p.Get("SecurityToken"), p.Has("SecurityToken")
	switch {
	case cred.token == "" && sent:
		return &apiError{http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey."}
	case cred.token != "" && token == "":
		return &apiError{http.StatusBadRequest, "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed."}
	case cred.token != "" && token != cred.token:
		return &apiError{http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey."}
	case cred.token != "" && !cred.expires.IsZero() && now.After(cred.expires):
		return &apiError{http.StatusBadRequest, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."}
	}
	// A nonce is checked after the signature so that an attacker cannot
	// burn nonces, and remembered as long as its timestamp stays valid.
	for n, t := range s.nonces {
		if now.Sub(t) > 2*clockSkew {
			delete(s.nonces, n)
		}
	}
	nonce := p.Get("SignatureNonce")
	if _, used := s.nonces[nonce]; used {
		return &apiError{http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already."}
	}
	s.nonces[nonce] = now
	return nil
}

// withRequestID adds RequestId to a response struct's JSON object.
func withRequestID(resp any, requestID string) map[string]any {
	b, _ := json.Marshal(resp)
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	m["RequestId"] = requestID
	return m
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, requestID string, e *apiError) {
	writeJSON(w, e.status, map[string]string{
		"RequestId": requestID,
		"HostId":    r.Host,
		"Code":      e.code,
		"Message":   e.message,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.code),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// resetConnection drops the connection mid-request, as a failing load
// balancer would.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 cannot hijack; aborting the handler resets the stream.
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
