package safetext

import (
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Name renders an object key, a bucket name or any other name that may
// hold arbitrary characters for printing: control characters (C0, DEL,
// C1), the Unicode line and paragraph separators, and the bidirectional
// embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069, which
// can make a name display as another) become \n, \r, \t, \xNN or \uNNNN;
// bytes that are not UTF-8 become \xNN. A backslash becomes \\ so that an
// escape in the output always stands for one character. Every other
// character, Chinese or accented names included, is kept as it is, so an
// ordinary name prints unchanged.
func Name(s string) string { return escape(s, true) }

// Path is Name for a local file path. On Windows "\" is the path separator
// and can never be part of a file name, so there it is kept as it is.
func Path(s string) string { return escape(s, filepath.Separator != '\\') }

// Line escapes what Name escapes except the backslash: for text that has
// escapes of its own (a JSON matdesc, a string formatted with %q) or that
// already holds names escaped with Name, such as a whole error message.
func Line(s string) string { return escape(s, false) }

func escape(s string, backslash bool) string {
	if clean(s, backslash) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case r == '\\' && backslash:
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(hex2(byte(r)))
		case unsafeRune(r):
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(`\u`)
			b.WriteString(strings.Repeat("0", 4-len(h)))
			b.WriteString(h)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// clean reports whether s needs no escaping, the common case, without
// allocating.
func clean(s string, backslash bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= utf8.RuneSelf || (c == '\\' && backslash) {
			return cleanRunes(s[i:], backslash)
		}
	}
	return true
}

func cleanRunes(s string, backslash bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r < 0x20 || r == 0x7f || (r == '\\' && backslash) || unsafeRune(r) {
			return false
		}
		i += size
	}
	return true
}

// unsafeRune reports the non-ASCII characters that are escaped: C1
// controls (U+0085 is a line break to some terminals, U+009B starts an
// escape sequence), U+2028 and U+2029 (line breaks to many viewers) and
// the bidirectional controls that reorder what follows them.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) ||
		r == 0x2028 || r == 0x2029 ||
		(r >= 0x202a && r <= 0x202e) ||
		(r >= 0x2066 && r <= 0x2069)
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}
