package transfer

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/envelope"
)

// OSS is a Store on one bucket, spoken to with the official SDK v1. It makes
// exactly one request per call: retries are Retrying's job. The SDK's CRC64
// checks stay on, so a body damaged in transit fails the call (and Retrying
// sends it again).
type OSS struct {
	Bucket *oss.Bucket
}

var _ Store = (*OSS)(nil)

// NewOSS returns the Store for bucket on client.
func NewOSS(client *oss.Client, bucket string) (*OSS, error) {
	if err := checkBucketName(bucket); err != nil {
		return nil, err
	}
	b, err := client.Bucket(bucket)
	if err != nil {
		return nil, fmt.Errorf("failed to use bucket %q: %w", bucket, err)
	}
	return &OSS{Bucket: b}, nil
}

// checkBucketName refuses, as permanent, a bucket name that the SDK would
// refuse to send: retrying its refusal would only make the user wait.
func checkBucketName(name string) error {
	if oss.CheckBucketName(name) != nil {
		return Permanent(fmt.Errorf("%w: the bucket name %q must be 3 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit", ErrInvalidName, name))
	}
	return nil
}

// checkKey refuses, as permanent, an object name that the SDK would refuse
// to send.
func checkKey(key string) error {
	if oss.CheckObjectName(key) != nil {
		return Permanent(fmt.Errorf("%w: the object name is empty", ErrInvalidName))
	}
	return nil
}

func metaOptions(ctx context.Context, meta map[string]string) []oss.Option {
	opts := []oss.Option{oss.WithContext(ctx)}
	for k, v := range meta {
		opts = append(opts, oss.Meta(k, v))
	}
	return opts
}

func (s *OSS) Head(ctx context.Context, key string) (ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return ObjectInfo{}, err
	}
	h, err := s.Bucket.GetObjectDetailedMeta(key, oss.WithContext(ctx))
	if err != nil {
		return ObjectInfo{}, ossError("HeadObject", err)
	}
	return infoFromHeader(key, h)
}

func infoFromHeader(key string, h http.Header) (ObjectInfo, error) {
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

func (s *OSS) GetRange(ctx context.Context, key string, start, end int64, etag string) (io.ReadCloser, http.Header, error) {
	if err := checkKey(key); err != nil {
		return nil, nil, err
	}
	var h http.Header
	opts := []oss.Option{oss.WithContext(ctx), oss.Range(start, end), oss.GetResponseHeader(&h)}
	if etag != "" {
		opts = append(opts, oss.IfMatch(etag))
	}
	body, err := s.Bucket.GetObject(key, opts...)
	if err != nil {
		return nil, nil, ossError("GetObject", err)
	}
	return body, h, nil
}

func (s *OSS) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, meta map[string]string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	opts := append(metaOptions(ctx, meta), oss.ContentLength(size))
	if err := s.Bucket.PutObject(key, io.LimitReader(body, size), opts...); err != nil {
		return ossError("PutObject", err)
	}
	return nil
}

func (s *OSS) imur(key, uploadID string) oss.InitiateMultipartUploadResult {
	return oss.InitiateMultipartUploadResult{Bucket: s.Bucket.BucketName, Key: key, UploadID: uploadID}
}

func (s *OSS) InitiateMultipart(ctx context.Context, key string, meta map[string]string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	r, err := s.Bucket.InitiateMultipartUpload(key, metaOptions(ctx, meta)...)
	if err != nil {
		return "", ossError("InitiateMultipartUpload", err)
	}
	return r.UploadID, nil
}

func (s *OSS) UploadPart(ctx context.Context, key, uploadID string, number int, body io.ReadSeeker, size int64, meta map[string]string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	p, err := s.Bucket.UploadPart(s.imur(key, uploadID), body, size, number, metaOptions(ctx, meta)...)
	if err != nil {
		return "", ossError("UploadPart", err)
	}
	return p.ETag, nil
}

// listPartsResult is ListParts' answer including the client-side-encryption
// fields, which the SDK's own result type leaves out.
type listPartsResult struct {
	IsTruncated          bool   `xml:"IsTruncated"`
	NextPartNumberMarker string `xml:"NextPartNumberMarker"`
	Parts                []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
		Size       int64  `xml:"Size"`
	} `xml:"Part"`
	Key      string `xml:"ClientEncryptionKey"`
	Start    string `xml:"ClientEncryptionStart"`
	CEKAlg   string `xml:"ClientEncryptionCekAlg"`
	WrapAlg  string `xml:"ClientEncryptionWrapAlg"`
	DataSize string `xml:"ClientEncryptionDataSize"`
	PartSize string `xml:"ClientEncryptionPartSize"`
}

func (s *OSS) ListParts(ctx context.Context, key, uploadID string) (PartListing, error) {
	if err := checkKey(key); err != nil {
		return PartListing{}, err
	}
	var out PartListing
	marker := ""
	for {
		params := map[string]interface{}{"uploadId": uploadID}
		if marker != "" {
			params["part-number-marker"] = marker
		}
		resp, err := s.Bucket.Do("GET", key, params, []oss.Option{oss.WithContext(ctx)}, nil, nil)
		if err != nil {
			return out, ossError("ListParts", err)
		}
		var r listPartsResult
		err = xml.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if err != nil {
			return out, fmt.Errorf("ListParts: failed to read the answer: %w", err)
		}
		for _, p := range r.Parts {
			out.Parts = append(out.Parts, Part{Number: p.PartNumber, ETag: p.ETag, Size: p.Size})
		}
		if out.Meta == nil {
			out.Meta = map[string]string{}
			for k, v := range map[string]string{
				"client-side-encryption-key":       r.Key,
				"client-side-encryption-start":     r.Start,
				"client-side-encryption-cek-alg":   r.CEKAlg,
				"client-side-encryption-wrap-alg":  r.WrapAlg,
				"client-side-encryption-data-size": r.DataSize,
				"client-side-encryption-part-size": r.PartSize,
			} {
				if v != "" {
					out.Meta[k] = v
				}
			}
		}
		if !r.IsTruncated || r.NextPartNumberMarker == "" || r.NextPartNumberMarker == marker {
			return out, nil
		}
		marker = r.NextPartNumberMarker
	}
}

func (s *OSS) CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error {
	if err := checkKey(key); err != nil {
		return err
	}
	up := make([]oss.UploadPart, len(parts))
	for i, p := range parts {
		up[i] = oss.UploadPart{PartNumber: p.Number, ETag: p.ETag}
	}
	if _, err := s.Bucket.CompleteMultipartUpload(s.imur(key, uploadID), up, oss.WithContext(ctx)); err != nil {
		return ossError("CompleteMultipartUpload", err)
	}
	return nil
}

func (s *OSS) AbortMultipart(ctx context.Context, key, uploadID string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := s.Bucket.AbortMultipartUpload(s.imur(key, uploadID), oss.WithContext(ctx)); err != nil {
		return ossError("AbortMultipartUpload", err)
	}
	return nil
}

var _ UploadLister = (*OSS)(nil)

// ListUploads lists the bucket's unfinished multipart uploads, 1000 a
// page.
func (s *OSS) ListUploads(ctx context.Context, fn func(UnfinishedUpload) error) error {
	keyMarker, idMarker := "", ""
	for {
		res, err := s.Bucket.ListMultipartUploads(oss.WithContext(ctx), oss.KeyMarker(keyMarker), oss.UploadIDMarker(idMarker), oss.MaxUploads(1000))
		if err != nil {
			return ossError("ListMultipartUploads", err)
		}
		for _, u := range res.Uploads {
			if err := fn(UnfinishedUpload{Key: u.Key, UploadID: u.UploadID, Initiated: u.Initiated}); err != nil {
				return err
			}
		}
		if !res.IsTruncated || (res.NextKeyMarker == keyMarker && res.NextUploadIDMarker == idMarker) {
			return nil
		}
		keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}

func (s *OSS) GetTagging(ctx context.Context, key string) (map[string]string, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	r, err := s.Bucket.GetObjectTagging(key, oss.WithContext(ctx))
	if err != nil {
		return nil, ossError("GetObjectTagging", err)
	}
	tags := make(map[string]string, len(r.Tags))
	for _, t := range r.Tags {
		tags[t.Key] = t.Value
	}
	return tags, nil
}

func (s *OSS) PutTagging(ctx context.Context, key string, tags map[string]string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	var tg oss.Tagging
	for k, v := range tags {
		tg.Tags = append(tg.Tags, oss.Tag{Key: k, Value: v})
	}
	if err := s.Bucket.PutObjectTagging(key, tg, oss.WithContext(ctx)); err != nil {
		return ossError("PutObjectTagging", err)
	}
	return nil
}

// Entry is one line of a listing: an object, or a folder (a common prefix,
// Size 0, Key ending in "/").
type Entry struct {
	Key          string
	Size         int64
	LastModified time.Time
	Folder       bool
}

// List lists the objects and folders directly under prefix (delimiter "/"),
// or every object under it when recursive.
func (s *OSS) List(ctx context.Context, prefix string, recursive bool, fn func(Entry) error) error {
	token := ""
	for {
		opts := []oss.Option{oss.WithContext(ctx), oss.Prefix(prefix), oss.MaxKeys(1000)}
		if !recursive {
			opts = append(opts, oss.Delimiter("/"))
		}
		if token != "" {
			opts = append(opts, oss.ContinuationToken(token))
		}
		var r oss.ListObjectsResultV2
		err := DefaultPolicy.Do(ctx, func() (err error) {
			r, err = s.Bucket.ListObjectsV2(opts...)
			return ossError("ListObjectsV2", err)
		})
		if err != nil {
			return err
		}
		for _, p := range r.CommonPrefixes {
			if err := fn(Entry{Key: p, Folder: true}); err != nil {
				return err
			}
		}
		for _, o := range r.Objects {
			if err := fn(Entry{Key: o.Key, Size: o.Size, LastModified: o.LastModified}); err != nil {
				return err
			}
		}
		if !r.IsTruncated || r.NextContinuationToken == "" {
			return nil
		}
		token = r.NextContinuationToken
	}
}

// Delete removes one object.
func (s *OSS) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	return DefaultPolicy.Do(ctx, func() error {
		return ossError("DeleteObject", s.Bucket.DeleteObject(key, oss.WithContext(ctx)))
	})
}

// DeleteMany removes up to 1,000 objects in one request and returns the
// keys it deleted.
func (s *OSS) DeleteMany(ctx context.Context, keys []string) ([]string, error) {
	var r oss.DeleteObjectsResult
	err := DefaultPolicy.Do(ctx, func() (err error) {
		r, err = s.Bucket.DeleteObjects(keys, oss.WithContext(ctx))
		return ossError("DeleteMultipleObjects", err)
	})
	return r.DeletedObjects, err
}

// SignURL returns a presigned GET link to key valid for expires.
func (s *OSS) SignURL(key string, expires time.Duration) (string, error) {
	secs := int64(expires / time.Second)
	if secs < 1 {
		return "", fmt.Errorf("the expiry must be at least one second")
	}
	u, err := s.Bucket.SignURL(key, oss.HTTPGet, secs)
	if err != nil {
		return "", fmt.Errorf("failed to sign a link: %w", err)
	}
	return u, nil
}

// ShareLink is SignURL for a link that a downloader verifies: an object
// whose integrity check is kept in its tags (uploaded in parts), which
// the link cannot read, gets them in the link's fragment (after "#",
// which no client sends to the server). A changed fragment can only make
// the download fail: the check is a MAC under the object's data key.
func (s *OSS) ShareLink(ctx context.Context, key string, expires time.Duration) (string, error) {
	link, err := s.SignURL(key, expires)
	if err != nil {
		return "", err
	}
	h, err := s.Bucket.GetObjectDetailedMeta(key, oss.WithContext(ctx))
	if err != nil {
		return "", ossError("HeadObject", err)
	}
	env, err := envelope.ParseHeader(h)
	if err != nil || !env.TrailersInTags {
		return link, nil
	}
	tags, err := s.GetTagging(ctx, key)
	if err != nil {
		return "", err
	}
	frag := url.Values{}
	for _, name := range envelope.TrailerHeaders {
		if v, ok := tags[name]; ok {
			frag.Set(name, v)
		}
	}
	if len(frag) == 0 {
		return link, nil
	}
	return link + "#" + frag.Encode(), nil
}

// ossError turns an SDK error into a RemoteError (which matches the
// package's sentinels), keeping every other error as it is.
func ossError(op string, err error) error {
	if err == nil {
		return nil
	}
	var se oss.ServiceError
	if errors.As(err, &se) {
		return &RemoteError{Op: op, Status: se.StatusCode, Code: se.Code, Message: se.Message}
	}
	var sep *oss.ServiceError
	if errors.As(err, &sep) {
		return &RemoteError{Op: op, Status: sep.StatusCode, Code: sep.Code, Message: sep.Message}
	}
	var ue oss.UnexpectedStatusCodeError
	if errors.As(err, &ue) {
		return &RemoteError{Op: op, Status: ue.Got()}
	}
	return netError(op, err)
}

// CreateBucket creates a private bucket.
func CreateBucket(ctx context.Context, client *oss.Client, name string) error {
	if err := checkBucketName(name); err != nil {
		return err
	}
	return DefaultPolicy.Do(ctx, func() error {
		return ossError("PutBucket", client.CreateBucket(name, oss.WithContext(ctx)))
	})
}
