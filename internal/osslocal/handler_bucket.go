package osslocal

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// call is one request being served.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	rt    route
	reqID string
}

func (c *call) fail(e *apiError) { writeError(c.w, c.r, c.reqID, e) }

func (c *call) failStore(err error) { c.fail(storeError(err, c.rt.bucket, c.rt.key)) }

func (c *call) query(name string) string { return c.r.URL.Query().Get(name) }

func (c *call) encoder() encoder { return encoder(c.query("encoding-type") == "url") }

// maxKeysParam parses max-keys-like parameters: default def, 1..limit (0 is
// accepted and lists nothing, as OSS does).
func (c *call) intParam(name string, def, limit int) (int, *apiError) {
	v := c.query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > limit {
		return 0, errInvalidArgument("Argument "+name+" is invalid.").with("ArgumentName", name).with("ArgumentValue", v)
	}
	return n, nil
}

func (c *call) region() string {
	if c.s.region != "" {
		return c.s.region
	}
	return "local"
}

func (c *call) listBuckets() {
	maxKeys, e := c.intParam("max-keys", 100, 1000)
	if e != nil {
		c.fail(e)
		return
	}
	all, err := c.s.store.Buckets()
	if err != nil {
		c.failStore(err)
		return
	}
	prefix, marker := c.query("prefix"), c.query("marker")
	res := listBucketsResult{Prefix: prefix, Marker: marker, Owner: localOwner}
	if c.r.URL.Query().Has("max-keys") {
		res.MaxKeys = maxKeys
	}
	for _, b := range all {
		if !strings.HasPrefix(b.Name, prefix) || b.Name <= marker {
			continue
		}
		if len(res.Buckets) == maxKeys {
			res.IsTruncated = true
			res.NextMarker = res.Buckets[len(res.Buckets)-1].Name
			if res.MaxKeys == 0 {
				res.MaxKeys = maxKeys
			}
			break
		}
		res.Buckets = append(res.Buckets, xmlBucket{
			Name: b.Name, Location: "oss-" + c.region(), Region: c.region(),
			CreationDate: isoTime(b.Created), StorageClass: "Standard",
		})
	}
	c.writeXML(http.StatusOK, res)
}

func (c *call) putBucket() {
	if err := c.s.store.CreateBucket(c.rt.bucket); err != nil {
		c.failStore(err)
		return
	}
	c.w.Header().Set("Location", "/"+c.rt.bucket)
	c.w.WriteHeader(http.StatusOK)
}

func (c *call) deleteBucket() {
	if err := c.s.store.DeleteBucket(c.rt.bucket); err != nil {
		c.failStore(err)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

func (c *call) getBucketInfo() {
	b, err := c.s.store.Bucket(c.rt.bucket)
	if err != nil {
		c.failStore(err)
		return
	}
	var res bucketInfoResult
	bi := &res.Bucket
	bi.Name = b.Name
	bi.Location = "oss-" + c.region()
	bi.Region = c.region()
	bi.CreationDate = isoTime(b.Created)
	bi.ExtranetEndpoint = c.r.Host
	bi.IntranetEndpoint = c.r.Host
	bi.StorageClass = "Standard"
	bi.DataRedundancyType = "LRS"
	bi.AccessMonitor = "Disabled"
	bi.TransferAcceleration = "Disabled"
	bi.CrossRegionReplication = "Disabled"
	bi.Owner = localOwner
	bi.AccessControlList.Grant = "private"
	bi.ServerSideEncryptionRule.SSEAlgorithm = "None"
	c.writeXML(http.StatusOK, res)
}

func (c *call) getBucketLocation() {
	if _, err := c.s.store.Bucket(c.rt.bucket); err != nil {
		c.failStore(err)
		return
	}
	c.writeXML(http.StatusOK, struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		Value   string   `xml:",chardata"`
	}{Value: "oss-" + c.region()})
}

func (c *call) listObjects(v2 bool) {
	maxKeys, e := c.intParam("max-keys", 100, 1000)
	if e != nil {
		c.fail(e)
		return
	}
	q := ListQuery{Prefix: c.query("prefix"), Delimiter: c.query("delimiter"), MaxKeys: maxKeys}
	token := c.query("continuation-token")
	if v2 {
		q.After = c.query("start-after")
		if token != "" {
			raw, err := base64.RawURLEncoding.DecodeString(token)
			if err != nil {
				c.fail(errInvalidArgument("The continuation token provided is incorrect.").with("ArgumentName", "continuation-token"))
				return
			}
			q.After = string(raw)
		}
	} else {
		q.After = c.query("marker")
	}
	page, err := c.s.store.ListObjects(c.rt.bucket, q)
	if err != nil {
		c.failStore(err)
		return
	}
	enc := c.encoder()
	owner := !v2 || c.query("fetch-owner") == "true"
	contents := make([]xmlContents, len(page.Objects))
	for i, o := range page.Objects {
		contents[i] = xmlContents{
			Key: enc.enc(o.Key), LastModified: isoTime(o.LastModified), ETag: quoteETag(o.ETag),
			Type: objectType(o), Size: o.Size, StorageClass: "Standard",
		}
		if owner {
			contents[i].Owner = &localOwner
		}
	}
	prefixes := make([]xmlPrefix, len(page.CommonPrefixes))
	for i, p := range page.CommonPrefixes {
		prefixes[i] = xmlPrefix{Prefix: enc.enc(p)}
	}
	if v2 {
		res := listObjectsV2Result{
			Name: c.rt.bucket, Prefix: enc.enc(q.Prefix), StartAfter: enc.enc(c.query("start-after")),
			ContinuationToken: token, MaxKeys: maxKeys, Delimiter: enc.enc(q.Delimiter), EncodingType: enc.typ(),
			IsTruncated: page.IsTruncated, KeyCount: len(contents) + len(prefixes),
			Contents: contents, CommonPrefixes: prefixes,
		}
		if page.IsTruncated {
			res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(page.NextAfter))
		}
		c.writeXML(http.StatusOK, res)
		return
	}
	res := listObjectsResult{
		Name: c.rt.bucket, Prefix: enc.enc(q.Prefix), Marker: enc.enc(q.After), MaxKeys: maxKeys,
		Delimiter: enc.enc(q.Delimiter), EncodingType: enc.typ(), IsTruncated: page.IsTruncated,
		Contents: contents, CommonPrefixes: prefixes,
	}
	if page.IsTruncated {
		res.NextMarker = enc.enc(page.NextAfter)
	}
	c.writeXML(http.StatusOK, res)
}

func objectType(o ObjectInfo) string {
	if o.Multipart {
		return "Multipart"
	}
	return "Normal"
}

func (c *call) listUploads() {
	maxUploads, e := c.intParam("max-uploads", 1000, 1000)
	if e != nil {
		c.fail(e)
		return
	}
	all, err := c.s.store.Uploads(c.rt.bucket)
	if err != nil {
		c.failStore(err)
		return
	}
	enc := c.encoder()
	prefix, delim := c.query("prefix"), c.query("delimiter")
	keyMarker, idMarker := c.query("key-marker"), c.query("upload-id-marker")
	res := listUploadsResult{
		Bucket: c.rt.bucket, KeyMarker: enc.enc(keyMarker), UploadIDMarker: idMarker,
		Delimiter: enc.enc(delim), Prefix: enc.enc(prefix), MaxUploads: maxUploads, EncodingType: enc.typ(),
	}
	lastPrefix := ""
	count := 0
	for _, u := range all {
		if !strings.HasPrefix(u.Key, prefix) {
			continue
		}
		if u.Key < keyMarker || (u.Key == keyMarker && (idMarker == "" || u.UploadID <= idMarker)) {
			continue
		}
		cp := ""
		if delim != "" {
			if j := strings.Index(u.Key[len(prefix):], delim); j >= 0 {
				cp = u.Key[:len(prefix)+j+len(delim)]
				if cp == lastPrefix || cp <= keyMarker {
					continue
				}
			}
		}
		if count == maxUploads {
			res.IsTruncated = true
			break
		}
		count++
		if cp != "" {
			lastPrefix = cp
			res.CommonPrefixes = append(res.CommonPrefixes, xmlPrefix{Prefix: enc.enc(cp)})
			res.NextKeyMarker, res.NextUploadIDMarker = enc.enc(cp), ""
			continue
		}
		res.Uploads = append(res.Uploads, xmlUpload{Key: enc.enc(u.Key), UploadID: u.UploadID, Initiated: isoTime(u.Initiated)})
		res.NextKeyMarker, res.NextUploadIDMarker = enc.enc(u.Key), u.UploadID
	}
	c.writeXML(http.StatusOK, res)
}

// maxDeleteBody bounds a DeleteMultipleObjects body (1,000 keys of 1,023
// bytes, escaped, fit well within it).
const maxDeleteBody = 2 << 20

func (c *call) deleteMultiple() {
	md5b64 := c.r.Header.Get("Content-MD5")
	if md5b64 == "" {
		c.fail(newError(http.StatusBadRequest, "MissingArgument", "Missing Some Required Arguments.").with("ArgumentName", "Content-MD5"))
		return
	}
	want, err := base64.StdEncoding.DecodeString(md5b64)
	if err != nil || len(want) != md5.Size {
		c.fail(newError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid."))
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxDeleteBody+1))
	if err != nil {
		return // the connection is gone
	}
	if len(body) > maxDeleteBody {
		c.fail(errMalformedXML())
		return
	}
	if sum := md5.Sum(body); !bytes.Equal(sum[:], want) {
		c.fail(newError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid."))
		return
	}
	var req deleteRequest
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Objects) == 0 || len(req.Objects) > 1000 {
		c.fail(errMalformedXML())
		return
	}
	if _, err := c.s.store.Bucket(c.rt.bucket); err != nil {
		c.failStore(err)
		return
	}
	for _, o := range req.Objects {
		if !validObjectKey(o.Key) {
			c.fail(newError(http.StatusBadRequest, "InvalidObjectName", "The specified object is not valid."))
			return
		}
	}
	enc := c.encoder()
	res := deleteResult{EncodingType: enc.typ()}
	for _, o := range req.Objects {
		if err := c.s.store.DeleteObject(c.rt.bucket, o.Key); err != nil && !errors.Is(err, ErrNoSuchKey) {
			c.failStore(err)
			return
		}
		if !req.Quiet {
			res.Deleted = append(res.Deleted, struct {
				Key string `xml:"Key"`
			}{Key: enc.enc(o.Key)})
		}
	}
	c.writeXML(http.StatusOK, res)
}
