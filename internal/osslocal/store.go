package osslocal

import (
	"errors"
	"io"
	"strings"
	"time"
)

// Sentinel errors a Store returns for outcomes the server turns into OSS
// error codes. Stores wrap them with context; match them with errors.Is.
var (
	ErrNoSuchBucket     = errors.New("the bucket does not exist")
	ErrBucketExists     = errors.New("the bucket already exists")
	ErrBucketNotEmpty   = errors.New("the bucket is not empty")
	ErrNoSuchKey        = errors.New("the object does not exist")
	ErrNoSuchUpload     = errors.New("the multipart upload does not exist")
	ErrBadDigest        = errors.New("the content does not match its Content-MD5")
	ErrInvalidPart      = errors.New("a listed part was not uploaded or its ETag does not match")
	ErrInvalidPartOrder = errors.New("the parts are not listed in ascending order")
	ErrEntityTooSmall   = errors.New("a part other than the last is smaller than the minimum part size")
	ErrTooManyParts     = errors.New("more parts than the client-side-encryption data size allows")
	// ErrDamaged: the stored copy of an object cannot be read whole (a
	// DiskStore file altered or cut short on its disk).
	ErrDamaged = errors.New("the stored copy of the object is damaged")
)

// MinPartSize is the smallest size OSS accepts for every part but the last
// of a multipart upload.
const MinPartSize = 100 << 10

// Meta holds an object's stored HTTP metadata: the standard headers OSS keeps
// (content-type, content-disposition, cache-control, content-encoding,
// content-language, expires) and user metadata (x-oss-meta-*). Names are
// lower case.
type Meta map[string]string

// Clone returns a copy of m.
func (m Meta) Clone() Meta {
	c := make(Meta, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name    string
	Created time.Time
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key  string
	Size int64
	// ETag is the unquoted ETag: upper-case MD5 hex for a PUT, OSS's
	// "<MD5 of the part MD5s>-<parts>" for a multipart object.
	ETag string
	// CRC64 is the CRC-64/ECMA-182 of the whole content, as the SDKs
	// compute it.
	CRC64        uint64
	LastModified time.Time
	// Multipart is true for objects made by CompleteMultipartUpload.
	Multipart bool
	Meta      Meta
	// Damaged marks a listed object whose stored copy cannot be read
	// (ErrDamaged); only Key and LastModified are known.
	Damaged bool
}

// Object is an open object: a consistent snapshot of its content and
// metadata even if the key is overwritten while it is being read.
type Object interface {
	io.ReaderAt
	io.Closer
	Info() ObjectInfo
}

// PutOptions qualify a write.
type PutOptions struct {
	// ContentMD5, when set, is the MD5 the content must have. On mismatch
	// nothing is stored and the write fails with ErrBadDigest.
	ContentMD5 []byte
}

// UploadInfo describes an unfinished multipart upload.
type UploadInfo struct {
	Bucket    string
	Key       string
	UploadID  string
	Initiated time.Time
	// Meta is given at initiation; it becomes the object's metadata.
	Meta Meta
}

// PartInfo describes one uploaded part.
type PartInfo struct {
	Number       int
	Size         int64
	ETag         string // unquoted, upper-case MD5 hex
	MD5          []byte
	CRC64        uint64
	LastModified time.Time
}

// CompletePart is one entry of a CompleteMultipartUpload request.
type CompletePart struct {
	Number int
	ETag   string // as sent by the client; quotes and case are ignored
}

// ListQuery selects a page of a bucket's keys, with OSS's semantics.
type ListQuery struct {
	Prefix    string
	Delimiter string
	// After: only keys (and common prefixes) strictly greater are listed
	// (OSS's marker, start-after, or the decoded continuation token).
	After   string
	MaxKeys int
}

// ListPage is one page of a listing.
type ListPage struct {
	Objects        []ObjectInfo // Meta is not filled in
	CommonPrefixes []string
	IsTruncated    bool
	// NextAfter is the last key or common prefix in this page.
	NextAfter string
}

// Store keeps buckets, objects and unfinished multipart uploads. All methods
// are safe for concurrent use. Object keys are arbitrary byte strings (the
// server enforces OSS's naming rules); a Store must keep any key without
// letting it address anything outside its own storage.
//
// Writes are all-or-nothing: a reader sees either the previous object or the
// whole new one, and when several writers race for one key the last to
// finish wins, as on OSS.
type Store interface {
	CreateBucket(name string) error // ErrBucketExists
	// DeleteBucket fails with ErrBucketNotEmpty while the bucket holds
	// objects or unfinished uploads.
	DeleteBucket(name string) error
	Bucket(name string) (BucketInfo, error)
	// Buckets lists every bucket sorted by name.
	Buckets() ([]BucketInfo, error)

	// PutObject stores body under key. It reads body to io.EOF; any read
	// error aborts the write and leaves the previous object in place.
	PutObject(bucket, key string, meta Meta, body io.Reader, opts PutOptions) (ObjectInfo, error)
	// OpenObject opens an object for reading (ErrNoSuchKey if absent).
	OpenObject(bucket, key string) (Object, error)
	// DeleteObject removes an object; deleting an absent key is not an
	// error (OSS answers 204 either way).
	DeleteObject(bucket, key string) error
	// ListObjects returns a page of objects in key order.
	ListObjects(bucket string, q ListQuery) (ListPage, error)
	// PutTagging replaces the tags of the object's current version
	// (removes them when tags is empty); ErrNoSuchKey when absent.
	PutTagging(bucket, key string, tags Tags) error
	// Tagging returns the tags of the object's current version.
	Tagging(bucket, key string) (Tags, error)

	CreateUpload(bucket, key string, meta Meta) (UploadInfo, error)
	// PutPart stores (or replaces) part number n of an upload.
	PutPart(bucket, uploadID string, n int, body io.Reader, opts PutOptions) (PartInfo, error)
	// Upload returns an upload and its parts sorted by number.
	Upload(bucket, uploadID string) (UploadInfo, []PartInfo, error)
	// CompleteUpload joins the listed parts into the object, checking them
	// with CheckComplete, and removes the upload.
	CompleteUpload(bucket, uploadID string, parts []CompletePart) (ObjectInfo, error)
	AbortUpload(bucket, uploadID string) error
	// Uploads lists a bucket's unfinished uploads sorted by key, then by
	// upload ID.
	Uploads(bucket string) ([]UploadInfo, error)
}

// CheckComplete validates a CompleteMultipartUpload request against the
// uploaded parts as OSS does and returns the parts to join in order and the
// resulting object's size, ETag and CRC-64. Stores call it while holding the
// upload's lock.
func CheckComplete(upload UploadInfo, have []PartInfo, want []CompletePart) ([]PartInfo, ObjectInfo, error) {
	if len(want) == 0 {
		return nil, ObjectInfo{}, ErrInvalidPart
	}
	byNum := make(map[int]PartInfo, len(have))
	for _, p := range have {
		byNum[p.Number] = p
	}
	out := make([]PartInfo, 0, len(want))
	for i, w := range want {
		if i > 0 && w.Number <= want[i-1].Number {
			return nil, ObjectInfo{}, ErrInvalidPartOrder
		}
		p, ok := byNum[w.Number]
		if !ok || !strings.EqualFold(strings.Trim(w.ETag, `"`), p.ETag) {
			return nil, ObjectInfo{}, ErrInvalidPart
		}
		out = append(out, p)
	}
	for _, p := range out[:len(out)-1] {
		if p.Size < MinPartSize {
			return nil, ObjectInfo{}, ErrEntityTooSmall
		}
	}
	if err := checkCSEPartCount(upload.Meta, len(out)); err != nil {
		return nil, ObjectInfo{}, err
	}
	info := ObjectInfo{Key: upload.Key, Multipart: true, Meta: upload.Meta.Clone()}
	md5s := make([][]byte, len(out))
	for i, p := range out {
		info.CRC64 = crc64Combine(info.CRC64, p.CRC64, p.Size)
		info.Size += p.Size
		md5s[i] = p.MD5
	}
	info.ETag = multipartETag(md5s)
	return out, info, nil
}
