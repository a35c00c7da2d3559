package transfer

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
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

// Is matches the sentinel the status and code stand for, and
// ErrBadCredentials for a wrong key, which is also ErrAccessDenied (and
// worded so).
func (e *RemoteError) Is(target error) bool {
	if s := e.sentinel(); s != nil && s == target {
		return true
	}
	return target == ErrBadCredentials && isCredentialCode(e.Code)
}

// isCredentialCode reports the OSS error codes of a key that is wrong,
// rather than one lacking a permission.
func isCredentialCode(code string) bool {
	switch code {
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "SecurityTokenExpired", "InvalidSecurityToken":
		return true
	}
	return false
}

func (e *RemoteError) sentinel() error {
	if isCredentialCode(e.Code) {
		return ErrAccessDenied
	}
	switch e.Code {
	case "AccessDenied":
		return ErrAccessDenied
	case "RequestTimeTooSkewed":
		// A 403, but no permission can cure it: "access denied" would
		// send the user to check a key that is right.
		return ErrClockSkewed
	case "NoSuchBucket":
		return ErrNoSuchBucket
	case "NoSuchKey":
		return ErrNoSuchObject
	case "NoSuchUpload":
		return ErrNoSuchUpload
	case "PreconditionFailed":
		return ErrSourceChanged
	case "FileAlreadyExists":
		return ErrExists
	case "InsufficientStorage":
		return ErrStorageFull
	case "ObjectDamaged":
		return ErrDamaged
	case "InvalidBucketName", "InvalidObjectName":
		return ErrInvalidName
	}
	switch e.Status {
	case http.StatusForbidden, http.StatusUnauthorized:
		return ErrAccessDenied
	case http.StatusNotFound:
		return ErrNoSuchObject
	case http.StatusPreconditionFailed:
		return ErrSourceChanged
	case http.StatusInsufficientStorage:
		return ErrStorageFull
	}
	return nil
}

// Temporary reports whether the same request may succeed later: server
// errors, throttling and request timeouts. A damaged stored copy does not
// mend by itself, whatever status the server gave it.
func (e *RemoteError) Temporary() bool {
	switch e.Code {
	case "ObjectDamaged":
		return false
	case "RequestTimeout", "InternalError", "ServiceUnavailable", "SlowDown", "Throttling", "RequestTimeTooSkewed":
		return true
	}
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout
}

// isTemporary reports whether err is worth another attempt. Unknown errors
// (resets, refused or timed-out connections, truncated bodies, checksum
// mismatches) are: a flaky office line or a local store being restarted
// produces every kind of low-level failure, and the policy's window bounds
// the cost of guessing wrong. What no wait can change fails at once: the
// server's own refusals (RemoteError), a certificate this computer does not
// trust, a name the SDK refuses to send.
func isTemporary(err error) bool {
	var pe *permanentError
	if errors.As(err, &pe) {
		return false
	}
	var re *RemoteError
	if errors.As(err, &re) {
		return re.Temporary()
	}
	if certificateProblem(err) != "" {
		return false
	}
	for _, s := range []error{ErrAccessDenied, ErrNoCredentials, ErrNoSuchBucket, ErrNoSuchObject, ErrNoSuchUpload,
		ErrSourceChanged, ErrDiskFull, ErrExists, ErrLinkExpired, ErrPlainHTTP, ErrPaused, ErrCanceled,
		ErrCertificate, ErrInvalidName, ErrDamaged} {
		if errors.Is(err, s) {
			return false
		}
	}
	return true
}

// resumable reports whether a transfer that failed with err is worth
// keeping for a later run: the failure may pass (the network, the storage
// service, a full storage), so what was sent or fetched should not be
// thrown away.
func resumable(err error) bool {
	return isTemporary(err) || errors.Is(err, ErrStorageFull)
}

// keptForResume marks err, after which a transfer's journal was kept, as
// ErrResumable.
func keptForResume(err error) error {
	if err == nil || errors.Is(err, ErrResumable) {
		return err
	}
	return fmt.Errorf("%w; %w", err, ErrResumable)
}

// CertificateError is an endpoint whose TLS certificate did not verify:
// retrying cannot fix it, and "cannot connect" would send the user to check
// a network that works.
type CertificateError struct {
	Op     string // the OSS API name, e.g. "HeadObject"
	Reason string // what is wrong, in plain words
	Err    error  // the TLS library's error
}

func (e *CertificateError) Error() string {
	detail := e.Err.Error()
	var x *tls.CertificateVerificationError
	if errors.As(e.Err, &x) && x.Err != nil {
		detail = x.Err.Error()
	}
	return fmt.Sprintf("%s: the storage service's certificate %s (%s)", e.Op, e.Reason, detail)
}

func (e *CertificateError) Unwrap() error { return e.Err }

// Is matches ErrCertificate.
func (e *CertificateError) Is(target error) bool { return target == ErrCertificate }

// certificateProblem says in plain words what is wrong with the
// certificate err complains about, or "" when err is no certificate error.
func certificateProblem(err error) string {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var sr x509.SystemRootsError
	var ve *tls.CertificateVerificationError
	switch {
	case errors.As(err, &ua):
		return "is not trusted on this computer: it is self-signed or issued by an authority this computer does not know"
	case errors.As(err, &he):
		return fmt.Sprintf("is not made out to %s: check the endpoint's address", he.Host)
	case errors.As(err, &ci):
		if ci.Reason == x509.Expired {
			return "has expired or is not valid yet: check this computer's clock, or ask the service's administrator to renew it"
		}
		return "is not valid for this use"
	case errors.As(err, &sr):
		return "cannot be checked: this computer has no trusted certificate authorities"
	case errors.As(err, &ve):
		return "did not verify"
	}
	return ""
}

// NetError words a failure to reach the storage service for op: a
// certificate problem plainly and as permanent, anything else as it is.
func NetError(op string, err error) error {
	if reason := certificateProblem(err); reason != "" {
		return &CertificateError{Op: op, Reason: reason, Err: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}
