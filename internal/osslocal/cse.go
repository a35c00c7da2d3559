package osslocal

import (
	"io"
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
	if self && isCSE(src) && !sameStrings(withoutACL(src), withoutACL(dst)) {
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
	if m[csePartSize] == "" {
		return &cseError{ec: "0005-00000407", msg: "x-oss-meta-client-side-encryption-part-size is missing."}
	}
	if _, err := parseSize(m[csePartSize], true); err != nil {
		return &cseError{ec: "0005-00000409", msg: "x-oss-meta-client-side-encryption-part-size must be a positive integer."}
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
	if v, ok := sent[csePartSize]; ok {
		if _, err := parseSize(v, true); err != nil {
			return &cseError{ec: "0005-00000409", msg: "x-oss-meta-client-side-encryption-part-size must be a positive integer."}
		}
		if v != upload[csePartSize] {
			return &cseError{ec: "0005-00000418", msg: "x-oss-meta-client-side-encryption-part-size does not match the value given at InitiateMultipartUpload."}
		}
	}
	if v, ok := sent[cseDataSize]; ok {
		if _, err := parseSize(v, false); err != nil {
			return &cseError{ec: "0005-00000408", msg: "x-oss-meta-client-side-encryption-data-size must be an integer."}
		}
		// OSS refuses this too; its troubleshooting page gives no EC
		// number that we could confirm, so none is sent.
		if upload[cseDataSize] != "" && v != upload[cseDataSize] {
			return &cseError{msg: "x-oss-meta-client-side-encryption-data-size does not match the value given at InitiateMultipartUpload."}
		}
	}
	return nil
}

// csePartRule is the size OSS requires of part n of a CSE upload: every
// part before the last exactly the part size (EC 0005-00000419); the last,
// which the data size tells, exactly what remains of the data size
// (0005-00000420). Without a data size the last part cannot be told at
// UploadPart, so a part may then be up to the part size, and
// CompleteMultipartUpload checks the listed parts (cseCompleteSizes).
// ok is false for uploads without the envelope, and for parts past the
// data size's last one, which CompleteMultipartUpload refuses by count.
type csePartRule struct {
	size  int64
	exact bool
	ec    string
}

func csePartSizeRule(m Meta, n int) (rule csePartRule, ok bool) {
	if !isCSE(m) {
		return rule, false
	}
	partSize, err := parseSize(m[csePartSize], true)
	if err != nil {
		return rule, false
	}
	data, _ := parseSize(m[cseDataSize], false)
	if data <= 0 {
		return csePartRule{size: partSize, ec: "0005-00000419"}, true
	}
	last := (data + partSize - 1) / partSize
	switch {
	case int64(n) < last:
		return csePartRule{size: partSize, exact: true, ec: "0005-00000419"}, true
	case int64(n) == last:
		return csePartRule{size: data - (last-1)*partSize, exact: true, ec: "0005-00000420"}, true
	}
	return rule, false
}

// check reports a part of size bytes that breaks the rule.
func (r csePartRule) check(size int64) error {
	if size > r.size || (r.exact && size != r.size) {
		return r.err(size)
	}
	return nil
}

func (r csePartRule) err(size int64) error {
	if r.ec == "0005-00000420" {
		return &cseError{ec: r.ec, msg: "The last part's size (" + strconv.FormatInt(size, 10) + ") must be x-oss-meta-client-side-encryption-data-size less the parts before it (" + strconv.FormatInt(r.size, 10) + ")."}
	}
	return &cseError{ec: r.ec, msg: "The part's size (" + strconv.FormatInt(size, 10) + ") differs from x-oss-meta-client-side-encryption-part-size (" + strconv.FormatInt(r.size, 10) + "), which every part but the last must have."}
}

// csePartBody enforces a csePartRule on a part whose size the request does
// not announce (chunked): it fails the read, so that the store keeps
// nothing, once the body breaks the rule.
type csePartBody struct {
	r    io.Reader
	rule csePartRule
	n    int64
}

func (b *csePartBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > b.rule.size {
		return n, b.rule.err(b.n)
	}
	if err == io.EOF && b.rule.exact && b.n != b.rule.size {
		return n, b.rule.err(b.n)
	}
	return n, err
}

// cseCompleteSizes checks, for a CSE upload initiated without a data size,
// that every listed part but the last has exactly the part size, the rule
// OSS applies at UploadPart when the data size tells which part is last
// (0005-00000419): a reader decrypts the object as if part n began at
// (n-1) * part size. sizes maps part numbers to the stored parts' sizes;
// parts not found are left to the store's InvalidPart.
func cseCompleteSizes(m Meta, want []CompletePart, sizes map[int]int64) error {
	if !isCSE(m) {
		return nil
	}
	partSize, err := parseSize(m[csePartSize], true)
	if err != nil {
		return nil
	}
	for _, p := range want[:max(len(want)-1, 0)] {
		if size, found := sizes[p.Number]; found && size != partSize {
			return csePartRule{size: partSize, exact: true, ec: "0005-00000419"}.err(size)
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

// withoutACL is m less the recorded object ACL, which is not metadata in
// OSS's sense: a copy onto itself may change it.
func withoutACL(m Meta) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if k != objectACLKey {
			out[k] = v
		}
	}
	return out
}
