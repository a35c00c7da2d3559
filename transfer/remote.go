package transfer

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
)

// RemoteError is an error response from the object store, classified. It
// matches the package's sentinels with errors.Is (ErrAccessDenied for a
// 403, ...), and Temporary tells Retrying whether another attempt can help.
type RemoteError struct {
	Op     string // the OSS API name, e.g. "UploadPart"
	Status int    // HTTP status
	Code   string // OSS error code, e.g. "NoSuchKey"; may be empty
	// Message is the server's own text; it never carries a secret.
	Message string
}

func (e *RemoteError) Error() string {
	var plain string
	if s := e.sentinel(); s != nil {
		plain = s.Error()
	} else {
		plain = "the storage service refused the request"
	}
	detail := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != "" {
		detail += " " + e.Code
	}
	return fmt.Sprintf("%s: %s (%s)", e.Op, plain, detail)
}

// Is matches the sentinel the status and code stand for.
func (e *RemoteError) Is(target error) bool {
	s := e.sentinel()
	return s != nil && s == target
}

func (e *RemoteError) sentinel() error {
	switch e.Code {
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "SecurityTokenExpired", "InvalidSecurityToken":
		return ErrAccessDenied
	case "NoSuchBucket":
		return ErrNoSuchBucket
	case "NoSuchKey":
		return ErrNoSuchObject
	case "NoSuchUpload":
		return ErrNoSuchUpload
	case "PreconditionFailed":
		return ErrSourceChanged
	}
	switch e.Status {
	case http.StatusForbidden, http.StatusUnauthorized:
		return ErrAccessDenied
	case http.StatusNotFound:
		return ErrNoSuchObject
	case http.StatusPreconditionFailed:
		return ErrSourceChanged
	}
	return nil
}

// Temporary reports whether the same request may succeed later: server
// errors, throttling and request timeouts.
func (e *RemoteError) Temporary() bool {
	switch e.Code {
	case "RequestTimeout", "InternalError", "ServiceUnavailable", "SlowDown", "Throttling", "RequestTimeTooSkewed":
		return true
	}
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout
}

// isTemporary reports whether err is worth another attempt. Unknown errors
// (resets, timeouts, truncated bodies, checksum mismatches) are: a flaky
// office line produces every kind of low-level failure, and the attempt
// budget bounds the cost of guessing wrong.
func isTemporary(err error) bool {
	var pe *permanentError
	if errors.As(err, &pe) {
		return false
	}
	var re *RemoteError
	if errors.As(err, &re) {
		return re.Temporary()
	}
	if refusedOnLoopback(err) {
		return false
	}
	for _, s := range []error{ErrAccessDenied, ErrNoSuchBucket, ErrNoSuchObject, ErrNoSuchUpload,
		ErrSourceChanged, ErrDiskFull, ErrExists, ErrLinkExpired, ErrPlainHTTP, ErrPaused, ErrCanceled} {
		if errors.Is(err, s) {
			return false
		}
	}
	return true
}

// refusedOnLoopback reports a connection refused by this very computer:
// nothing listens there (a local store or an app that is closed), and
// waiting through a minute of retries will not start it. Refusals from
// other hosts stay temporary: a server behind a load balancer may come back.
func refusedOnLoopback(err error) bool {
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Addr == nil {
		return false
	}
	if ta, ok := oe.Addr.(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	host, _, err := net.SplitHostPort(oe.Addr.String())
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}
