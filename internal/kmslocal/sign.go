package kmslocal

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// percentEncode is the RPC signature's encoding: RFC 3986 unreserved
// characters stay, every other byte becomes %XX with upper-case hex. It
// differs from url.QueryEscape in encoding a space as %20, not '+'.
func percentEncode(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 3)
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// stringToSign builds the RPC signature V1 input from every parameter of the
// request (query and form) except Signature itself.
func stringToSign(method string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, 0, len(keys))
	for _, k := range keys {
		pairs = append(pairs, percentEncode(k)+"="+percentEncode(params.Get(k)))
	}
	return method + "&" + percentEncode("/") + "&" + percentEncode(strings.Join(pairs, "&"))
}

// sign returns the base64 HMAC-SHA1 of sts under secret+"&", the key form
// that RPC signature V1 uses.
func sign(sts, secret string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// signatureValid compares in constant time so that a caller cannot learn the
// expected signature byte by byte.
func signatureValid(method string, params url.Values, secret string) bool {
	got := params.Get("Signature")
	want := sign(stringToSign(method, params), secret)
	return hmac.Equal([]byte(got), []byte(want))
}
