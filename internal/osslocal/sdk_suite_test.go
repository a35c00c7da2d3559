package osslocal_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// The conformance suite drives the server with the unmodified official SDK
// (v1), once per store and once per way of addressing and signing.

type clientConfig struct {
	name      string
	localhost bool // endpoint http://localhost:port with ForcePathStyle
	v4        bool
}

var clientConfigs = []clientConfig{
	{name: "V1-IP"},
	{name: "V4-IP", v4: true},
	{name: "V1-localhost", localhost: true},
	{name: "V4-localhost", localhost: true, v4: true},
}

const testRegion = "cn-local"

func newClient(t testing.TB, srv *osstest.Server, cfg clientConfig, extra ...oss.ClientOption) *oss.Client {
	t.Helper()
	endpoint := srv.Endpoint
	opts := []oss.ClientOption{}
	if cfg.localhost {
		endpoint = strings.Replace(endpoint, "127.0.0.1", "localhost", 1)
		opts = append(opts, oss.ForcePathStyle(true))
	}
	if cfg.v4 {
		opts = append(opts, oss.AuthVersion(oss.AuthV4), oss.Region(testRegion))
	}
	opts = append(opts, extra...)
	c, err := oss.New(endpoint, srv.AccessKeyID, srv.AccessKeySecret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func storeOptions(store string) []osstest.Option {
	if store == "memory" {
		return []osstest.Option{osstest.WithMemoryStore()}
	}
	return nil
}

func TestConformanceDisk(t *testing.T)   { runConformance(t, "disk") }
func TestConformanceMemory(t *testing.T) { runConformance(t, "memory") }

func runConformance(t *testing.T, store string) {
	for _, cfg := range clientConfigs {
		t.Run(cfg.name, func(t *testing.T) {
			t.Parallel()
			srv := osstest.Start(t, storeOptions(store)...)
			client := newClient(t, srv, cfg)
			env := &suiteEnv{srv: srv, client: client, cfg: cfg}
			t.Run("Buckets", env.testBuckets)
			t.Run("ObjectRoundTrip", env.testObjectRoundTrip)
			t.Run("Ranges", env.testRanges)
			t.Run("Conditions", env.testConditions)
			t.Run("Keys", env.testKeys)
			t.Run("List", env.testList)
			t.Run("Delete", env.testDelete)
			t.Run("Copy", env.testCopy)
			t.Run("Multipart", env.testMultipart)
			t.Run("MultipartErrors", env.testMultipartErrors)
			t.Run("CSEMultipart", env.testCSEMultipart)
			t.Run("UploadDownloadFile", env.testUploadDownloadFile)
			t.Run("Auth", env.testAuth)
			t.Run("SignedURL", env.testSignedURL)
		})
	}
}

type suiteEnv struct {
	srv    *osstest.Server
	client *oss.Client
	cfg    clientConfig
}

func (e *suiteEnv) bucket(t *testing.T, name string) *oss.Bucket {
	t.Helper()
	if err := e.client.CreateBucket(name); err != nil {
		t.Fatalf("CreateBucket(%s): %v", name, err)
	}
	b, err := e.client.Bucket(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// wantServiceError asserts err is an OSS error with the code and status.
func wantServiceError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var se oss.ServiceError
	if !errors.As(err, &se) {
		t.Fatalf("got error %v, want OSS error %d %s", err, status, code)
	}
	if se.StatusCode != status || se.Code != code {
		t.Fatalf("got OSS error %d %s (%s), want %d %s", se.StatusCode, se.Code, se.Message, status, code)
	}
	if se.RequestID == "" {
		t.Fatalf("error %s has no request id", code)
	}
}

func (e *suiteEnv) testBuckets(t *testing.T) {
	for _, n := range []string{"bk-alpha", "bk-beta", "bk-gamma", "other-one"} {
		if err := e.client.CreateBucket(n); err != nil {
			t.Fatalf("CreateBucket(%s): %v", n, err)
		}
	}
	wantServiceError(t, e.client.CreateBucket("bk-alpha"), http.StatusConflict, "BucketAlreadyExists")

	res, err := e.client.ListBuckets(oss.Prefix("bk-"), oss.MaxKeys(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Buckets) != 2 || res.Buckets[0].Name != "bk-alpha" || res.Buckets[1].Name != "bk-beta" || !res.IsTruncated || res.NextMarker != "bk-beta" {
		t.Fatalf("first page: %+v", res)
	}
	res, err = e.client.ListBuckets(oss.Prefix("bk-"), oss.Marker(res.NextMarker))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Buckets) != 1 || res.Buckets[0].Name != "bk-gamma" || res.IsTruncated {
		t.Fatalf("second page: %+v", res)
	}

	info, err := e.client.GetBucketInfo("bk-beta")
	if err != nil {
		t.Fatal(err)
	}
	if info.BucketInfo.Name != "bk-beta" || info.BucketInfo.CreationDate.IsZero() {
		t.Fatalf("bucket info: %+v", info.BucketInfo)
	}
	_, err = e.client.GetBucketInfo("no-such-bucket")
	wantServiceError(t, err, http.StatusNotFound, "NoSuchBucket")
	if ok, err := e.client.IsBucketExist("bk-gamma"); err != nil || !ok {
		t.Fatalf("IsBucketExist = %v, %v", ok, err)
	}

	b, _ := e.client.Bucket("bk-alpha")
	if err := b.PutObject("x", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	wantServiceError(t, e.client.DeleteBucket("bk-alpha"), http.StatusConflict, "BucketNotEmpty")
	if err := b.DeleteObject("x"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"bk-alpha", "bk-beta", "bk-gamma", "other-one"} {
		if err := e.client.DeleteBucket(n); err != nil {
			t.Fatalf("DeleteBucket(%s): %v", n, err)
		}
	}
	wantServiceError(t, e.client.DeleteBucket("bk-alpha"), http.StatusNotFound, "NoSuchBucket")

	// Names OSS refuses: the request reaches the server only through a raw
	// signed request, since the SDK itself checks names too.
	for _, bad := range []string{"UPPER", "ab", "under_score", "-lead", strings.Repeat("a", 64)} {
		err := e.client.CreateBucket(bad)
		if err == nil {
			t.Fatalf("CreateBucket(%q) succeeded", bad)
		}
	}
}

func (e *suiteEnv) testObjectRoundTrip(t *testing.T) {
	b := e.bucket(t, "round-trip")
	data := randomBytes(1, 300_000)
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	err := b.PutObject("dir/file.bin", bytes.NewReader(data),
		oss.ContentType("application/x-test"), oss.ContentDisposition(`attachment; filename="f.bin"`),
		oss.CacheControl("no-cache"), oss.ContentEncoding("identity"), oss.Expires(expires),
		oss.Meta("Color", "blue"), oss.Meta("client-side-encryption-matdesc", `{"a":"b"}`))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := b.GetObject("dir/file.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc) // the SDK checks the CRC-64 on close of a full read
	rc.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GetObject: %d bytes, err %v", len(got), err)
	}

	h, err := b.GetObjectDetailedMeta("dir/file.bin")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Content-Type":        "application/x-test",
		"Content-Disposition": `attachment; filename="f.bin"`,
		"Cache-Control":       "no-cache",
		"Content-Encoding":    "identity",
		"Expires":             expires.Format(http.TimeFormat),
		"Content-Length":      "300000",
		"X-Oss-Meta-Color":    "blue",
		"X-Oss-Meta-Client-Side-Encryption-Matdesc": `{"a":"b"}`,
		"X-Oss-Object-Type":                         "Normal",
	}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("HeadObject %s = %q, want %q", k, h.Get(k), v)
		}
	}
	etag := strings.Trim(h.Get("ETag"), `"`)
	if etag != strings.ToUpper(md5hex(data)) {
		t.Errorf("ETag %s, want MD5 %s", etag, md5hex(data))
	}
	if h.Get("X-Oss-Hash-Crc64ecma") != crcString(data) {
		t.Errorf("CRC header %s, want %s", h.Get("X-Oss-Hash-Crc64ecma"), crcString(data))
	}
	if _, err := http.ParseTime(h.Get("Last-Modified")); err != nil || h.Get("X-Oss-Request-Id") == "" {
		t.Errorf("Last-Modified %q / request id %q", h.Get("Last-Modified"), h.Get("X-Oss-Request-Id"))
	}

	m, err := b.GetObjectMeta("dir/file.bin")
	if err != nil {
		t.Fatal(err)
	}
	if m.Get("Content-Length") != "300000" || strings.Trim(m.Get("ETag"), `"`) != etag {
		t.Errorf("GetObjectMeta: %v", m)
	}

	// Content-MD5: the right one is accepted, a wrong one refused and
	// nothing changes.
	if err := b.PutObject("md5", bytes.NewReader(data), oss.ContentMD5(md5b64(data))); err != nil {
		t.Fatal(err)
	}
	err = b.PutObject("md5", strings.NewReader("other content"), oss.ContentMD5(md5b64(data)))
	wantServiceError(t, err, http.StatusBadRequest, "InvalidDigest")
	e.wantContent(t, b, "md5", data)

	// Empty object.
	if err := b.PutObject("empty", bytes.NewReader(nil)); err != nil {
		t.Fatal(err)
	}
	e.wantContent(t, b, "empty", []byte{})

	_, err = b.GetObject("missing")
	wantServiceError(t, err, http.StatusNotFound, "NoSuchKey")
	_, err = b.GetObjectDetailedMeta("missing")
	wantServiceError(t, err, http.StatusNotFound, "NoSuchKey")
	if ok, err := b.IsObjectExist("dir/file.bin"); err != nil || !ok {
		t.Fatalf("IsObjectExist = %v, %v", ok, err)
	}

	// Forbid overwrite.
	err = b.PutObject("md5", strings.NewReader("x"), oss.ForbidOverWrite(true))
	wantServiceError(t, err, http.StatusConflict, "FileAlreadyExists")
}

func (e *suiteEnv) wantContent(t *testing.T, b *oss.Bucket, key string, want []byte) {
	t.Helper()
	rc, err := b.GetObject(key)
	if err != nil {
		t.Fatalf("GetObject(%q): %v", key, err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatalf("GetObject(%q): %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("GetObject(%q): %d bytes differ from the %d expected", key, len(got), len(want))
	}
}

func (e *suiteEnv) testRanges(t *testing.T) {
	b := e.bucket(t, "ranges")
	data := randomBytes(2, 1000)
	if err := b.PutObject("r", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		opts       []oss.Option
		status     int
		start, end int // inclusive; expected content data[start:end+1]
	}{
		{"start-end", []oss.Option{oss.Range(10, 19)}, 206, 10, 19},
		{"open end", []oss.Option{oss.NormalizedRange("990-")}, 206, 990, 999},
		{"suffix", []oss.Option{oss.NormalizedRange("-5")}, 206, 995, 999},
		{"whole as range", []oss.Option{oss.NormalizedRange("0-")}, 206, 0, 999},
		{"end past size ignored", []oss.Option{oss.NormalizedRange("500-2000")}, 200, 0, 999},
		{"start past size ignored", []oss.Option{oss.NormalizedRange("1000-2000")}, 200, 0, 999},
		{"suffix too long ignored", []oss.Option{oss.NormalizedRange("-2000")}, 200, 0, 999},
		{"reversed ignored", []oss.Option{oss.NormalizedRange("20-10")}, 200, 0, 999},
		{"standard clamps end", []oss.Option{oss.NormalizedRange("500-2000"), oss.RangeBehavior("standard")}, 206, 500, 999},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var resp http.Header
			rc, err := b.GetObject("r", append(c.opts, oss.GetResponseHeader(&resp))...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data[c.start:c.end+1]) {
				t.Fatalf("got %d bytes, want data[%d:%d]", len(got), c.start, c.end+1)
			}
			if cr := resp.Get("Content-Range"); (c.status == 206) != (cr != "") {
				t.Fatalf("Content-Range %q for expected status %d", cr, c.status)
			}
			if c.status == 206 && resp.Get("Content-Range") != "bytes "+itoa(c.start)+"-"+itoa(c.end)+"/1000" {
				t.Fatalf("Content-Range %q", resp.Get("Content-Range"))
			}
		})
	}
	for _, r := range []string{"1000-2000", "20-10", "-0"} {
		_, err := b.GetObject("r", oss.NormalizedRange(r), oss.RangeBehavior("standard"))
		wantServiceError(t, err, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
	}
}

func (e *suiteEnv) testConditions(t *testing.T) {
	b := e.bucket(t, "conditions")
	data := []byte("conditional content")
	if err := b.PutObject("c", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	h, err := b.GetObjectDetailedMeta("c")
	if err != nil {
		t.Fatal(err)
	}
	etag := h.Get("ETag")
	mod, _ := http.ParseTime(h.Get("Last-Modified"))

	ok := func(opts ...oss.Option) {
		t.Helper()
		rc, err := b.GetObject("c", opts...)
		if err != nil {
			t.Fatalf("GetObject: %v", err)
		}
		rc.Close()
	}
	ok(oss.IfMatch(etag))
	ok(oss.IfNoneMatch(`"0000"`))
	ok(oss.IfModifiedSince(mod.Add(-time.Hour)))
	ok(oss.IfUnmodifiedSince(mod.Add(time.Hour)))

	_, err = b.GetObject("c", oss.IfMatch(`"0000"`))
	wantServiceError(t, err, http.StatusPreconditionFailed, "PreconditionFailed")
	_, err = b.GetObject("c", oss.IfUnmodifiedSince(mod.Add(-time.Hour)))
	wantServiceError(t, err, http.StatusPreconditionFailed, "PreconditionFailed")
	for _, opt := range []oss.Option{oss.IfNoneMatch(etag), oss.IfModifiedSince(mod.Add(time.Hour))} {
		_, err = b.GetObject("c", opt)
		if err == nil || !strings.Contains(err.Error(), "304") {
			t.Fatalf("want 304, got %v", err)
		}
	}
}

func (e *suiteEnv) testKeys(t *testing.T) {
	b := e.bucket(t, "keys")
	keys := []string{
		"with space", "unicode/日本語/файл.txt", "plus+sign", "percent%20literal%", "a/../b",
		"..", "double//slash", "trailing/", "question?mark", "hash#tag", "amp&eq=semi;", "tilde~star*",
		"emoji 🎉", "x-oss-meta-lookalike", strings.Repeat("k", 1023),
	}
	for _, k := range keys {
		if err := b.PutObject(k, bytes.NewReader([]byte(k))); err != nil {
			t.Fatalf("PutObject(%q): %v", k, err)
		}
		e.wantContent(t, b, k, []byte(k))
	}
	res, err := b.ListObjects(oss.MaxKeys(1000))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, o := range res.Objects {
		listed[o.Key] = true
	}
	for _, k := range keys {
		if !listed[k] {
			t.Errorf("key %q not listed", k)
		}
	}
	// OSS refuses keys with a leading slash or backslash.
	for _, bad := range []string{"/leading", `\back`} {
		err := b.PutObject(bad, strings.NewReader("x"))
		wantServiceError(t, err, http.StatusBadRequest, "InvalidObjectName")
	}
	for _, k := range keys {
		if err := b.DeleteObject(k); err != nil {
			t.Fatalf("DeleteObject(%q): %v", k, err)
		}
	}
	res, err = b.ListObjects()
	if err != nil || len(res.Objects) != 0 {
		t.Fatalf("after deleting: %d objects, %v", len(res.Objects), err)
	}
}
