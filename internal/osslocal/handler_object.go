package osslocal

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxObjectSize is OSS's limit for one PutObject or UploadPart.
const maxObjectSize = 5 << 30

// maxMetaSize is OSS's limit on user metadata per object.
const maxMetaSize = 8 << 10

// storedHeaders are the standard headers OSS keeps with an object.
var storedHeaders = []string{"content-type", "content-disposition", "cache-control", "content-encoding", "content-language", "expires"}

// metaFromRequest collects the metadata a PUT, copy (REPLACE) or initiate
// stores.
func metaFromRequest(h http.Header) (Meta, *apiError) {
	m := Meta{}
	for _, name := range storedHeaders {
		if v := h.Get(name); v != "" {
			m[name] = v
		}
	}
	size := 0
	for k, vs := range h {
		low := strings.ToLower(k)
		if strings.HasPrefix(low, "x-oss-meta-") && len(vs) > 0 {
			m[low] = vs[0]
			size += len(low) + len(vs[0])
		}
	}
	if v := h.Get("x-oss-object-acl"); v != "" {
		if !objectACLs[v] {
			return nil, errInvalidArgument("no such object access control exists").with("ArgumentName", "x-oss-object-acl").with("ArgumentValue", v)
		}
		m[objectACLKey] = v
	}
	if size > maxMetaSize {
		return nil, errInvalidArgument("Your metadata headers exceed the maximum allowed metadata size.")
	}
	if m["content-type"] == "" {
		m["content-type"] = "application/octet-stream"
	}
	return m, nil
}

// contentMD5 returns the decoded Content-MD5 header, or nil if absent.
func contentMD5(h http.Header) ([]byte, *apiError) {
	v := h.Get("Content-MD5")
	if v == "" {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(sum) != md5.Size {
		return nil, newError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid.")
	}
	return sum, nil
}

// checkBodySize refuses bodies over OSS's limit before reading them.
func (c *call) checkBodySize() *apiError {
	if c.r.ContentLength > maxObjectSize {
		return newError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
	}
	return nil
}

// limitBody stops a body without Content-Length at OSS's limit.
type limitBody struct {
	r io.Reader
	n int64
}

var errTooLarge = errors.New("request body exceeds the maximum object size")

func (l *limitBody) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > maxObjectSize {
		return n, errTooLarge
	}
	return n, err
}

// writeFailed reports a failed write: body read errors mean the client went
// away or sent too much, anything else is the store's.
func (c *call) writeFailed(err error) {
	switch {
	case errors.Is(err, errTooLarge):
		c.fail(newError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size."))
	case errors.Is(err, io.ErrUnexpectedEOF):
		c.fail(newError(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header."))
	default:
		c.failStore(err)
	}
}

func (c *call) putObject() {
	if e := c.checkBodySize(); e != nil {
		c.fail(e)
		return
	}
	meta, e := metaFromRequest(c.r.Header)
	if e != nil {
		c.fail(e)
		return
	}
	sum, e := contentMD5(c.r.Header)
	if e != nil {
		c.fail(e)
		return
	}
	if c.forbidOverwrite() {
		return
	}
	info, err := c.s.store.PutObject(c.rt.bucket, c.rt.key, meta, &limitBody{r: c.r.Body}, PutOptions{ContentMD5: sum})
	if err != nil {
		c.writeFailed(err)
		return
	}
	h := c.w.Header()
	setRaw(h, hdrETag, quoteETag(info.ETag))
	setRaw(h, hdrCRC64, strconv.FormatUint(info.CRC64, 10))
	if md5sum, err := hex.DecodeString(info.ETag); err == nil {
		setRaw(h, hdrContentMD5, base64.StdEncoding.EncodeToString(md5sum))
	}
	h.Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
}

// setObjectHeaders writes an object's headers for GET and HEAD.
func (c *call) setObjectHeaders(info ObjectInfo) {
	h := c.w.Header()
	for k, v := range info.Meta {
		if k != objectACLKey { // answered by GetObjectACL, not with the object
			setStoredHeader(h, k, v)
		}
	}
	setRaw(h, hdrETag, quoteETag(info.ETag))
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	setRaw(h, hdrCRC64, strconv.FormatUint(info.CRC64, 10))
	setRaw(h, hdrObjectType, objectType(info))
	setRaw(h, hdrStorageClass, "Standard")
	h.Set("Accept-Ranges", "bytes")
	if !info.Multipart {
		if md5sum, err := hex.DecodeString(info.ETag); err == nil {
			setRaw(h, hdrContentMD5, base64.StdEncoding.EncodeToString(md5sum))
		}
	}
	q := c.r.URL.Query()
	for _, name := range []string{"content-type", "content-language", "expires", "cache-control", "content-disposition", "content-encoding"} {
		if v := q.Get("response-" + name); v != "" {
			h.Set(name, v)
		}
	}
}

func etagMatches(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || strings.EqualFold(strings.Trim(v, `"`), etag) {
			return true
		}
	}
	return false
}

// checkConditions applies If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since in RFC 7232's order. It returns 0 to go on, or 304/412.
func checkConditions(h http.Header, info ObjectInfo) int {
	mod := info.LastModified.UTC().Truncate(1e9)
	if v := h.Get("If-Match"); v != "" {
		if !etagMatches(v, info.ETag) {
			return http.StatusPreconditionFailed
		}
	} else if v := h.Get("If-Unmodified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && mod.After(t) {
			return http.StatusPreconditionFailed
		}
	}
	if v := h.Get("If-None-Match"); v != "" {
		if etagMatches(v, info.ETag) {
			return http.StatusNotModified
		}
	} else if v := h.Get("If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && !mod.After(t) {
			return http.StatusNotModified
		}
	}
	return 0
}

func (c *call) getObject(head bool) {
	o, err := c.s.store.OpenObject(c.rt.bucket, c.rt.key)
	if err != nil {
		c.failStore(err)
		return
	}
	defer o.Close()
	info := o.Info()
	switch checkConditions(c.r.Header, info) {
	case http.StatusNotModified:
		h := c.w.Header()
		setRaw(h, hdrETag, quoteETag(info.ETag))
		h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
		c.w.WriteHeader(http.StatusNotModified)
		return
	case http.StatusPreconditionFailed:
		c.fail(newError(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold.").with("Condition", "If-Match"))
		return
	}
	standard := strings.EqualFold(c.r.Header.Get("x-oss-range-behavior"), "standard")
	start, length, partial, ok := parseRange(c.r.Header.Get("Range"), info.Size, standard)
	if !ok {
		c.fail(newError(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range cannot be satisfied.").
			with("RangeRequested", c.r.Header.Get("Range")).with("ActualObjectSize", strconv.FormatInt(info.Size, 10)).withEC("0003-00000105"))
		return
	}
	c.setObjectHeaders(info)
	h := c.w.Header()
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	status := http.StatusOK
	if partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(start+length-1, 10)+"/"+strconv.FormatInt(info.Size, 10))
	}
	c.w.WriteHeader(status)
	if head {
		return
	}
	c.sendContent(o, start, length)
}

// sendContent streams length bytes from off. A file-backed object goes
// through io.Copy straight to the connection (sendfile where possible).
func (c *call) sendContent(o Object, off, length int64) {
	src := io.NewSectionReader(o, off, length)
	if d, ok := o.(*diskObject); ok {
		if _, err := d.f.Seek(d.at+off, io.SeekStart); err == nil {
			io.Copy(c.w, io.LimitReader(d.f, length))
			return
		}
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	io.CopyBuffer(writerOnly{c.w}, src, *bp)
}

// parseRange interprets a Range header as OSS does. Without
// x-oss-range-behavior: standard, a malformed or out-of-range Range is
// ignored (the whole object, 200); with it, such a range is refused (ok is
// false, 416) and an end past the object is clamped. Only the first of
// several ranges is used.
func parseRange(header string, size int64, standard bool) (start, length int64, partial, ok bool) {
	whole := func() (int64, int64, bool, bool) { return 0, size, false, true }
	if header == "" {
		return whole()
	}
	spec, found := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !found {
		if standard {
			return 0, 0, false, false
		}
		return whole()
	}
	if i := strings.IndexByte(spec, ','); i >= 0 {
		if standard {
			return 0, 0, false, false
		}
		spec = spec[:i]
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	bad := func() (int64, int64, bool, bool) {
		if standard {
			return 0, 0, false, false
		}
		return whole()
	}
	if !found {
		return bad()
	}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n <= 0 {
			return bad()
		}
		if n > size {
			if !standard || size == 0 {
				return bad()
			}
			n = size
		}
		return size - n, n, true, true
	}
	s, err := strconv.ParseInt(first, 10, 64)
	if err != nil || s < 0 || s >= size {
		return bad()
	}
	e := size - 1
	if last != "" {
		e, err = strconv.ParseInt(last, 10, 64)
		if err != nil || e < s {
			return bad()
		}
		if e >= size {
			if !standard {
				return whole()
			}
			e = size - 1
		}
	}
	return s, e - s + 1, true, true
}

func (c *call) getObjectMeta() {
	o, err := c.s.store.OpenObject(c.rt.bucket, c.rt.key)
	if err != nil {
		c.failStore(err)
		return
	}
	info := o.Info()
	o.Close()
	h := c.w.Header()
	setRaw(h, hdrETag, quoteETag(info.ETag))
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	setRaw(h, hdrLastAccessTime, info.LastModified.UTC().Format(http.TimeFormat))
	setRaw(h, hdrCRC64, strconv.FormatUint(info.CRC64, 10))
	c.w.WriteHeader(http.StatusOK)
}

func (c *call) deleteObject() {
	if err := c.s.store.DeleteObject(c.rt.bucket, c.rt.key); err != nil && !errors.Is(err, ErrNoSuchKey) {
		c.failStore(err)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

// parseCopySource reads x-oss-copy-source: "/bucket/key", with the key
// URL-encoded (the v1 SDK uses QueryEscape, the v2 SDK path escaping).
func parseCopySource(v string) (bucket, key string, ok bool) {
	v, _, _ = strings.Cut(v, "?") // versionId is not supported; versioning is off
	v = strings.TrimPrefix(v, "/")
	b, k, found := strings.Cut(v, "/")
	if !found {
		return "", "", false
	}
	key, err := url.QueryUnescape(k)
	if err != nil {
		return "", "", false
	}
	return b, key, validBucketName(b) && validObjectKey(key)
}

func (c *call) copyObject() {
	srcBucket, srcKey, ok := parseCopySource(c.r.Header.Get("x-oss-copy-source"))
	if !ok {
		c.fail(errInvalidArgument("Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.").with("ArgumentName", "x-oss-copy-source"))
		return
	}
	directive := strings.ToUpper(c.r.Header.Get("x-oss-metadata-directive"))
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		c.fail(errInvalidArgument("Unknown metadata directive.").with("ArgumentName", "x-oss-metadata-directive"))
		return
	}
	replace := directive == "REPLACE"
	if _, err := c.s.store.Bucket(c.rt.bucket); err != nil {
		c.failStore(err)
		return
	}
	src, err := c.s.store.OpenObject(srcBucket, srcKey)
	if err != nil {
		c.fail(storeError(err, srcBucket, srcKey))
		return
	}
	defer src.Close()
	info := src.Info()
	h := c.r.Header
	if v := h.Get("x-oss-copy-source-if-match"); v != "" && !etagMatches(v, info.ETag) {
		c.fail(newError(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold.").with("Condition", "x-oss-copy-source-if-match"))
		return
	}
	if v := h.Get("x-oss-copy-source-if-none-match"); v != "" && etagMatches(v, info.ETag) {
		c.fail(newError(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold.").with("Condition", "x-oss-copy-source-if-none-match"))
		return
	}
	meta := info.Meta
	if replace {
		if meta, err = c.replaceMeta(); err != nil {
			return
		}
	}
	// The copy's ACL is the request's, not the source's, as in OSS.
	meta = maps.Clone(meta)
	delete(meta, objectACLKey)
	if v := h.Get("x-oss-object-acl"); v != "" {
		if !objectACLs[v] {
			c.fail(errInvalidArgument("no such object access control exists").with("ArgumentName", "x-oss-object-acl").with("ArgumentValue", v))
			return
		}
		meta[objectACLKey] = v
	}
	self := srcBucket == c.rt.bucket && srcKey == c.rt.key
	if err := checkCSECopy(info.Meta, meta, replace, self); err != nil {
		c.failStore(err)
		return
	}
	if !self && c.forbidOverwrite() {
		return
	}
	tags, e := c.copyTags(srcBucket, srcKey)
	if e != nil {
		c.fail(e)
		return
	}
	out, err := c.s.store.PutObject(c.rt.bucket, c.rt.key, meta, io.NewSectionReader(src, 0, info.Size), PutOptions{})
	if err != nil {
		c.failStore(err)
		return
	}
	if len(tags) > 0 {
		if err := c.s.store.PutTagging(c.rt.bucket, c.rt.key, tags); err != nil {
			c.failStore(err)
			return
		}
	}
	setRaw(c.w.Header(), hdrCRC64, strconv.FormatUint(out.CRC64, 10))
	c.writeXML(http.StatusOK, copyObjectResult{ETag: quoteETag(out.ETag), LastModified: isoTime(out.LastModified)})
}

// replaceMeta is metaFromRequest for a REPLACE copy; it reports its own
// error and returns a non-nil error to stop.
func (c *call) replaceMeta() (Meta, error) {
	m, e := metaFromRequest(c.r.Header)
	if e != nil {
		c.fail(e)
		return nil, e
	}
	return m, nil
}

// forbidOverwrite answers 409 FileAlreadyExists, and reports true, when the
// request says x-oss-forbid-overwrite: true and its object exists, as OSS
// does for PutObject, CopyObject and CompleteMultipartUpload.
func (c *call) forbidOverwrite() bool {
	if !strings.EqualFold(c.r.Header.Get("x-oss-forbid-overwrite"), "true") {
		return false
	}
	o, err := c.s.store.OpenObject(c.rt.bucket, c.rt.key)
	if err != nil {
		return false
	}
	o.Close()
	c.fail(newError(http.StatusConflict, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.").withEC("0026-00000005"))
	return true
}
