package envelope

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func baseMeta() map[string]string {
	return map[string]string{
		HeaderKey:     base64.StdEncoding.EncodeToString([]byte("wrapped key bytes!")),
		HeaderStart:   base64.StdEncoding.EncodeToString([]byte("wrapped iv bytes")),
		HeaderCEKAlg:  CEKAlgAESCTR,
		HeaderWrapAlg: WrapRSA,
	}
}

func TestParseHeaderAnyCase(t *testing.T) {
	for _, name := range []func(string) string{
		strings.ToLower, strings.ToUpper, http.CanonicalHeaderKey,
	} {
		h := http.Header{}
		for k, v := range baseMeta() {
			h[name(MetaPrefix+k)] = []string{v}
		}
		h["Content-Type"] = []string{"image/jpeg"}
		e, err := ParseHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if string(e.WrappedKey) != "wrapped key bytes!" || string(e.WrappedIV) != "wrapped iv bytes" {
			t.Errorf("wrapped values %q %q", e.WrappedKey, e.WrappedIV)
		}
		if e.UnencryptedLength != -1 || e.Legacy || e.Integrity != nil || e.MatDesc != nil {
			t.Errorf("unexpected fields: %+v", e)
		}
	}
	if _, err := ParseHeader(http.Header{"Content-Type": {"text/plain"}}); !errors.Is(err, ErrNotEncrypted) {
		t.Errorf("plain object: %v", err)
	}
}

func TestLenientBase64(t *testing.T) {
	raw := []byte{0xfb, 0xff, 0xfe, 0x01, 0x02}
	std := base64.StdEncoding.EncodeToString(raw) // "+//+AQI="
	for _, v := range []string{
		std,
		strings.TrimRight(std, "="),
		base64.URLEncoding.EncodeToString(raw),
		base64.RawURLEncoding.EncodeToString(raw),
		" " + std[:4] + "\r\n" + std[4:] + "\n",
	} {
		got, err := decodeBase64(v)
		if err != nil || string(got) != string(raw) {
			t.Errorf("decodeBase64(%q) = %x, %v", v, got, err)
		}
	}
	for _, v := range []string{"", "   ", "====", "+/-_", "a", "ab$d", "YWJj\x00"} {
		if _, err := decodeBase64(v); err == nil {
			t.Errorf("decodeBase64(%q) accepted", v)
		}
	}
}

func TestParseMetaErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(m map[string]string)
		header string // the HeaderError's name; "" = no error
	}{
		{"ok", func(m map[string]string) {}, ""},
		{"prefixed names", func(m map[string]string) {
			for k, v := range m {
				delete(m, k)
				m["X-Oss-Meta-"+k] = v
			}
		}, ""},
		{"cek-alg case", func(m map[string]string) { m[HeaderCEKAlg] = "aes/ctr/nopadding" }, ""},
		{"no start", func(m map[string]string) { delete(m, HeaderStart) }, HeaderStart},
		{"bad key", func(m map[string]string) { m[HeaderKey] = "not base64!" }, HeaderKey},
		{"bad start", func(m map[string]string) { m[HeaderStart] = "%%%" }, HeaderStart},
		{"gcm", func(m map[string]string) { m[HeaderCEKAlg] = "AES/GCM/NoPadding" }, HeaderCEKAlg},
		{"no cek-alg", func(m map[string]string) { delete(m, HeaderCEKAlg) }, HeaderCEKAlg},
		{"no wrap-alg", func(m map[string]string) { delete(m, HeaderWrapAlg) }, HeaderWrapAlg},
		{"length", func(m map[string]string) { m[HeaderUnencryptedLength] = "-1" }, HeaderUnencryptedLength},
		{"data-size", func(m map[string]string) { m[HeaderDataSize] = "12x" }, HeaderDataSize},
		{"part-size", func(m map[string]string) { m[HeaderPartSize] = "100" }, HeaderPartSize},
		{"part-size huge", func(m map[string]string) { m[HeaderPartSize] = "99999999999999999999" }, HeaderPartSize},
		{"mac only", func(m map[string]string) { m[HeaderMAC] = "AAAA" }, HeaderMACAlg},
		{"key check", func(m map[string]string) { m[HeaderKeyCheck] = "AAAA" }, HeaderKeyCheck},
		{"chunk size", func(m map[string]string) {
			m[HeaderMACAlg], m[HeaderChunkSize], m[HeaderSize], m[HeaderMAC] = MACAlg, "100", "5", base64.StdEncoding.EncodeToString(make([]byte, 32))
		}, HeaderChunkSize},
		{"too many chunks", func(m map[string]string) {
			m[HeaderMACAlg], m[HeaderChunkSize], m[HeaderSize], m[HeaderMAC] = MACAlg, "16", "999999999999", base64.StdEncoding.EncodeToString(make([]byte, 32))
		}, HeaderChunkSize},
		{"short mac", func(m map[string]string) {
			m[HeaderMACAlg], m[HeaderChunkSize], m[HeaderSize], m[HeaderMAC] = MACAlg, "16", "5", "AAAA"
		}, HeaderMAC},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := baseMeta()
			c.change(m)
			_, err := ParseMeta(m)
			if c.header == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var he *HeaderError
			if !errors.As(err, &he) || he.Name != c.header {
				t.Fatalf("err = %v, want a HeaderError for %s", err, c.header)
			}
			if !errors.Is(err, ErrIntegrity) {
				t.Error("a malformed envelope does not match ErrIntegrity")
			}
		})
	}
}

func TestParseMatDesc(t *testing.T) {
	for _, c := range []struct {
		in   string
		want MatDesc
		ok   bool
	}{
		{"", nil, true},
		{`{"desc":"x"}`, MatDesc{"desc": "x"}, true},
		{`{"desc": "x", "a": "b"}`, MatDesc{"desc": "x", "a": "b"}, true},
		{`{"u":"\u00e9\/"}`, MatDesc{"u": "é/"}, true},
		{`{}`, MatDesc{}, true},
		{`null`, nil, false},
		{`{"a":1}`, nil, false},
		{`["a"]`, nil, false},
		{`{"a":"b"} x`, nil, false},
		{`{"a":"b"`, nil, false},
	} {
		got, err := ParseMatDesc(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseMatDesc(%q) err = %v", c.in, err)
			continue
		}
		if c.ok && !got.Equal(c.want) {
			t.Errorf("ParseMatDesc(%q) = %v", c.in, got)
		}
	}
	if s := (MatDesc{}).String(); s != "" {
		t.Errorf("empty String() = %q", s)
	}
	if s := (MatDesc{"b": "1", "a": "2"}).String(); s != `{"a":"2","b":"1"}` {
		t.Errorf("String() = %q", s)
	}
	if (MatDesc{"a": "1"}).Equal(MatDesc{"a": "2"}) || !(MatDesc{}).Equal(nil) {
		t.Error("Equal is wrong")
	}
	// A matdesc that is not a JSON object of strings is kept as stored.
	m := baseMeta()
	m[HeaderMatDesc] = `{"n": 1}`
	e, err := ParseMeta(m)
	if err != nil || e.RawMatDesc != `{"n": 1}` || e.MatDesc != nil {
		t.Errorf("odd matdesc: %v %+v", err, e)
	}
	if e.Meta()[HeaderMatDesc] != `{"n": 1}` {
		t.Error("odd matdesc not written back as stored")
	}
}

func TestParseContentRange(t *testing.T) {
	for _, c := range []struct {
		in                string
		start, end, total int64
		ok                bool
	}{
		{"bytes 0-99/100", 0, 99, 100, true},
		{"bytes 21808-21838/21839", 21808, 21838, 21839, true},
		{"Bytes 5-5/*", 5, 5, -1, true},
		{" bytes  1-2/3 ", 1, 2, 3, true},
		{"bytes 0-99/99", 0, 0, 0, false},
		{"bytes 5-4/10", 0, 0, 0, false},
		{"bytes */100", 0, 0, 0, false},
		{"bytes -5/100", 0, 0, 0, false},
		{"bytes 1-/100", 0, 0, 0, false},
		{"items 0-1/2", 0, 0, 0, false},
		{"bytes 0-1", 0, 0, 0, false},
		{"bytes +1-2/3", 0, 0, 0, false},
		{"bytes 0-1/x", 0, 0, 0, false},
		{"", 0, 0, 0, false},
		{"bytes 0-99999999999999999999/1", 0, 0, 0, false},
	} {
		s, e, tot, err := ParseContentRange(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseContentRange(%q) err = %v", c.in, err)
			continue
		}
		if c.ok && (s != c.start || e != c.end || tot != c.total) {
			t.Errorf("ParseContentRange(%q) = %d %d %d", c.in, s, e, tot)
		}
	}
}

func TestPartSize(t *testing.T) {
	const MiB = 1 << 20
	for _, c := range []struct{ size, min, want int64 }{
		{0, 0, 16},
		{100, 100 << 10, 100 << 10},
		{100, 100<<10 + 1, 100<<10 + 16},
		{10000 * 16, 1, 16},
		{10000*16 + 1, 1, 32},
		{10 << 30, 100 << 10, 2 * MiB},                     // 1.07 MB needed -> rounded to the 1 MiB chunk
		{48_800_000_000_000, 100 << 10, 4_880_000_000 + 0}, // rounded below
		{-5, 16, 16},
	} {
		got := PartSize(c.size, c.min)
		if c.size == 48_800_000_000_000 {
			// 48.8 TB in 10,000 parts: a multiple of the chunk size for
			// that object, and just enough.
			cs := ChunkSizeFor(c.size)
			if got%cs != 0 || got*MaxParts < c.size || (got-cs)*MaxParts >= c.size {
				t.Errorf("PartSize(48.8 TB) = %d (chunk %d)", got, cs)
			}
			continue
		}
		if got != c.want {
			t.Errorf("PartSize(%d, %d) = %d, want %d", c.size, c.min, got, c.want)
		}
	}
	// Properties over a spread of sizes.
	for size := int64(1); size < 1<<50; size = size*3 + 7 {
		for _, m := range []int64{1, 100 << 10, 5 * MiB} {
			p := PartSize(size, m)
			if p%16 != 0 || p < m || (size+p-1)/p > MaxParts {
				t.Fatalf("PartSize(%d, %d) = %d", size, m, p)
			}
			if cs := ChunkSizeFor(size); p >= cs && p%cs != 0 {
				t.Fatalf("PartSize(%d, %d) = %d is not a multiple of the chunk size %d", size, m, p, cs)
			}
		}
	}
	if ChunkSizeFor(0) != DefaultChunkSize || ChunkSizeFor(1<<40) != DefaultChunkSize || ChunkSizeFor(1<<40+1) != 2*DefaultChunkSize {
		t.Error("ChunkSizeFor boundaries are wrong")
	}
	if EncryptedSize(12345) != 12345 || DecryptedSize(12345) != 12345 {
		t.Error("CTR sizes are not the identity")
	}
}

func TestLegacyOptionalHeaders(t *testing.T) {
	m := map[string]string{
		"X-Oss-Meta-Oss-Crypto-Key":                        "AAAA",
		"X-Oss-Meta-Oss-Crypto-Start":                      "AAAA",
		"X-Oss-Meta-Oss-Cek-Alg":                           "AES/GCM/NoPadding",
		"X-Oss-Meta-Oss-Wrap-Alg":                          "rsa",
		"X-Oss-Meta-Oss-Crypto-Matdesc":                    `{"desc": "old"}`,
		"X-Oss-Meta-Oss-Crypto-Unencrypted-Content-Length": "1048576",
		"X-Oss-Meta-Oss-Crypto-Unencrypted-Content-Md5":    "md5",
	}
	e, err := ParseMeta(m)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Legacy || !e.MatDesc.Equal(MatDesc{"desc": "old"}) || e.UnencryptedLength != 1048576 || e.UnencryptedMD5 != "md5" {
		t.Fatalf("legacy envelope %+v", e)
	}
	out := e.Meta()
	if out[HeaderLegacyMatDesc] != `{"desc": "old"}` || out[HeaderLegacyLength] != "1048576" || out[HeaderKey] != "" {
		t.Errorf("legacy Meta %v", out)
	}
	m["X-Oss-Meta-Oss-Crypto-Unencrypted-Content-Length"] = "x"
	if _, err := ParseMeta(m); !errors.Is(err, ErrIntegrity) {
		t.Errorf("bad legacy length: %v", err)
	}
}
