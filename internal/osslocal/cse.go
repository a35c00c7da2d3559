package osslocal

import (
	"strconv"
	"strings"
)

// OSS knows the client-side-encryption (CSE) envelope that the SDKs keep in
// user metadata and guards it: CopyObject may not change it, and multipart
// uploads are checked against the values given at initiation.
const (
	csePrefix   = "x-oss-meta-client-side-encryption-"
	cseKey      = csePrefix + "key"
	cseStart    = csePrefix + "start"
	cseCekAlg   = csePrefix + "cek-alg"
	cseWrapAlg  = csePrefix + "wrap-alg"
	cseDataSize = csePrefix + "data-size"
	csePartSize = csePrefix + "part-size"
)

// cseError is a rejected request about the CSE envelope; the server reports
// it as 400 InvalidEncryptionRequest with OSS's EC number.
type cseError struct {
	ec  string
	msg string
}

func (e *cseError) Error() string { return e.msg }

func isCSE(m Meta) bool { return m[cseKey] != "" }

// cseHeaders returns only the envelope entries of m.
func cseHeaders(m Meta) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if strings.HasPrefix(k, csePrefix) {
			out[k] = v
		}
	}
	return out
}

func sameStrings(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// checkCSECopy applies OSS's rule that CopyObject cannot modify the envelope:
// a REPLACE must carry it unchanged, and a CSE object copied onto itself may
// not gain or change any metadata.
func checkCSECopy(src, dst Meta, replace, self bool) error {
	if !replace {
		return nil
	}
	if !sameStrings(cseHeaders(src), cseHeaders(dst)) {
		return &cseError{ec: "0005-00000421", msg: "The client-side encryption metadata is protected and cannot be modified by CopyObject."}
	}
	if self && isCSE(src) && !sameStrings(src, dst) {
		return &cseError{ec: "0005-00000421", msg: "The metadata of a client-side encrypted object cannot be modified by copying it onto itself."}
	}
	return nil
}

// checkCSEInitiate validates the envelope given to InitiateMultipartUpload.
func checkCSEInitiate(m Meta) error {
	if !isCSE(m) {
		for k := range cseHeaders(m) {
			if k == cseStart || k == csePartSize || k == cseDataSize {
				return &cseError{ec: "0005-00000401", msg: "x-oss-meta-client-side-encryption-key is missing."}
			}
		}
		return nil
	}
	if _, err := parseSize(m[csePartSize], true); err != nil {
		return &cseError{ec: "0005-00000407", msg: "x-oss-meta-client-side-encryption-part-size is missing or invalid."}
	}
	if _, err := parseSize(m[cseDataSize], false); err != nil {
		return &cseError{ec: "0005-00000408", msg: "x-oss-meta-client-side-encryption-data-size must be an integer."}
	}
	return nil
}

// checkCSEPart checks the envelope headers an UploadPart carries. SDKs that
// send none (Java, C++) are accepted; those that do must repeat the
// initiation's key and start exactly.
func checkCSEPart(upload, part Meta) error {
	sent := cseHeaders(part)
	if len(sent) == 0 {
		return nil
	}
	if !isCSE(upload) {
		return &cseError{ec: "0005-00000401", msg: "The multipart upload was not initiated with client-side encryption."}
	}
	if sent[cseKey] != upload[cseKey] {
		return &cseError{ec: "0005-00000401", msg: "x-oss-meta-client-side-encryption-key does not match the value given at InitiateMultipartUpload."}
	}
	if sent[cseStart] != upload[cseStart] {
		return &cseError{ec: "0005-00000413", msg: "x-oss-meta-client-side-encryption-start does not match the value given at InitiateMultipartUpload."}
	}
	if v, ok := sent[csePartSize]; ok && v != upload[csePartSize] {
		return &cseError{ec: "0005-00000407", msg: "x-oss-meta-client-side-encryption-part-size does not match the value given at InitiateMultipartUpload."}
	}
	if v, ok := sent[cseDataSize]; ok {
		if _, err := parseSize(v, false); err != nil {
			return &cseError{ec: "0005-00000408", msg: "x-oss-meta-client-side-encryption-data-size must be an integer."}
		}
	}
	return nil
}

// checkCSEPartCount enforces that a CSE upload completes with no more parts
// than data-size / part-size allows.
func checkCSEPartCount(m Meta, parts int) error {
	if !isCSE(m) {
		return nil
	}
	data, _ := parseSize(m[cseDataSize], false)
	partSize, _ := parseSize(m[csePartSize], true)
	if data <= 0 || partSize <= 0 {
		return nil
	}
	if max := (data + partSize - 1) / partSize; int64(parts) > max {
		return ErrTooManyParts
	}
	return nil
}

func parseSize(s string, required bool) (int64, error) {
	if s == "" && !required {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || (required && n == 0) {
		return 0, strconv.ErrSyntax
	}
	return n, nil
}
