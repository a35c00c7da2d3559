package transfer

import "errors"

// Sentinel errors for outcomes callers act on. Match them with errors.Is.
var (
	// ErrAccessDenied: the credentials are wrong or lack the permission.
	ErrAccessDenied = errors.New("access denied: check the account's access key and its permissions")
	// ErrBadCredentials: OSS does not know the access key, or the secret or
	// the security token does not match it (or expired). Such an error
	// matches ErrAccessDenied too; this one tells a wrong key from a key
	// without the permission.
	ErrBadCredentials = errors.New("the access key ID, secret or security token is not right")
	// ErrNoCredentials: a Conn without an access key ID and secret.
	ErrNoCredentials = errors.New("no OSS credentials")
	// ErrClockSkewed: OSS refused the request because this computer's
	// clock is too far from the right time.
	ErrClockSkewed = errors.New("this computer's clock is wrong")
	// ErrNoSuchBucket: the bucket does not exist.
	ErrNoSuchBucket = errors.New("the bucket does not exist")
	// ErrNoSuchObject: the object does not exist.
	ErrNoSuchObject = errors.New("the object does not exist")
	// ErrNoSuchUpload: the multipart upload was completed or aborted.
	ErrNoSuchUpload = errors.New("the unfinished upload no longer exists")
	// ErrSourceChanged: a file changed while it was being uploaded, or an
	// object changed while it was being downloaded.
	ErrSourceChanged = errors.New("the source changed during the transfer")
	// ErrDiskFull: the destination disk has no room for the download.
	ErrDiskFull = errors.New("the destination disk is full")
	// ErrStorageFull: the storage service (a local store's disk) has no
	// room for what is uploaded. It is tried briefly, and the upload is
	// kept for a resume once space is freed.
	ErrStorageFull = errors.New("the storage has no space left")
	// ErrDamaged: the storage's copy of the object is damaged (a local
	// store's file was altered on its disk); reading it cannot succeed.
	ErrDamaged = errors.New("the stored copy of the object is damaged")
	// ErrCertificate: the endpoint's TLS certificate did not verify
	// (CertificateError says why).
	ErrCertificate = errors.New("the storage service's certificate is not trusted")
	// ErrInvalidName: a bucket or object name that OSS does not accept.
	ErrInvalidName = errors.New("the name is not valid")
	// ErrResumable: a transfer stopped on a failure that may pass (the
	// network, the storage service, a full storage) and kept what it had
	// done in the journal; running it again resumes where it stopped.
	ErrResumable = errors.New("the transfer can be resumed")
	// ErrExists: the destination already holds a different file.
	ErrExists = errors.New("the destination already exists")
	// ErrStalled: no byte moved for longer than the stall timeout.
	ErrStalled = errors.New("the transfer made no progress for too long")
	// ErrLinkExpired: a shared link's signature has expired.
	ErrLinkExpired = errors.New("the link has expired; ask for a new one")
	// ErrPaused is the cause of a job's context when it was paused: its
	// journal and partial data are kept for a later resume.
	ErrPaused = errors.New("the transfer was paused")
	// ErrCanceled is the cause of a job's context when it was canceled: its
	// journal, partial data and unfinished upload are removed.
	ErrCanceled = errors.New("the transfer was canceled")
	// ErrPlainHTTP: a plain-http connection or redirect would have left
	// this computer, or a redirect would have dropped from https to http.
	ErrPlainHTTP = errors.New("plain http is only allowed to this computer (127.0.0.1, ::1, localhost); use https")
	// ErrNotEnded: Queue.Remove was asked for a job that is queued,
	// running or paused; cancel it first.
	ErrNotEnded = errors.New("the transfer has not ended")
)

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err so that Retrying does not retry it.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}
