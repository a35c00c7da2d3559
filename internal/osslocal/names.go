package osslocal

import (
	"strings"
	"unicode/utf8"
)

// validBucketName applies OSS's bucket naming rules: 3 to 63 characters,
// lower-case letters, digits and hyphens, starting and ending with a letter
// or digit.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(name)-1:
		default:
			return false
		}
	}
	return true
}

// validObjectKey applies OSS's object naming rules: 1 to 1023 bytes of
// UTF-8, not starting with "/" or "\".
func validObjectKey(key string) bool {
	return len(key) >= 1 && len(key) <= 1023 && utf8.ValidString(key) &&
		!strings.HasPrefix(key, "/") && !strings.HasPrefix(key, `\`)
}
