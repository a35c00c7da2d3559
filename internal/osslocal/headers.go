package osslocal

import (
	"net/http"
	"strings"
)

// Response header names as OSS writes them on the wire. HTTP names are
// case-insensitive, but the Java and C++ SDKs look up the client-side
// encryption envelope (x-oss-meta-client-side-encryption-*) with
// case-sensitive keys: given Go's canonical "X-Oss-Meta-…" they find no
// envelope and hand back ciphertext without an error. So every name below
// is written byte for byte as OSS spells it, bypassing the canonicalisation
// of http.Header.Set.
const (
	hdrRequestID      = "x-oss-request-id"
	hdrCRC64          = "x-oss-hash-crc64ecma"
	hdrObjectType     = "x-oss-object-type"
	hdrStorageClass   = "x-oss-storage-class"
	hdrLastAccessTime = "x-oss-last-access-time"
	hdrEC             = "x-oss-ec"
	hdrErr            = "x-oss-err"
	hdrETag           = "ETag"        // Go would write "Etag"
	hdrContentMD5     = "Content-MD5" // Go would write "Content-Md5"
)

// setRaw sets a response header under exactly the name given. Any value
// under the canonical form of the name is removed, so that the name is sent
// once.
func setRaw(h http.Header, name, value string) {
	if c := http.CanonicalHeaderKey(name); c != name {
		delete(h, c)
	}
	h[name] = []string{value}
}

// setStoredHeader writes one of an object's stored headers (Meta key, lower
// case): user metadata x-oss-meta-* keeps OSS's lower case, the standard
// headers (Content-Type, Cache-Control, …) their usual spelling.
func setStoredHeader(h http.Header, name, value string) {
	low := strings.ToLower(name)
	if strings.HasPrefix(low, "x-oss-") {
		setRaw(h, low, value)
		return
	}
	h.Set(name, value)
}
