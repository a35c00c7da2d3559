package osslocal_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

func (e *suiteEnv) testAuth(t *testing.T) {
	e.bucket(t, "auth")
	endpoint := e.srv.Endpoint
	if e.cfg.localhost {
		endpoint = strings.Replace(endpoint, "127.0.0.1", "localhost", 1)
	}
	opts := []oss.ClientOption{oss.ForcePathStyle(e.cfg.localhost)}
	if e.cfg.v4 {
		opts = append(opts, oss.AuthVersion(oss.AuthV4), oss.Region(testRegion))
	}
	try := func(ak, secret string, extra ...oss.ClientOption) error {
		c, err := oss.New(endpoint, ak, secret, append(opts, extra...)...)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := c.Bucket("auth")
		return b.PutObject("k", strings.NewReader("data"))
	}
	wantServiceError(t, try(e.srv.AccessKeyID, "wrong-secret"), http.StatusForbidden, "SignatureDoesNotMatch")
	wantServiceError(t, try("LTAIunknown", e.srv.AccessKeySecret), http.StatusForbidden, "InvalidAccessKeyId")
	if err := try(e.srv.AccessKeyID, e.srv.AccessKeySecret); err != nil {
		t.Fatalf("right credentials: %v", err)
	}
	// Nothing is stored by a refused request.
	c, _ := oss.New(endpoint, e.srv.AccessKeyID, e.srv.AccessKeySecret, opts...)
	b, _ := c.Bucket("auth")
	if err := b.PutObject("k", strings.NewReader("good")); err != nil {
		t.Fatal(err)
	}
	try(e.srv.AccessKeyID, "wrong-secret")
	e.wantContent(t, b, "k", []byte("good"))

	// No signature at all.
	resp, err := http.Get(e.srv.Endpoint + "/auth/k")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>AccessDenied</Code>") {
		t.Fatalf("anonymous GET: %d %s", resp.StatusCode, body)
	}
	// A signature made for another object does not open this one.
	u, err := b.SignURL("k", oss.HTTPGet, 60)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(strings.Replace(u, "/auth/k?", "/auth/other?", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("signature reused for another key: %d", resp.StatusCode)
	}
}

func (e *suiteEnv) testSignedURL(t *testing.T) {
	b := e.bucket(t, "signed")
	data := randomBytes(8, 5000)
	if err := b.PutObject("obj name+ü", bytes.NewReader(data), oss.Meta("M", "v")); err != nil {
		t.Fatal(err)
	}
	u, err := b.SignURL("obj name+ü", oss.HTTPGet, 60)
	if err != nil {
		t.Fatal(err)
	}
	wantQuery := "OSSAccessKeyId="
	if e.cfg.v4 {
		wantQuery = "x-oss-signature-version=OSS4-HMAC-SHA256"
	}
	if !strings.Contains(u, wantQuery) {
		t.Fatalf("signed URL %s lacks %s", u, wantQuery)
	}
	// A plain HTTP client with no credentials opens it.
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, data) || resp.Header.Get("X-Oss-Meta-M") != "v" {
		t.Fatalf("signed GET: %d, %d bytes", resp.StatusCode, len(got))
	}
	// And the SDK's own URL methods.
	rc, err := b.GetObjectWithURL(u)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("GetObjectWithURL content differs")
	}
	put, err := b.SignURL("put-by-url", oss.HTTPPut, 60, oss.ContentType("text/plain"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PutObjectWithURL(put, strings.NewReader("via url"), oss.ContentType("text/plain")); err != nil {
		t.Fatal(err)
	}
	e.wantContent(t, b, "put-by-url", []byte("via url"))
	// A different Content-Type than signed is refused.
	err = b.PutObjectWithURL(put, strings.NewReader("via url"), oss.ContentType("text/html"))
	wantServiceError(t, err, http.StatusForbidden, "SignatureDoesNotMatch")

	// Expired links: one signed for a minute on a server whose clock is ten
	// minutes ahead, and one that runs out while we wait.
	ahead := osstest.Start(t, osstest.WithMemoryStore(), osstest.WithBuckets("signed"),
		osstest.WithClock(func() time.Time { return time.Now().Add(10 * time.Minute) }))
	ab, _ := newClient(t, ahead, e.cfg).Bucket("signed")
	if err := ab.PutObject("obj name+ü", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	past, err := ab.SignURL("obj name+ü", oss.HTTPGet, 60)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ab.GetObjectWithURL(past)
	wantServiceError(t, err, http.StatusForbidden, "AccessDenied")
	var se oss.ServiceError
	if ok := asServiceError(err, &se); !ok || se.Message != "Request has expired." {
		t.Fatalf("expired link message: %v", err)
	}
	short, err := b.SignURL("obj name+ü", oss.HTTPGet, 1)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	_, err = b.GetObjectWithURL(short)
	wantServiceError(t, err, http.StatusForbidden, "AccessDenied")
	// A tampered signature.
	_, err = b.GetObjectWithURL(strings.Replace(u, "obj%20name", "obj%20nane", 1))
	wantServiceError(t, err, http.StatusForbidden, "SignatureDoesNotMatch")
}

func asServiceError(err error, se *oss.ServiceError) bool {
	s, ok := err.(oss.ServiceError)
	if ok {
		*se = s
	}
	return ok
}

// TestSTS checks security tokens: in headers (SDK requests) and in presigned
// URLs, both signature versions.
func TestSTS(t *testing.T) {
	sts := osslocal.Credential{AccessKeyID: "STS.local", AccessKeySecret: "sts-secret", SecurityToken: "token-123"}
	srv := osstest.Start(t, osstest.WithMemoryStore(), osstest.WithBuckets("sts"), osstest.WithCredentials(sts))
	for _, v4 := range []bool{false, true} {
		opts := []oss.ClientOption{}
		if v4 {
			opts = append(opts, oss.AuthVersion(oss.AuthV4), oss.Region(testRegion))
		}
		c, err := oss.New(srv.Endpoint, sts.AccessKeyID, sts.AccessKeySecret, append(opts, oss.SecurityToken(sts.SecurityToken))...)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := c.Bucket("sts")
		if err := b.PutObject("k", strings.NewReader("sts data")); err != nil {
			t.Fatalf("v4=%v: PutObject with token: %v", v4, err)
		}
		u, err := b.SignURL("k", oss.HTTPGet, 60)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("v4=%v: signed URL with token: %d (%s)", v4, resp.StatusCode, u)
		}
		bad, _ := oss.New(srv.Endpoint, sts.AccessKeyID, sts.AccessKeySecret, append(opts, oss.SecurityToken("wrong"))...)
		bb, _ := bad.Bucket("sts")
		wantServiceError(t, bb.PutObject("k", strings.NewReader("x")), http.StatusForbidden, "InvalidSecurityToken")
		none, _ := oss.New(srv.Endpoint, sts.AccessKeyID, sts.AccessKeySecret, opts...)
		nb, _ := none.Bucket("sts")
		wantServiceError(t, nb.PutObject("k", strings.NewReader("x")), http.StatusForbidden, "InvalidSecurityToken")
	}
}
