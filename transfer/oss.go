package transfer

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// What the app and the command line do with an OSS account, as interfaces:
// the one package that speaks the OSS SDK (transfer/osssdk) implements
// them, and everything else, this package included, names no SDK type.

// Connector opens the account c describes. It makes no request: a wrong
// key shows on the first call. It fails with ErrNoCredentials when c has no
// access key, and for an endpoint CheckEndpoint refuses (Conn.Check).
type Connector func(c Conn) (Service, error)

// Service is one account on one OSS endpoint. Every call but Bucket makes
// requests; their errors are RemoteError (matching this package's
// sentinels: ErrAccessDenied, ErrBadCredentials, ErrNoSuchBucket, ...),
// CertificateError, or a network failure.
type Service interface {
	// ListBuckets returns the names of the buckets the account owns, every
	// page of them, in OSS's order (by name). Like ListPage it tries each
	// request once, so a screen waiting on it hears of a network failure
	// at once; a caller that prefers to wait runs it under a Policy.
	ListBuckets(ctx context.Context) ([]string, error)
	// CheckKey makes the cheapest request that proves the endpoint
	// answers as OSS and knows the access key: a listing of at most one
	// bucket, tried once. A key OSS knows but which may not list buckets
	// passes (its buckets may still be open to it); a wrong one fails with
	// ErrBadCredentials.
	CheckKey(ctx context.Context) error
	// CreateBucket creates a private bucket, retrying under DefaultPolicy.
	// A name OSS would refuse fails at once with ErrInvalidName.
	CreateBucket(ctx context.Context, name string) error
	// Bucket returns the store for a bucket of the account, without a
	// request. A name OSS would refuse fails at once with ErrInvalidName.
	Bucket(name string) (Bucket, error)
}

// Bucket is one bucket as the engine, the app and the command line use it.
// The Store, Lister and UploadLister methods make exactly one request per
// call (retries are Retrying's job); List, Delete and DeleteMany retry
// under DefaultPolicy themselves. An object name OSS would refuse fails at
// once with ErrInvalidName.
type Bucket interface {
	Store
	Lister
	UploadLister
	RecursiveLister
	PrefixStore
	// Name is the bucket's name.
	Name() string
	// Delete removes one object.
	Delete(ctx context.Context, key string) error
	// SignURL returns a presigned GET link to key valid for expires (at
	// least a second).
	SignURL(key string, expires time.Duration) (string, error)
	// ShareLink is SignURL for a link that a downloader verifies: an
	// object whose integrity check is kept in its tags (uploaded in
	// parts), which the link cannot read, gets them in the link's fragment
	// (after "#", which no client sends to the server). A changed fragment
	// can only make the download fail: the check is a MAC under the
	// object's data key.
	ShareLink(ctx context.Context, key string, expires time.Duration) (string, error)
}

// Entry is one line of a listing: an object, or a folder (a common prefix,
// Size 0, Key ending in "/").
type Entry struct {
	Key          string
	Size         int64
	LastModified time.Time
	Folder       bool
}

// InfoFromHeader describes key from the header of a HEAD or a GET: the
// size from Content-Range when the answer is partial, else from
// Content-Length.
func InfoFromHeader(key string, h http.Header) (ObjectInfo, error) {
	info := ObjectInfo{Key: key, ETag: h.Get("ETag"), Header: h}
	if cr := h.Get("Content-Range"); cr != "" {
		i := strings.LastIndexByte(cr, '/')
		n, err := strconv.ParseInt(cr[i+1:], 10, 64)
		if i < 0 || err != nil {
			return info, fmt.Errorf("the server sent a malformed Content-Range %q", cr)
		}
		info.Size = n
	} else {
		n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
		if err != nil {
			return info, fmt.Errorf("the server sent no object size")
		}
		info.Size = n
	}
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		info.LastModified = t
	}
	return info, nil
}
