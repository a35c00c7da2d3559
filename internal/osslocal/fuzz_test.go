package osslocal

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseRange(t *testing.T) {
	cases := []struct {
		header   string
		size     int64
		standard bool
		start    int64
		length   int64
		partial  bool
		ok       bool
	}{
		{"", 10, false, 0, 10, false, true},
		{"bytes=0-4", 10, false, 0, 5, true, true},
		{"bytes=5-", 10, false, 5, 5, true, true},
		{"bytes=-3", 10, false, 7, 3, true, true},
		{"bytes=0-9", 10, false, 0, 10, true, true},
		{"bytes=0-10", 10, false, 0, 10, false, true},
		{"bytes=0-10", 10, true, 0, 10, true, true},
		{"bytes=10-", 10, false, 0, 10, false, true},
		{"bytes=10-", 10, true, 0, 0, false, false},
		{"bytes=-11", 10, false, 0, 10, false, true},
		{"bytes=-11", 10, true, 0, 10, true, true},
		{"bytes=-0", 10, true, 0, 0, false, false},
		{"bytes=3-2", 10, false, 0, 10, false, true},
		{"bytes=3-2", 10, true, 0, 0, false, false},
		{"byte=0-1", 10, false, 0, 10, false, true},
		{"byte=0-1", 10, true, 0, 0, false, false},
		{"bytes=0-1,4-5", 10, false, 0, 2, true, true},
		{"bytes=0-1,4-5", 10, true, 0, 0, false, false},
		{"bytes=x-1", 10, false, 0, 10, false, true},
		{"bytes=0-", 0, false, 0, 0, false, true},
		{"bytes=0-", 0, true, 0, 0, false, false},
	}
	for _, c := range cases {
		s, l, p, ok := parseRange(c.header, c.size, c.standard)
		if s != c.start || l != c.length || p != c.partial || ok != c.ok {
			t.Errorf("parseRange(%q, %d, %v) = %d %d %v %v, want %d %d %v %v", c.header, c.size, c.standard, s, l, p, ok, c.start, c.length, c.partial, c.ok)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-1", "bytes=-5", "bytes=7-", "bytes=1-0", "bytes=0-1,2-3", "bytes=99999999999999999999-"} {
		f.Add(s, int64(10), false)
		f.Add(s, int64(0), true)
	}
	f.Fuzz(func(t *testing.T, header string, size int64, standard bool) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		start, length, partial, ok := parseRange(header, size, standard)
		if !ok {
			if !standard {
				t.Fatalf("the default behaviour never refuses a range: %q", header)
			}
			return
		}
		if start < 0 || length < 0 || start+length > size || (!partial && (start != 0 || length != size)) {
			t.Fatalf("parseRange(%q, %d) = %d+%d", header, size, start, length)
		}
	})
}

func FuzzParseCopySource(f *testing.F) {
	for _, s := range []string{"/b-1/k", "/bucket/a%2Fb+c", "bucket/%E6%97%A5", "/bucket/k?versionId=1", "/x", "//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, k, ok := parseCopySource(s)
		if ok && (!validBucketName(b) || !validObjectKey(k)) {
			t.Fatalf("accepted invalid source %q -> %q %q", s, b, k)
		}
		if ok {
			// What the v1 SDK sends for this source parses back to it.
			b2, k2, ok2 := parseCopySource("/" + b + "/" + url.QueryEscape(k))
			if !ok2 || b2 != b || k2 != k {
				t.Fatalf("round trip of %q %q gave %q %q", b, k, b2, k2)
			}
		}
	})
}

func FuzzTrailer(f *testing.F) {
	f.Add("key", "x-oss-meta-a", "value", []byte("content"))
	f.Add("\xff", "content-type", "\x00\xfe", []byte{})
	f.Fuzz(func(t *testing.T, key, metaName, metaValue string, content []byte) {
		if !utf8.ValidString(metaName) {
			return // a header name is a token (net/http refuses others)
		}
		path := filepath.Join(t.TempDir(), "obj")
		info := ObjectInfo{Key: key, Size: int64(len(content)), ETag: "E", CRC64: 7, LastModified: time.Unix(1, 0).UTC(), Meta: Meta{metaName: metaValue}}
		var buf bytes.Buffer
		at, err := writeKeyHeader(&buf, key)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(content)
		if err := writeTrailer(&buf, trailerOf(info, at)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readObjectInfo(path)
		if err != nil {
			t.Fatal(err)
		}
		if got.Key != key || got.Size != info.Size || got.Meta[metaName] != metaValue {
			t.Fatalf("round trip changed the object: %+v", got)
		}
		// Truncated files are refused, never misread, and still named by
		// their header while it is whole.
		for _, cut := range []int{1, 5, 13, len(content) + 1} {
			if cut > buf.Len() {
				continue
			}
			os.WriteFile(path, buf.Bytes()[:buf.Len()-cut], 0o600)
			if _, err := readObjectInfo(path); err == nil {
				t.Fatalf("a file cut by %d bytes was accepted", cut)
			}
			if k, ok := readKeyHeader(path); int64(buf.Len()-cut) >= at && (!ok || k != key) {
				t.Fatalf("a file cut by %d bytes lost its key: %q %v", cut, k, ok)
			}
		}
	})
}

// FuzzKeyHeader reads arbitrary file beginnings as a key header: never a
// panic or a huge allocation, and a key only from a header that holds one.
func FuzzKeyHeader(f *testing.F) {
	var good bytes.Buffer
	writeKeyHeader(&good, "reports/q1.txt")
	f.Add(good.Bytes())
	f.Add([]byte("OSSLOCk1\xff\xff\xff\xff"))
	f.Add([]byte("OSSLOCk1\x00\x00\x00\x05ab"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		path := filepath.Join(t.TempDir(), "obj")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		key, ok := readKeyHeader(path)
		if !ok {
			return
		}
		var want bytes.Buffer
		writeKeyHeader(&want, key)
		if !bytes.HasPrefix(raw, want.Bytes()) {
			t.Fatalf("read key %q from a file that does not begin with its header", key)
		}
	})
}

// FuzzAuthorization feeds arbitrary Authorization headers and query
// strings: the server must answer with an OSS error, never serve or panic.
func FuzzAuthorization(f *testing.F) {
	f.Add("OSS ak:sig", "")
	f.Add("OSS4-HMAC-SHA256 Credential=ak/20250101/r/oss/aliyun_v4_request,Signature=00", "")
	f.Add("", "OSSAccessKeyId=ak&Expires=1&Signature=x")
	f.Add("", "acl")
	f.Add("OSS ak:sig", "live&versioning")
	f.Add("", "x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=ak%2F2025%2Fr%2Foss%2Faliyun_v4_request&x-oss-date=20250101T000000Z&x-oss-expires=60&x-oss-signature=00")
	srv, err := New(Options{Store: NewMemoryStore(), Credentials: []Credential{{AccessKeyID: "ak", AccessKeySecret: "secret"}}})
	if err != nil {
		f.Fatal(err)
	}
	srv.CreateBucket("fuzz")
	// An object to serve: a request that got past authentication would
	// answer 200.
	srv.Store().PutObject("fuzz", "key", Meta{}, strings.NewReader("secret content"), PutOptions{})
	f.Fuzz(func(t *testing.T, authz, rawQuery string) {
		u := "http://127.0.0.1/fuzz/key"
		if rawQuery != "" {
			u += "?" + rawQuery
		}
		r, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return
		}
		if authz != "" {
			if strings.ContainsAny(authz, "\r\n") {
				return
			}
			r.Header.Set("Authorization", authz)
		}
		r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code < 400 || !strings.Contains(w.Body.String(), "<Error>") {
			t.Fatalf("unsigned request answered %d: %s", w.Code, w.Body.String())
		}
	})
}

func TestEscapeV4MatchesSDK(t *testing.T) {
	for _, s := range []string{"a b+c/d~e*f'g(h)!", "日本", "%2F", "-._~"} {
		want := strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
		if got := escapeV4(s, false); got != want {
			t.Errorf("escapeV4(%q) = %q, want %q", s, got, want)
		}
	}
}

// FuzzParseTagging reads arbitrary PutObjectTagging bodies: never a panic;
// what is accepted obeys OSS's tag rules and survives being written back
// as XML and read again unchanged.
func FuzzParseTagging(f *testing.F) {
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>ossvault-mac</Key><Value>onh3lX48v78EEaq93wLpyMjtWOXs3JksvXuXTUNdGOI=</Value></Tag></TagSet></Tagging>`))
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>`))
	f.Add([]byte(`<Tagging><TagSet></TagSet></Tagging>`))
	f.Add([]byte(`<Tagging><TagSet><Tag><Key></Key><Value>x</Value></Tag></TagSet></Tagging>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tags, e := parseTagging(body)
		if e != nil {
			if tags != nil {
				t.Fatal("tags returned with an error")
			}
			return
		}
		if checkTags(tags) != nil {
			t.Fatalf("accepted tags that break the rules: %q", tags)
		}
		var x taggingXML
		for _, k := range sortedKeys(tags) {
			x.Tags = append(x.Tags, struct {
				Key   string `xml:"Key"`
				Value string `xml:"Value"`
			}{k, tags[k]})
		}
		again, err := xml.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		back, e := parseTagging(again)
		if e != nil || len(back) != len(tags) {
			t.Fatalf("written back as %s: %v %v", again, back, e)
		}
		for k, v := range tags {
			if back[k] != v {
				t.Fatalf("tag %q: %q became %q", k, v, back[k])
			}
		}
	})
}
