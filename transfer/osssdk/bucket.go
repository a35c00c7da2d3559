package osssdk

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// bucket is a transfer.Bucket over the SDK. b checks the SDK's CRC-64 of
// every body it sends or reads whole; raw, the same bucket on a client with
// that check off, sends the bodies of Put and UploadPart, whose CRC-64 the
// adapter computes itself, faster, and compares the same way (crc.go).
type bucket struct {
	b   *oss.Bucket
	raw *oss.Bucket
}

var _ transfer.Bucket = (*bucket)(nil)

func (s *bucket) Name() string { return s.b.BucketName }

// checkBucketName refuses, as permanent, a bucket name that the SDK would
// refuse to send: retrying its refusal would only make the user wait.
func checkBucketName(name string) error {
	if oss.CheckBucketName(name) != nil {
		return transfer.Permanent(fmt.Errorf("%w: the bucket name %q must be 3 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit", transfer.ErrInvalidName, name))
	}
	return nil
}

// checkKey refuses, as permanent, an object name that the SDK would refuse
// to send.
func checkKey(key string) error {
	if oss.CheckObjectName(key) != nil {
		return transfer.Permanent(fmt.Errorf("%w: the object name is empty", transfer.ErrInvalidName))
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

// newObjectOptions are metaOptions for the requests that make an object
// (PutObject, InitiateMultipartUpload, CompleteMultipartUpload), with
// x-oss-forbid-overwrite when ctx asks for it (transfer.WithNoOverwrite).
func newObjectOptions(ctx context.Context, meta map[string]string) []oss.Option {
	opts := metaOptions(ctx, meta)
	if transfer.NoOverwrite(ctx) {
		opts = append(opts, oss.ForbidOverWrite(true))
	}
	return opts
}

func (s *bucket) Head(ctx context.Context, key string) (transfer.ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return transfer.ObjectInfo{}, err
	}
	h, err := s.b.GetObjectDetailedMeta(key, oss.WithContext(ctx))
	if err != nil {
		return transfer.ObjectInfo{}, remoteError("HeadObject", err)
	}
	return transfer.InfoFromHeader(key, h)
}

func (s *bucket) GetRange(ctx context.Context, key string, start, end int64, etag string) (io.ReadCloser, http.Header, error) {
	if err := checkKey(key); err != nil {
		return nil, nil, err
	}
	var h http.Header
	opts := []oss.Option{oss.WithContext(ctx), oss.Range(start, end), oss.GetResponseHeader(&h)}
	if etag != "" {
		opts = append(opts, oss.IfMatch(etag))
	}
	body, err := s.b.GetObject(key, opts...)
	if err != nil {
		return nil, nil, remoteError("GetObject", err)
	}
	return body, h, nil
}

func (s *bucket) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, meta map[string]string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	var h http.Header
	sum := &crcBody{r: body}
	opts := append(newObjectOptions(ctx, meta), oss.ContentLength(size), oss.GetResponseHeader(&h))
	if err := s.raw.PutObject(key, io.LimitReader(sum, size), opts...); err != nil {
		return remoteError("PutObject", err)
	}
	return sum.check("PutObject", h)
}

func (s *bucket) imur(key, uploadID string) oss.InitiateMultipartUploadResult {
	return oss.InitiateMultipartUploadResult{Bucket: s.b.BucketName, Key: key, UploadID: uploadID}
}

func (s *bucket) InitiateMultipart(ctx context.Context, key string, meta map[string]string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	r, err := s.b.InitiateMultipartUpload(key, newObjectOptions(ctx, meta)...)
	if err != nil {
		return "", remoteError("InitiateMultipartUpload", err)
	}
	return r.UploadID, nil
}

func (s *bucket) UploadPart(ctx context.Context, key, uploadID string, number int, body io.ReadSeeker, size int64, meta map[string]string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	var h http.Header
	sum := &crcBody{r: body}
	p, err := s.raw.UploadPart(s.imur(key, uploadID), sum, size, number, append(metaOptions(ctx, meta), oss.GetResponseHeader(&h))...)
	if err != nil {
		return "", remoteError("UploadPart", err)
	}
	if err := sum.check("UploadPart", h); err != nil {
		return "", err
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

func (s *bucket) ListParts(ctx context.Context, key, uploadID string) (transfer.PartListing, error) {
	if err := checkKey(key); err != nil {
		return transfer.PartListing{}, err
	}
	var out transfer.PartListing
	marker := ""
	for {
		params := map[string]interface{}{"uploadId": uploadID}
		if marker != "" {
			params["part-number-marker"] = marker
		}
		resp, err := s.b.Do("GET", key, params, []oss.Option{oss.WithContext(ctx)}, nil, nil)
		if err != nil {
			return out, remoteError("ListParts", err)
		}
		var r listPartsResult
		err = xml.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if err != nil {
			return out, fmt.Errorf("ListParts: failed to read the answer: %w", err)
		}
		for _, p := range r.Parts {
			out.Parts = append(out.Parts, transfer.Part{Number: p.PartNumber, ETag: p.ETag, Size: p.Size})
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

func (s *bucket) CompleteMultipart(ctx context.Context, key, uploadID string, parts []transfer.Part) error {
	if err := checkKey(key); err != nil {
		return err
	}
	up := make([]oss.UploadPart, len(parts))
	for i, p := range parts {
		up[i] = oss.UploadPart{PartNumber: p.Number, ETag: p.ETag}
	}
	if _, err := s.b.CompleteMultipartUpload(s.imur(key, uploadID), up, newObjectOptions(ctx, nil)...); err != nil {
		return remoteError("CompleteMultipartUpload", err)
	}
	return nil
}

func (s *bucket) AbortMultipart(ctx context.Context, key, uploadID string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := s.b.AbortMultipartUpload(s.imur(key, uploadID), oss.WithContext(ctx)); err != nil {
		return remoteError("AbortMultipartUpload", err)
	}
	return nil
}

// ListUploads lists the bucket's unfinished multipart uploads, 1000 a
// page.
func (s *bucket) ListUploads(ctx context.Context, fn func(transfer.UnfinishedUpload) error) error {
	keyMarker, idMarker := "", ""
	for {
		res, err := s.b.ListMultipartUploads(oss.WithContext(ctx), oss.KeyMarker(keyMarker), oss.UploadIDMarker(idMarker), oss.MaxUploads(1000))
		if err != nil {
			return remoteError("ListMultipartUploads", err)
		}
		for _, u := range res.Uploads {
			if err := fn(transfer.UnfinishedUpload{Key: u.Key, UploadID: u.UploadID, Initiated: u.Initiated}); err != nil {
				return err
			}
		}
		if !res.IsTruncated || (res.NextKeyMarker == keyMarker && res.NextUploadIDMarker == idMarker) {
			return nil
		}
		keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}

func (s *bucket) GetTagging(ctx context.Context, key string) (map[string]string, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	r, err := s.b.GetObjectTagging(key, oss.WithContext(ctx))
	if err != nil {
		return nil, remoteError("GetObjectTagging", err)
	}
	tags := make(map[string]string, len(r.Tags))
	for _, t := range r.Tags {
		tags[t.Key] = t.Value
	}
	return tags, nil
}

func (s *bucket) PutTagging(ctx context.Context, key string, tags map[string]string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	var tg oss.Tagging
	for k, v := range tags {
		tg.Tags = append(tg.Tags, oss.Tag{Key: k, Value: v})
	}
	if err := s.b.PutObjectTagging(key, tg, oss.WithContext(ctx)); err != nil {
		return remoteError("PutObjectTagging", err)
	}
	return nil
}

// ListPage makes one ListObjectsV2 request; retries are Retrying's job.
func (s *bucket) ListPage(ctx context.Context, prefix, delimiter, token string, max int) (transfer.Page, error) {
	if max < 1 || max > transfer.MaxListPage {
		max = transfer.MaxListPage
	}
	opts := []oss.Option{oss.WithContext(ctx), oss.Prefix(prefix), oss.MaxKeys(max)}
	if delimiter != "" {
		opts = append(opts, oss.Delimiter(delimiter))
	}
	if token != "" {
		opts = append(opts, oss.ContinuationToken(token))
	}
	r, err := s.b.ListObjectsV2(opts...)
	if err := remoteError("ListObjectsV2", err); err != nil {
		return transfer.Page{}, fmt.Errorf("failed to list %q: %w", prefix, err)
	}
	p := transfer.Page{Prefixes: r.CommonPrefixes}
	for _, o := range r.Objects {
		p.Objects = append(p.Objects, transfer.Entry{Key: o.Key, Size: o.Size, LastModified: o.LastModified})
	}
	if r.IsTruncated {
		p.Next = r.NextContinuationToken
	}
	return p, nil
}

// List lists the objects and folders directly under prefix (delimiter "/"),
// or every object under it when recursive.
func (s *bucket) List(ctx context.Context, prefix string, recursive bool, fn func(transfer.Entry) error) error {
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
		err := transfer.DefaultPolicy.Do(ctx, func() (err error) {
			r, err = s.b.ListObjectsV2(opts...)
			return remoteError("ListObjectsV2", err)
		})
		if err != nil {
			return err
		}
		for _, p := range r.CommonPrefixes {
			if err := fn(transfer.Entry{Key: p, Folder: true}); err != nil {
				return err
			}
		}
		for _, o := range r.Objects {
			if err := fn(transfer.Entry{Key: o.Key, Size: o.Size, LastModified: o.LastModified}); err != nil {
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
func (s *bucket) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	return transfer.DefaultPolicy.Do(ctx, func() error {
		return remoteError("DeleteObject", s.b.DeleteObject(key, oss.WithContext(ctx)))
	})
}

// DeleteMany removes up to 1,000 objects in one request and returns the
// keys it deleted.
func (s *bucket) DeleteMany(ctx context.Context, keys []string) ([]string, error) {
	var r oss.DeleteObjectsResult
	err := transfer.DefaultPolicy.Do(ctx, func() (err error) {
		r, err = s.b.DeleteObjects(keys, oss.WithContext(ctx))
		return remoteError("DeleteMultipleObjects", err)
	})
	return r.DeletedObjects, err
}

// SignURL returns a presigned GET link to key valid for expires.
func (s *bucket) SignURL(key string, expires time.Duration) (string, error) {
	secs := int64(expires / time.Second)
	if secs < 1 {
		return "", fmt.Errorf("the expiry must be at least one second")
	}
	u, err := s.b.SignURL(key, oss.HTTPGet, secs)
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
func (s *bucket) ShareLink(ctx context.Context, key string, expires time.Duration) (string, error) {
	link, err := s.SignURL(key, expires)
	if err != nil {
		return "", err
	}
	h, err := s.b.GetObjectDetailedMeta(key, oss.WithContext(ctx))
	if err != nil {
		return "", remoteError("HeadObject", err)
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
