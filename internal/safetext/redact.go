package safetext

import (
	"errors"
	"net/url"
	"strings"
)

// Elided stands for a removed query string.
const Elided = "…"

// StripQuery returns the URL s with its query replaced by "?…": a
// presigned link carries its signature there, and what is left still says
// which host and object the link was for. A URL without a query is
// returned as it is.
func StripQuery(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[:i] + "?" + Elided
	}
	return s
}

// StripURLError strips the query of the URL quoted by a *url.Error in err
// (net/http reports every failed request as one, quoting the URL it was
// given in full). The error keeps its chain, so errors.Is and errors.As
// see the same causes. It must be applied to the error as the request
// returned it: an error that wraps it has already formatted its message.
func StripURLError(err error) error {
	var ue *url.Error
	if err == nil || !errors.As(err, &ue) {
		return err
	}
	ue.URL = StripQuery(ue.URL)
	return err
}

// secretParams are the names of the query parameters of OSS presigned URLs
// (V1 and V4) whose values are, or belong to, a credential, in lower case.
// x-oss-signature and x-oss-security-token end in two of them.
var secretParams = []string{"signature", "ossaccesskeyid", "security-token", "x-oss-credential"}

// RedactSignatures replaces, in a message of any provenance, every query
// string that carries a signature, an AccessKey ID or a security token with
// "?…", and the value of any such parameter found outside a query with "…".
// It is the last line of defence: the places that build errors from URLs
// strip them first with StripQuery.
func RedactSignatures(msg string) string {
	if _, v := findSecret(asciiLower(msg)); v < 0 {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '?')
		if i < 0 {
			break
		}
		end := i + 1 + tokenEnd(msg[i+1:], false)
		b.WriteString(msg[:i])
		if _, v := findSecret(asciiLower(msg[i:end])); v >= 0 {
			b.WriteString("?" + Elided)
		} else {
			b.WriteString(msg[i:end])
		}
		msg = msg[end:]
	}
	b.WriteString(msg)
	return redactValues(b.String())
}

// redactValues elides the value of each secret parameter in msg that is
// not part of a query string, such as one quoted on its own.
func redactValues(msg string) string {
	var b strings.Builder
	for {
		_, v := findSecret(asciiLower(msg))
		if v < 0 {
			break
		}
		end := v + tokenEnd(msg[v:], true)
		b.WriteString(msg[:v])
		if end > v {
			b.WriteString(Elided)
		}
		msg = msg[end:]
	}
	b.WriteString(msg)
	return b.String()
}

// findSecret finds in lower the first secret parameter name followed by
// "=" or its percent-encoding "%3d" (a link quoted inside another link's
// query). It returns the offsets of the name and of its value, or -1, -1.
func findSecret(lower string) (name, value int) {
	name, value = -1, -1
	for _, p := range secretParams {
		for off := 0; ; {
			k := strings.Index(lower[off:], p)
			if k < 0 {
				break
			}
			k += off
			off = k + len(p)
			eq := 0
			switch rest := lower[off:]; {
			case strings.HasPrefix(rest, "="):
				eq = 1
			case strings.HasPrefix(rest, "%3d"):
				eq = 3
			default:
				continue
			}
			if name < 0 || k < name {
				name, value = k, off+eq
			}
			break
		}
	}
	return name, value
}

// tokenEnd returns the length of the URL part at the start of s: up to
// white space, a quote or an angle bracket, and with param also up to "&"
// (the end of one parameter's value).
func tokenEnd(s string, param bool) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '"', '\'', '`', '<', '>':
			return i
		case '&':
			if param {
				return i
			}
		}
	}
	return len(s)
}

// asciiLower lowers ASCII letters only, so that byte offsets into the
// result are offsets into s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
