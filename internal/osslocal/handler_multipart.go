package osslocal

import (
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxCompleteBody bounds a CompleteMultipartUpload body (10,000 parts).
const maxCompleteBody = 4 << 20

func (c *call) initiateUpload() {
	meta, e := metaFromRequest(c.r.Header)
	if e != nil {
		c.fail(e)
		return
	}
	if err := checkCSEInitiate(meta); err != nil {
		c.failStore(err)
		return
	}
	u, err := c.s.store.CreateUpload(c.rt.bucket, c.rt.key, meta)
	if err != nil {
		c.failStore(err)
		return
	}
	enc := c.encoder()
	c.writeXML(http.StatusOK, initiateResult{Bucket: c.rt.bucket, Key: enc.enc(c.rt.key), UploadID: u.UploadID, EncodingType: enc.typ()})
}

// upload looks up the request's upload and checks it belongs to the key in
// the path, as OSS does.
func (c *call) upload() (UploadInfo, []PartInfo, bool) {
	id := c.query("uploadId")
	u, parts, err := c.s.store.Upload(c.rt.bucket, id)
	if err == nil && u.Key != c.rt.key {
		err = ErrNoSuchUpload
	}
	if err != nil {
		c.failStore(err)
		return UploadInfo{}, nil, false
	}
	return u, parts, true
}

func (c *call) uploadPart() {
	n, err := strconv.Atoi(c.query("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		c.fail(errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive.").with("ArgumentName", "partNumber").with("ArgumentValue", c.query("partNumber")))
		return
	}
	if e := c.checkBodySize(); e != nil {
		c.fail(e)
		return
	}
	sum, e := contentMD5(c.r.Header)
	if e != nil {
		c.fail(e)
		return
	}
	u, _, ok := c.upload()
	if !ok {
		return
	}
	partMeta, e := metaFromRequest(c.r.Header)
	if e != nil {
		c.fail(e)
		return
	}
	if err := checkCSEPart(u.Meta, partMeta); err != nil {
		c.failStore(err)
		return
	}
	var body io.Reader = &limitBody{r: c.r.Body}
	if rule, ok := csePartSizeRule(u.Meta, n); ok {
		if c.r.ContentLength >= 0 {
			if err := rule.check(c.r.ContentLength); err != nil {
				c.failStore(err)
				return
			}
		} else {
			body = &csePartBody{r: body, rule: rule}
		}
	}
	p, err := c.s.store.PutPart(c.rt.bucket, u.UploadID, n, body, PutOptions{ContentMD5: sum})
	if err != nil {
		c.writeFailed(err)
		return
	}
	h := c.w.Header()
	setRaw(h, hdrETag, quoteETag(p.ETag))
	setRaw(h, hdrCRC64, strconv.FormatUint(p.CRC64, 10))
	h.Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
}

func (c *call) completeUpload() {
	u, have, ok := c.upload()
	if !ok {
		return
	}
	var want []CompletePart
	if strings.EqualFold(c.r.Header.Get("x-oss-complete-all"), "yes") {
		for _, p := range have {
			want = append(want, CompletePart{Number: p.Number, ETag: p.ETag})
		}
	} else {
		body, err := io.ReadAll(io.LimitReader(c.r.Body, maxCompleteBody+1))
		if err != nil {
			return
		}
		var req completeRequest
		if len(body) > maxCompleteBody || xml.Unmarshal(body, &req) != nil {
			c.fail(errMalformedXML())
			return
		}
		for _, p := range req.Parts {
			want = append(want, CompletePart{Number: p.PartNumber, ETag: p.ETag})
		}
	}
	if len(want) == 0 {
		c.fail(errMalformedXML())
		return
	}
	sizes := make(map[int]int64, len(have))
	for _, p := range have {
		sizes[p.Number] = p.Size
	}
	if err := cseCompleteSizes(u.Meta, want, sizes); err != nil {
		c.failStore(err)
		return
	}
	if c.forbidOverwrite() {
		return
	}
	info, err := c.s.store.CompleteUpload(c.rt.bucket, u.UploadID, want)
	if err != nil {
		c.failStore(err)
		return
	}
	enc := c.encoder()
	setRaw(c.w.Header(), hdrETag, quoteETag(info.ETag))
	setRaw(c.w.Header(), hdrCRC64, strconv.FormatUint(info.CRC64, 10))
	c.writeXML(http.StatusOK, completeResult{
		EncodingType: enc.typ(),
		Location:     "http://" + c.r.Host + "/" + c.rt.bucket + "/" + urlEncode(c.rt.key),
		Bucket:       c.rt.bucket, Key: enc.enc(c.rt.key), ETag: quoteETag(info.ETag),
	})
}

func (c *call) abortUpload() {
	u, _, ok := c.upload()
	if !ok {
		return
	}
	if err := c.s.store.AbortUpload(c.rt.bucket, u.UploadID); err != nil {
		c.failStore(err)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

func (c *call) listParts() {
	maxParts, e := c.intParam("max-parts", 1000, 1000)
	if e != nil {
		c.fail(e)
		return
	}
	marker, e := c.intParam("part-number-marker", 0, 10000)
	if e != nil {
		c.fail(e)
		return
	}
	u, parts, ok := c.upload()
	if !ok {
		return
	}
	enc := c.encoder()
	res := listPartsResult{
		EncodingType: enc.typ(), Bucket: c.rt.bucket, Key: enc.enc(u.Key), UploadID: u.UploadID,
		StorageClass: "Standard", PartNumberMarker: marker, MaxParts: maxParts,
	}
	if isCSE(u.Meta) {
		res.ClientEncryptionKey = u.Meta[cseKey]
		res.ClientEncryptionStart = u.Meta[cseStart]
		res.ClientEncryptionCekAlg = u.Meta[cseCekAlg]
		res.ClientEncryptionWrapAlg = u.Meta[cseWrapAlg]
		if n, err := parseSize(u.Meta[cseDataSize], true); err == nil {
			res.ClientEncryptionDataSize = &n
		}
		if n, err := parseSize(u.Meta[csePartSize], true); err == nil {
			res.ClientEncryptionPartSize = &n
		}
	}
	for _, p := range parts {
		if p.Number <= marker {
			continue
		}
		if len(res.Parts) == maxParts {
			res.IsTruncated = true
			break
		}
		res.Parts = append(res.Parts, xmlPart{
			PartNumber: p.Number, LastModified: isoTime(p.LastModified), ETag: quoteETag(p.ETag),
			HashCrc64ecma: strconv.FormatUint(p.CRC64, 10), Size: p.Size,
		})
		res.NextPartNumberMarker = p.Number
	}
	c.writeXML(http.StatusOK, res)
}
