package kms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/ossvault/ossvault/envelope"
)

func testClient(t *testing.T) *Client {
	t.Helper()
	c, err := New(Config{Region: "cn-hangzhou", Credentials: Credentials{AccessKeyID: "id", AccessKeySecret: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serverError builds the SDK's error for a KMS error answer, as the SDK does.
func serverError(status int, code string) error {
	body := fmt.Sprintf(`{"RequestId":"req-1","HostId":"kms.cn-hangzhou.aliyuncs.com","Code":%q,"Message":"secret-echo Plaintext=c2VjcmV0"}`, code)
	if code == "" {
		body = "<html>Bad Gateway</html>"
	}
	return sdkerrors.NewServerError(status, body, "")
}

func TestClassifyServerErrors(t *testing.T) {
	c := testClient(t)
	tests := []struct {
		op, code  string
		status    int
		kind      error
		transient bool
		identity  bool // wraps envelope.ErrIncorrectIdentity
	}{
		{"encrypt", "SignatureDoesNotMatch", 400, ErrAccessDenied, false, false},
		{"decrypt", "SignatureDoesNotMatch", 400, ErrAccessDenied, false, false},
		{"encrypt", "InvalidAccessKeyId.NotFound", 404, ErrAccessDenied, false, false},
		{"encrypt", "IncompleteSignature", 400, ErrAccessDenied, false, false},
		{"encrypt", "InvalidSecurityToken.Expired", 400, ErrAccessDenied, false, false},
		{"encrypt", "Forbidden.RAM", 403, ErrAccessDenied, false, false},
		{"decrypt", "Forbidden.RAM", 403, ErrAccessDenied, false, true},
		{"encrypt", "Forbidden.KeyNotFound", 404, ErrKeyNotFound, false, false},
		{"decrypt", "Forbidden.KeyNotFound", 404, ErrKeyNotFound, false, true},
		{"encrypt", "EntityNotExist.Key", 404, ErrKeyNotFound, false, false},
		{"encrypt", "Forbidden.AliasNotFound", 404, ErrKeyNotFound, false, false},
		{"encrypt", "Rejected.Disabled", 409, ErrKeyDisabled, false, false},
		{"decrypt", "Rejected.Disabled", 409, ErrKeyDisabled, false, false},
		{"encrypt", "Rejected.PendingDeletion", 409, ErrKeyDisabled, false, false},
		{"encrypt", "Rejetced.PendingDeletion", 409, ErrKeyDisabled, false, false},
		{"encrypt", "Rejected.PendingImport", 409, ErrKeyDisabled, false, false},
		{"decrypt", "InvalidParameter", 400, ErrInvalidCiphertext, false, true},
		{"decrypt", "InvalidCiphertext", 400, ErrInvalidCiphertext, false, true},
		{"encrypt", "InvalidParameter", 400, nil, false, false},
		{"encrypt", "Throttling", 400, ErrUnavailable, true, false},
		{"encrypt", "Throttling.User", 400, ErrUnavailable, true, false},
		{"encrypt", "ServiceUnavailable", 503, ErrUnavailable, true, false},
		{"encrypt", "SerivceUnavailableTemporary", 503, ErrUnavailable, true, false},
		{"encrypt", "InternalFailure", 500, ErrUnavailable, true, false},
		{"encrypt", "", 502, ErrUnavailable, true, false},
		{"encrypt", "", 403, ErrBadResponse, false, false},
		{"encrypt", "InvalidTimeStamp.Expired", 400, nil, false, false},
		{"encrypt", "Some.FutureCode", 400, nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.op+"/"+tt.code+"/"+fmt.Sprint(tt.status), func(t *testing.T) {
			e := c.classify(context.Background(), tt.op, "key-1", serverError(tt.status, tt.code))
			if tt.kind != nil && !errors.Is(e, tt.kind) || tt.kind == nil && e.Kind != nil {
				t.Errorf("kind = %v, want %v", e.Kind, tt.kind)
			}
			if e.transient != tt.transient {
				t.Errorf("transient = %v, want %v", e.transient, tt.transient)
			}
			if got := errors.Is(e, envelope.ErrIncorrectIdentity); got != tt.identity {
				t.Errorf("wraps ErrIncorrectIdentity = %v, want %v", got, tt.identity)
			}
			msg := e.Error()
			if strings.Contains(msg, "secret-echo") || strings.Contains(msg, "c2VjcmV0") {
				t.Errorf("message repeats KMS's message, which may echo parameters: %s", msg)
			}
			if tt.code != "" && !strings.Contains(msg, tt.code) {
				t.Errorf("message %q does not name the code", msg)
			}
			if e.Code != "" && e.RequestID != "req-1" {
				t.Errorf("RequestID = %q", e.RequestID)
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestClassifyTransportErrors(t *testing.T) {
	c := testClient(t)
	secretURL := "https://kms.cn-hangzhou.aliyuncs.com/?Plaintext=c2VjcmV0&SecurityToken=tok&Signature=sig"
	wrap := func(err error) error { return &url.Error{Op: "Post", URL: secretURL, Err: err} }
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		ctx       context.Context
		err       error
		kind      error
		transient bool
	}{
		{"refused", context.Background(), wrap(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), ErrUnreachable, true},
		{"reset", context.Background(), wrap(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), ErrUnreachable, true},
		{"eof", context.Background(), wrap(io.EOF), ErrUnreachable, true},
		{"timeout", context.Background(), wrap(timeoutErr{}), ErrTimeout, true},
		{"deadline", context.Background(), wrap(context.DeadlineExceeded), ErrTimeout, true},
		{"no such host", context.Background(), wrap(&net.DNSError{Err: "no such host", Name: "kms.x.aliyuncs.com", IsNotFound: true}), ErrUnreachable, false},
		{"dns timeout", context.Background(), wrap(&net.DNSError{Err: "timeout", Name: "kms.x.aliyuncs.com", IsTimeout: true}), ErrTimeout, true},
		{"canceled", canceled, wrap(context.Canceled), context.Canceled, false},
		{"client error with origin", context.Background(), sdkerrors.NewClientError(sdkerrors.TimeoutErrorCode, "timed out", wrap(timeoutErr{})), ErrTimeout, true},
		{"bad json", context.Background(), sdkerrors.NewClientError(sdkerrors.JsonUnmarshalErrorCode, sdkerrors.JsonUnmarshalErrorMessage, errors.New("x")), ErrBadResponse, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := c.classify(tt.ctx, "encrypt", "key-1", tt.err)
			if !errors.Is(e, tt.kind) {
				t.Errorf("error %v is not %v", e, tt.kind)
			}
			if e.transient != tt.transient {
				t.Errorf("transient = %v, want %v", e.transient, tt.transient)
			}
			msg := e.Error()
			for _, leak := range []string{"c2VjcmV0", "tok", "Signature=sig"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message leaks the request URL (%q): %s", leak, msg)
				}
			}
			var ue *url.Error
			if errors.As(e, &ue) {
				t.Error("a *url.Error is reachable through Unwrap; its text holds the request URL")
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	c := testClient(t)
	for attempt := 1; attempt <= 12; attempt++ {
		full := DefaultRetryDelay << (attempt - 1)
		if full > maxRetryDelay || full <= 0 {
			full = maxRetryDelay
		}
		for range 50 {
			d := c.backoff(attempt)
			if d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, full/2, full)
			}
		}
	}
}
