package osslocal

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// route is what a request addresses and which OSS API it calls.
type route struct {
	bucket, key string
	op          string // OSS API name, e.g. "UploadPart"
	part        int    // part number for UploadPart
}

// Names of the operations as the OSS API reference calls them; these appear
// in the access log and are what Faults match on.
const (
	OpListBuckets             = "ListBuckets"
	OpPutBucket               = "PutBucket"
	OpDeleteBucket            = "DeleteBucket"
	OpGetBucketInfo           = "GetBucketInfo"
	OpGetBucketLocation       = "GetBucketLocation"
	OpListObjects             = "ListObjects"
	OpListObjectsV2           = "ListObjectsV2"
	OpPutObject               = "PutObject"
	OpGetObject               = "GetObject"
	OpHeadObject              = "HeadObject"
	OpGetObjectMeta           = "GetObjectMeta"
	OpDeleteObject            = "DeleteObject"
	OpDeleteMultipleObjects   = "DeleteMultipleObjects"
	OpCopyObject              = "CopyObject"
	OpPutObjectTagging        = "PutObjectTagging"
	OpGetObjectTagging        = "GetObjectTagging"
	OpDeleteObjectTagging     = "DeleteObjectTagging"
	OpInitiateMultipartUpload = "InitiateMultipartUpload"
	OpUploadPart              = "UploadPart"
	OpCompleteMultipartUpload = "CompleteMultipartUpload"
	OpAbortMultipartUpload    = "AbortMultipartUpload"
	OpListParts               = "ListParts"
	OpListMultipartUploads    = "ListMultipartUploads"
	// OpUnsupported names requests for APIs the local endpoint lacks.
	OpUnsupported = "Unsupported"
)

// unsupportedSubresources are OSS APIs selected by a query parameter that
// this server does not implement; they must not fall through to a plain
// GET/PUT of the object or bucket.
var unsupportedSubresources = strings.Fields(`acl symlink restore append cors logging
	website referer lifecycle policy versioning versions encryption replication inventory
	worm qos stat cname comp live vod x-oss-process select metaQuery
	requestPayment transferAcceleration accessPoint resourceGroup style`)

// parseRoute splits the request into bucket and key, path style or virtual
// host style, and names the operation.
func (s *Server) parseRoute(r *http.Request) route {
	var rt route
	path := r.URL.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if b := s.virtualHostBucket(r.Host); b != "" {
		rt.bucket = b
		rt.key = path[1:]
	} else {
		rt.bucket, rt.key, _ = strings.Cut(path[1:], "/")
	}
	rt.op = operation(r.Method, rt, r.URL.Query(), r.Header)
	if rt.op == OpUploadPart {
		rt.part, _ = strconv.Atoi(r.URL.Query().Get("partNumber"))
	}
	return rt
}

// virtualHostBucket returns the bucket named by a Host of the form
// bucket.localhost[:port] or bucket.<suffix>[:port].
func (s *Server) virtualHostBucket(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	if net.ParseIP(host) != nil {
		return ""
	}
	for _, suffix := range s.hostSuffixes {
		if b, ok := strings.CutSuffix(host, "."+suffix); ok && b != "" && !strings.Contains(b, ".") {
			return b
		}
	}
	return ""
}

// operation names the OSS operation a request asks for, as OSS tells them
// apart: by the route's depth, the method, then the subresources.
func operation(method string, rt route, q url.Values, h http.Header) string {
	if op := configOperation(method, rt, q); op != "" {
		return op
	}
	for _, k := range unsupportedSubresources {
		if q.Has(k) {
			return OpUnsupported
		}
	}
	switch {
	case rt.bucket == "":
		if method == http.MethodGet {
			return OpListBuckets
		}
	case rt.key == "":
		return bucketOperation(method, q)
	case q.Has("tagging"):
		switch method {
		case http.MethodPut:
			return OpPutObjectTagging
		case http.MethodGet:
			return OpGetObjectTagging
		case http.MethodDelete:
			return OpDeleteObjectTagging
		}
	default:
		return objectOperation(method, q, h)
	}
	return OpUnsupported
}

func bucketOperation(method string, q url.Values) string {
	switch method {
	case http.MethodPut:
		return OpPutBucket
	case http.MethodDelete:
		return OpDeleteBucket
	case http.MethodPost:
		if q.Has("delete") {
			return OpDeleteMultipleObjects
		}
	case http.MethodGet:
		switch {
		case q.Has("bucketInfo"):
			return OpGetBucketInfo
		case q.Has("location"):
			return OpGetBucketLocation
		case q.Has("uploads"):
			return OpListMultipartUploads
		case q.Get("list-type") == "2":
			return OpListObjectsV2
		default:
			return OpListObjects
		}
	}
	return OpUnsupported
}

func objectOperation(method string, q url.Values, h http.Header) string {
	switch method {
	case http.MethodPut:
		switch {
		case q.Has("uploadId") && q.Has("partNumber"):
			if h.Get("x-oss-copy-source") != "" {
				return OpUnsupported // UploadPartCopy
			}
			return OpUploadPart
		case h.Get("x-oss-copy-source") != "":
			return OpCopyObject
		default:
			return OpPutObject
		}
	case http.MethodGet:
		if q.Has("uploadId") {
			return OpListParts
		}
		return OpGetObject
	case http.MethodHead:
		if q.Has("objectMeta") {
			return OpGetObjectMeta
		}
		return OpHeadObject
	case http.MethodDelete:
		if q.Has("uploadId") {
			return OpAbortMultipartUpload
		}
		return OpDeleteObject
	case http.MethodPost:
		switch {
		case q.Has("uploads"):
			return OpInitiateMultipartUpload
		case q.Has("uploadId"):
			return OpCompleteMultipartUpload
		}
	}
	return OpUnsupported
}
