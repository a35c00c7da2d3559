package osslocal

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
)

// apiError is an OSS error response.
type apiError struct {
	status  int
	code    string
	message string
	ec      string
	// extra elements OSS adds for some codes (StringToSign, Key, ...).
	extra []xmlField
}

type xmlField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func newError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

func (e *apiError) with(name, value string) *apiError {
	e.extra = append(e.extra, xmlField{XMLName: xml.Name{Local: name}, Value: value})
	return e
}

func (e *apiError) withEC(ec string) *apiError { e.ec = ec; return e }

// Common errors, worded as OSS words them.
func errAccessDenied(msg string) *apiError {
	return newError(http.StatusForbidden, "AccessDenied", msg)
}
func errInvalidArgument(msg string) *apiError {
	return newError(http.StatusBadRequest, "InvalidArgument", msg)
}
func errMalformedXML() *apiError {
	return newError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
}
func errNotImplemented() *apiError {
	return newError(http.StatusNotImplemented, "NotImplemented", "This operation is not supported by the local endpoint.")
}

// storeError maps a Store error to the OSS error for it.
func storeError(err error, bucket, key string) *apiError {
	var ce *cseError
	switch {
	case errors.As(err, &ce):
		return newError(http.StatusBadRequest, "InvalidEncryptionRequest", ce.msg).withEC(ce.ec)
	case errors.Is(err, ErrNoSuchBucket):
		return newError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist.").with("BucketName", bucket).withEC("0015-00000101")
	case errors.Is(err, ErrBucketExists):
		return newError(http.StatusConflict, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.").with("BucketName", bucket)
	case errors.Is(err, ErrBucketNotEmpty):
		return newError(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty.").with("BucketName", bucket).withEC("0015-00000301")
	case errors.Is(err, ErrNoSuchKey):
		return newError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").with("Key", key).withEC("0026-00000001")
	case errors.Is(err, ErrNoSuchUpload):
		return newError(http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	case errors.Is(err, ErrBadDigest):
		return newError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid.")
	case errors.Is(err, ErrInvalidPart):
		return newError(http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.")
	case errors.Is(err, ErrInvalidPartOrder):
		return newError(http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order. Parts list must be specified in order by part number.")
	case errors.Is(err, ErrEntityTooSmall):
		return newError(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.")
	case errors.Is(err, ErrTooManyParts):
		return newError(http.StatusBadRequest, "InvalidEncryptionRequest", "The number of parts exceeds the count allowed by the client-side encryption data size and part size.").withEC("0005-00000411")
	case errors.Is(err, ErrDamaged):
		// 500, as a broken disk would give on OSS, with a code of its own
		// so that a client can tell it from a passing fault and not retry.
		return newError(http.StatusInternalServerError, "ObjectDamaged", "The stored copy of this object is damaged: its file in the store's folder was altered or cut short. Delete the object, or upload it again.").with("Key", key)
	case diskFull(err):
		// OSS has no such answer: its disks do not fill. 507 and a code of
		// its own let a client say what is wrong instead of "internal
		// error", and wait for space rather than retry at once.
		return newError(http.StatusInsufficientStorage, "InsufficientStorage", "The storage's disk is full. Free some space on it and try again.")
	default:
		return newError(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
	}
}

type errorBody struct {
	XMLName   xml.Name   `xml:"Error"`
	Code      string     `xml:"Code"`
	Message   string     `xml:"Message"`
	RequestID string     `xml:"RequestId"`
	HostID    string     `xml:"HostId"`
	Extra     []xmlField `xml:",any"`
	EC        string     `xml:"EC,omitempty"`
	// RecommendDoc follows EC in OSS's errors: its troubleshooting page.
	RecommendDoc string `xml:"RecommendDoc,omitempty"`
}

// writeError sends e as OSS does: an XML body, or for HEAD (which has no
// body) the same XML base64-encoded in x-oss-err.
func writeError(w http.ResponseWriter, r *http.Request, reqID string, e *apiError) {
	body := errorBody{Code: e.code, Message: e.message, RequestID: reqID, HostID: hostID(r), Extra: e.extra, EC: e.ec}
	if e.ec != "" {
		body.RecommendDoc = "https://api.aliyun.com/troubleshoot?q=" + e.ec
	}
	raw, _ := marshalXML(body)
	h := w.Header()
	if e.ec != "" {
		setRaw(h, hdrEC, e.ec)
	}
	h.Set("Content-Type", "application/xml")
	if r.Method == http.MethodHead {
		setRaw(h, hdrErr, base64.StdEncoding.EncodeToString(raw))
		w.WriteHeader(e.status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(e.status)
	w.Write(raw)
}

func hostID(r *http.Request) string { return r.Host }
