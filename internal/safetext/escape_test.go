package safetext

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"Berichte/Q3 Ü 100% 季度.pdf", "Berichte/Q3 Ü 100% 季度.pdf"},
		{"space and 'quotes' \"too\"", "space and 'quotes' \"too\""},
		{"a\nb", `a\nb`},
		{"a\r\nb", `a\r\nb`},
		{"col\tumn", `col\tumn`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"\x1b[2J", `\x1b[2J`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"c1 \u0085 \u009b", `c1 \u0085 \u009b`},
		{"invoice\u202efdp.exe", `invoice\u202efdp.exe`},
		{"\u202a\u202b\u202c\u202d \u2066\u2067\u2068\u2069", `\u202a\u202b\u202c\u202d \u2066\u2067\u2068\u2069`},
		{"line\u2028para\u2029", `line\u2028para\u2029`},
		{`back\slash`, `back\\slash`},
		{`\x1b`, `\\x1b`},
		{"bad \xff\xfe utf-8", `bad \xff\xfe utf-8`},
		{"emoji 👩‍💻 and \u200d joiner", "emoji 👩‍💻 and \u200d joiner"},
		{"", ""},
	} {
		if got := Name(tc.in); got != tc.want {
			t.Errorf("Name(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLineKeepsBackslash(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"desc":"\u4e2d"}`, `{"desc":"\u4e2d"}`},
		{`refusing the object name "a\nb"`, `refusing the object name "a\nb"`},
		{"raw\nbreak \x1b[2J \u202e", `raw\nbreak \x1b[2J \u202e`},
	} {
		if got := Line(tc.in); got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPath(t *testing.T) {
	in := filepath.Join("dir", "a\nb") + `\c`
	want := "dir" + string(filepath.Separator) + `a\nb\\c`
	if filepath.Separator == '\\' {
		want = `dir\a\nb\c`
	}
	if got := Path(in); got != want {
		t.Errorf("Path(%q) = %q, want %q", in, got, want)
	}
}

// unquote reads Name's output back, as a Go string literal.
func unquote(s string) (string, error) {
	return strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
}

// Name must keep one entry on one line and must not lose information: its
// output holds no control character and reads back to the input.
func FuzzName(f *testing.F) {
	for _, s := range []string{"a\nb", "\x1b[2J", "\u202e", `\`, `\\x`, "季度", "\xff", "\"", `\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Name(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Name(%q) = %q is not UTF-8", s, got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || unsafeRune(r) {
				t.Fatalf("Name(%q) = %q holds %U", s, got, r)
			}
		}
		back, err := unquote(got)
		if err != nil || back != s {
			t.Fatalf("Name(%q) = %q reads back as %q (%v)", s, got, back, err)
		}
		if l := Line(s); strings.ContainsAny(l, "\n\r\x1b") {
			t.Fatalf("Line(%q) = %q", s, l)
		}
	})
}
