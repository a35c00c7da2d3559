package osslocal_test

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	osscrypto "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// wireResponse is a response head as the bytes arrived: header names keep
// the case the server wrote, the way the Java and C++ SDKs look them up.
type wireResponse struct {
	status  int
	names   []string            // in order of arrival
	headers map[string][]string // exact name -> values
	body    []byte
}

func (w wireResponse) get(name string) (string, bool) {
	vs, ok := w.headers[name]
	if !ok {
		return "", false
	}
	return vs[0], true
}

// rawRequest sends one request over a plain TCP connection and reads the
// response without net/http's header canonicalisation.
func rawRequest(t *testing.T, method, rawURL string, hdr map[string]string, body []byte) wireResponse {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	var req bytes.Buffer
	req.WriteString(method + " " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nConnection: close\r\n")
	for k, v := range hdr {
		req.WriteString(k + ": " + v + "\r\n")
	}
	if body != nil || method == http.MethodPut {
		req.WriteString("Content-Length: " + itoa(len(body)) + "\r\n")
	}
	req.WriteString("\r\n")
	req.Write(body)
	if _, err := conn.Write(req.Bytes()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var res wireResponse
	res.headers = map[string][]string{}
	fields := strings.Fields(line)
	if len(fields) < 2 {
		t.Fatalf("status line %q", line)
	}
	res.status = atoi(t, fields[1])
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("header line %q", line)
		}
		res.names = append(res.names, name)
		res.headers[name] = append(res.headers[name], strings.TrimSpace(value))
	}
	if method != http.MethodHead {
		res.body, _ = io.ReadAll(br) // Connection: close ends the body
	}
	return res
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

var quotedETag = regexp.MustCompile(`^"[0-9A-F]{32}(-[0-9]+)?"$`)

// checkOSSNames fails for any x-oss-* name not written in lower case and for
// the standard names OSS spells differently from Go (ETag, Content-MD5).
func checkOSSNames(t *testing.T, what string, res wireResponse) {
	t.Helper()
	for _, n := range res.names {
		low := strings.ToLower(n)
		switch {
		case strings.HasPrefix(low, "x-oss-") && n != low:
			t.Errorf("%s: header %q, OSS writes %q", what, n, low)
		case low == "etag" && n != "ETag":
			t.Errorf("%s: header %q, OSS writes ETag", what, n)
		case low == "content-md5" && n != "Content-MD5":
			t.Errorf("%s: header %q, OSS writes Content-MD5", what, n)
		}
	}
	if _, ok := res.get("x-oss-request-id"); !ok {
		t.Errorf("%s: no x-oss-request-id among %q", what, res.names)
	}
}

// TestWireHeaderNames reads objects written by the SDK's crypto client
// through a client that matches header names case-sensitively, as the Java
// and C++ SDKs do, and finds the envelope and OSS's other headers spelt as
// OSS spells them.
func TestWireHeaderNames(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	master, err := osscrypto.CreateMasterRsa(map[string]string{"desc": "wire test"}, pubPEM, privPEM)
	if err != nil {
		t.Fatal(err)
	}
	builder := osscrypto.CreateAesCtrCipher(master)

	srv := osstest.Start(t, osstest.WithBuckets("wire"))
	client := newClient(t, srv, clientConfig{name: "V1"})
	plain, err := client.Bucket("wire")
	if err != nil {
		t.Fatal(err)
	}
	cb, err := osscrypto.GetCryptoBucket(client, "wire", builder)
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(16, 100_003)
	if err := cb.PutObject("single", bytes.NewReader(data), oss.Meta("Mixed-Case", "v"), oss.ContentType("text/plain")); err != nil {
		t.Fatal(err)
	}
	// A multipart CSE object: its headers differ (no Content-MD5, an
	// ETag with a part count).
	cc, err := builder.ContentCipher()
	if err != nil {
		t.Fatal(err)
	}
	const partSize = 102400
	multi := randomBytes(17, 2*partSize+10)
	ctx := osscrypto.PartCryptoContext{ContentCipher: cc, DataSize: int64(len(multi)), PartSize: partSize}
	imur, err := cb.InitiateMultipartUpload("multi", &ctx)
	if err != nil {
		t.Fatal(err)
	}
	var parts []oss.UploadPart
	for n, off := 1, 0; off < len(multi); n, off = n+1, off+partSize {
		end := min(off+partSize, len(multi))
		p, err := cb.UploadPart(imur, bytes.NewReader(multi[off:end]), int64(end-off), n, ctx)
		if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
		parts = append(parts, p)
	}
	if _, err := cb.CompleteMultipartUpload(imur, parts); err != nil {
		t.Fatal(err)
	}

	envelope := []string{
		"x-oss-meta-client-side-encryption-key", "x-oss-meta-client-side-encryption-start",
		"x-oss-meta-client-side-encryption-cek-alg", "x-oss-meta-client-side-encryption-wrap-alg",
	}
	cases := []struct {
		method, key string
		want        []string // exact names that must be present
		size        int
	}{
		{http.MethodGet, "single", []string{"ETag", "Last-Modified", "Content-Type", "Content-Length", "Content-MD5", "x-oss-hash-crc64ecma", "x-oss-object-type", "x-oss-storage-class", "x-oss-meta-mixed-case"}, len(data)},
		{http.MethodHead, "single", []string{"ETag", "Last-Modified", "Content-Type", "Content-MD5", "x-oss-hash-crc64ecma", "x-oss-meta-mixed-case"}, len(data)},
		{http.MethodGet, "multi", []string{"ETag", "Last-Modified", "Content-Type", "x-oss-hash-crc64ecma", "x-oss-object-type", "x-oss-meta-client-side-encryption-data-size", "x-oss-meta-client-side-encryption-part-size"}, len(multi)},
	}
	for _, c := range cases {
		what := c.method + " " + c.key
		signed, err := plain.SignURL(c.key, oss.HTTPMethod(c.method), 60)
		if err != nil {
			t.Fatal(err)
		}
		res := rawRequest(t, c.method, signed, nil, nil)
		if res.status != http.StatusOK {
			t.Fatalf("%s: status %d %s", what, res.status, res.body)
		}
		checkOSSNames(t, what, res)
		for _, n := range append(envelope, c.want...) {
			if _, ok := res.get(n); !ok {
				t.Errorf("%s: no header named exactly %q among %q", what, n, res.names)
			}
		}
		if v, _ := res.get("ETag"); !quotedETag.MatchString(v) {
			t.Errorf("%s: ETag %q is not OSS's quoted upper-case hex", what, v)
		}
		if v, _ := res.get("Last-Modified"); !httpTime(v) {
			t.Errorf("%s: Last-Modified %q is not in http.TimeFormat", what, v)
		}
		if v, _ := res.get("Content-Type"); c.key == "single" && v != "text/plain" {
			t.Errorf("%s: Content-Type %q, want the stored text/plain", what, v)
		}
		if c.method == http.MethodGet && len(res.body) != c.size {
			t.Errorf("%s: %d body bytes, want %d", what, len(res.body), c.size)
		}
	}

	// A PUT's answer, and errors with and without a body.
	signed, err := plain.SignURL("raw-put", oss.HTTPPut, 60)
	if err != nil {
		t.Fatal(err)
	}
	res := rawRequest(t, http.MethodPut, signed, nil, []byte("hello"))
	checkOSSNames(t, "PUT", res)
	for _, n := range []string{"ETag", "Content-MD5", "x-oss-hash-crc64ecma"} {
		if _, ok := res.get(n); !ok {
			t.Errorf("PUT: no header named exactly %q among %q", n, res.names)
		}
	}
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		signed, err := plain.SignURL("missing", oss.HTTPMethod(m), 60)
		if err != nil {
			t.Fatal(err)
		}
		res := rawRequest(t, m, signed, nil, nil)
		if res.status != http.StatusNotFound {
			t.Fatalf("%s missing: status %d", m, res.status)
		}
		checkOSSNames(t, m+" missing", res)
		if _, ok := res.get("x-oss-ec"); !ok {
			t.Errorf("%s missing: no x-oss-ec among %q", m, res.names)
		}
		if _, ok := res.get("x-oss-err"); m == http.MethodHead && !ok {
			t.Errorf("HEAD missing: no x-oss-err among %q", res.names)
		}
		if m == http.MethodGet {
			if !bytes.HasPrefix(res.body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error>")) {
				t.Errorf("GET missing: body %q, want OSS's <Error> document without a namespace", res.body)
			}
		}
	}

	// A listing: OSS's document, quotes in <ETag> as they are.
	listURL := presignBucketV1(srv, "wire")
	res = rawRequest(t, http.MethodGet, listURL, nil, nil)
	checkOSSNames(t, "ListObjects", res)
	if v, _ := res.get("Content-Type"); v != "application/xml" {
		t.Errorf("ListObjects: Content-Type %q", v)
	}
	if !bytes.Contains(res.body, []byte(`<ListBucketResult>`)) || !regexp.MustCompile(`<ETag>"[0-9A-F]{32}"</ETag>`).Match(res.body) {
		t.Errorf("ListObjects: body %s", res.body)
	}

	// The SDK, which matches names case-insensitively, still reads it all.
	rc, err := cb.GetObject("multi", oss.Range(partSize-5, partSize+5))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, multi[partSize-5:partSize+6]) {
		t.Fatal("ranged decrypt across a part edge differs")
	}
	meta, err := plain.GetObjectDetailedMeta("single")
	if err != nil {
		t.Fatal(err)
	}
	if meta.Get("X-Oss-Meta-Mixed-Case") != "v" || meta.Get("Etag") == "" || meta.Get("X-Oss-Hash-Crc64ecma") == "" {
		t.Fatalf("SDK reads headers %v", meta)
	}
}

// presignBucketV1 is a V1 presigned GET of a bucket's listing, which the
// SDK's SignURL does not make (it needs an object name).
func presignBucketV1(srv *osstest.Server, bucket string) string {
	exp := strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10)
	mac := hmac.New(sha1.New, []byte(srv.AccessKeySecret))
	mac.Write([]byte("GET\n\n\n" + exp + "\n/" + bucket + "/"))
	q := url.Values{"OSSAccessKeyId": {srv.AccessKeyID}, "Expires": {exp}, "Signature": {base64.StdEncoding.EncodeToString(mac.Sum(nil))}}
	return srv.Endpoint + "/" + bucket + "/?" + q.Encode()
}

func httpTime(v string) bool {
	tm, err := time.Parse(http.TimeFormat, v)
	return err == nil && tm.Format(http.TimeFormat) == v
}
