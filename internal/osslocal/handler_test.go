package osslocal

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Requests the SDKs would refuse to send, signed by hand (V1) and handed to
// the handler directly.
func signedRequest(t *testing.T, s *Server, method, target string, body io.Reader) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, body)
	r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	rt := s.parseRoute(r)
	sts := v1StringToSign(r, rt, r.URL.Query(), r.Header.Get("Date"))
	r.Header.Set("Authorization", "OSS id:"+v1Sign("secret", sts))
	return r
}

func newTestServer(t *testing.T) *Server {
	t.Helper()
	s, err := New(Options{Store: NewMemoryStore(), Credentials: []Credential{{AccessKeyID: "id", AccessKeySecret: "secret"}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func serve(s *Server, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var e errorBody
	if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("status %d, body %q: %v", w.Code, w.Body.String(), err)
	}
	if e.RequestID == "" || e.RequestID != rawHeader(w.Header(), "x-oss-request-id") {
		t.Fatalf("request id %q in body, %q in header", e.RequestID, rawHeader(w.Header(), "x-oss-request-id"))
	}
	return e.Code
}

func TestHandlerRefusals(t *testing.T) {
	s := newTestServer(t)
	s.CreateBucket("good-bucket")
	cases := []struct {
		method, target string
		status         int
		code           string
	}{
		{"PUT", "/UPPER/", 400, "InvalidBucketName"},
		{"PUT", "/ab/", 400, "InvalidBucketName"},
		{"GET", "/under_score/k", 400, "InvalidBucketName"},
		{"PUT", "/good-bucket/" + strings.Repeat("k", 1024), 400, "InvalidObjectName"},
		{"PUT", "/good-bucket/k?acl", 501, "NotImplemented"},
		{"GET", "/good-bucket/k?acl", 404, "NoSuchKey"},
		{"GET", "/good-bucket/?versions", 501, "NotImplemented"},
		{"PUT", "/good-bucket/?versioning", 501, "NotImplemented"},
		{"GET", "/missing-bucket/?live", 404, "NoSuchBucket"},
		{"PUT", "/good-bucket/missing?tagging", 400, "MalformedXML"},
		{"GET", "/good-bucket/missing?tagging", 404, "NoSuchKey"},
		{"PUT", "/good-bucket/k?symlink", 501, "NotImplemented"},
		{"POST", "/good-bucket/k?append&position=0", 501, "NotImplemented"},
		{"DELETE", "/", 405, "MethodNotAllowed"},
		{"GET", "/good-bucket/k?uploadId=nosuch", 404, "NoSuchUpload"},
		{"GET", "/good-bucket/?max-keys=abc", 400, "InvalidArgument"},
		{"GET", "/missing-bucket/?uploads", 404, "NoSuchBucket"},
	}
	for _, c := range cases {
		w := serve(s, signedRequest(t, s, c.method, c.target, nil))
		if w.Code != c.status || errorCode(t, w) != c.code {
			t.Errorf("%s %s: %d %s, want %d %s", c.method, c.target, w.Code, w.Body.String(), c.status, c.code)
		}
	}
}

func TestHeadErrorInHeader(t *testing.T) {
	s := newTestServer(t)
	s.CreateBucket("good-bucket")
	w := serve(s, signedRequest(t, s, "HEAD", "/good-bucket/missing", nil))
	if w.Code != 404 || w.Body.Len() != 0 || rawHeader(w.Header(), "x-oss-err") == "" || rawHeader(w.Header(), "x-oss-ec") == "" {
		t.Fatalf("HEAD error: %d, body %q, headers %v", w.Code, w.Body.String(), w.Header())
	}
}

func TestClockSkew(t *testing.T) {
	s := newTestServer(t)
	s.CreateBucket("good-bucket")
	r := signedRequest(t, s, "GET", "/good-bucket/?max-keys=1", nil)
	s.now = func() time.Time { return time.Now().Add(time.Hour) }
	if w := serve(s, r); w.Code != 403 || errorCode(t, w) != "RequestTimeTooSkewed" {
		t.Fatalf("skewed request: %d %s", w.Code, w.Body.String())
	}
}

func TestListMultipartUploadsPaging(t *testing.T) {
	s := newTestServer(t)
	s.CreateBucket("uploads")
	for _, k := range []string{"a", "a", "b/1", "b/2", "c"} {
		if _, err := s.store.CreateUpload("uploads", k, Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	list := func(query string) listUploadsResult {
		t.Helper()
		w := serve(s, signedRequest(t, s, "GET", "/uploads/?uploads&"+query, nil))
		var res listUploadsResult
		if w.Code != 200 || xml.Unmarshal(w.Body.Bytes(), &res) != nil {
			t.Fatalf("%s: %d %s", query, w.Code, w.Body.String())
		}
		return res
	}
	var got []string
	query := "max-uploads=2"
	for i := 0; i < 10; i++ {
		res := list(query)
		for _, u := range res.Uploads {
			got = append(got, u.Key)
		}
		if !res.IsTruncated {
			break
		}
		query = "max-uploads=2&key-marker=" + res.NextKeyMarker + "&upload-id-marker=" + res.NextUploadIDMarker
	}
	if strings.Join(got, ",") != "a,a,b/1,b/2,c" {
		t.Fatalf("paged uploads: %v", got)
	}
	res := list("delimiter=/")
	if len(res.Uploads) != 3 || len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0].Prefix != "b/" {
		t.Fatalf("with delimiter: %+v", res)
	}
	res = list("prefix=b/")
	if len(res.Uploads) != 2 {
		t.Fatalf("with prefix: %+v", res)
	}
}

func TestCloseTwice(t *testing.T) {
	s := newTestServer(t)
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// rawHeader returns the response header stored under exactly name, the
// way a case-sensitive client would look it up.
func rawHeader(h http.Header, name string) string {
	if vs := h[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}
