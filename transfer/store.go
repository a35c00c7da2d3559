package transfer

import (
	"context"
	"io"
	"net/http"
	"time"
)

// ObjectInfo describes one stored object version.
type ObjectInfo struct {
	Key          string
	Size         int64
	ETag         string
	LastModified time.Time
	// Header is the full response header of the HEAD (or first GET): the
	// envelope lives in its x-oss-meta-* fields.
	Header http.Header
}

// Part is one uploaded part of a multipart upload.
type Part struct {
	Number int    `json:"n"`
	ETag   string `json:"etag"`
	Size   int64  `json:"size"`
}

// PartListing is what ListParts reports about an unfinished upload.
type PartListing struct {
	Parts []Part
	// Meta holds the client-side-encryption fields the server returned,
	// keyed like envelope.Meta ("client-side-encryption-key", ...). It is
	// empty when the server returns none.
	Meta map[string]string
}

// Reader is the read half of a store: enough to download one object.
//
// Errors match the package's sentinels (ErrNoSuchObject, ErrAccessDenied,
// ErrNoSuchBucket, ErrSourceChanged for a failed If-Match, ErrLinkExpired);
// any other error is treated as transient by Retrying unless it is marked
// with Permanent.
type Reader interface {
	// Head describes the current version of key.
	Head(ctx context.Context, key string) (ObjectInfo, error)
	// GetRange returns the bytes start..end (inclusive) of key. With a
	// non-empty etag the read is pinned to that version and fails with
	// ErrSourceChanged when the object changed. The returned header carries
	// Content-Range, from which the caller takes the real offset: a server
	// may ignore the range and answer with the whole object.
	GetRange(ctx context.Context, key string, start, end int64, etag string) (io.ReadCloser, http.Header, error)
	// GetTagging returns the tags of key's current version, where a
	// multipart object keeps its integrity MAC (envelope.TrailerHeaders).
	GetTagging(ctx context.Context, key string) (map[string]string, error)
}

// Writer is the write half of a store: enough to upload one object. Every
// body is an io.ReadSeeker so that a retry can rewind it and resend
// identical bytes.
type Writer interface {
	Put(ctx context.Context, key string, body io.ReadSeeker, size int64, meta map[string]string) error
	InitiateMultipart(ctx context.Context, key string, meta map[string]string) (uploadID string, err error)
	UploadPart(ctx context.Context, key, uploadID string, number int, body io.ReadSeeker, size int64, meta map[string]string) (etag string, err error)
	// ListParts fails with ErrNoSuchUpload when the upload is gone.
	ListParts(ctx context.Context, key, uploadID string) (PartListing, error)
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error
	AbortMultipart(ctx context.Context, key, uploadID string) error
	// PutTagging replaces the tags of key, after CompleteMultipart.
	PutTagging(ctx context.Context, key string, tags map[string]string) error
}

// Store is a bucket an upload or a download talks to.
type Store interface {
	Reader
	Writer
}

// noOverwrite is the context key of WithNoOverwrite.
type noOverwrite struct{}

// WithNoOverwrite marks the writes made under ctx as not to replace an
// object: a Writer's Put and CompleteMultipart then fail with an error
// matching ErrExists when their key is taken (OSS's x-oss-forbid-overwrite,
// checked by the server itself, so nothing written in between is lost to
// a race with a check made first). InitiateMultipart carries it too, so
// that an upload to a taken name fails before any part is sent.
func WithNoOverwrite(ctx context.Context) context.Context {
	return context.WithValue(ctx, noOverwrite{}, true)
}

// NoOverwrite reports whether ctx came from WithNoOverwrite; Writers use
// it.
func NoOverwrite(ctx context.Context) bool {
	v, _ := ctx.Value(noOverwrite{}).(bool)
	return v
}
