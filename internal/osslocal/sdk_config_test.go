package osslocal_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// TestSDKConfigReads: the configuration reads the official SDKs' test
// suites and clean-up helpers make of every bucket (ACLs, live channels,
// versioning, multipart listing) are answered as OSS answers a bucket left
// at its defaults, through the SDK's own result types.
func TestSDKConfigReads(t *testing.T) {
	srv := osstest.Start(t, osstest.WithBuckets("conf"))
	client := newClient(t, srv, clientConfig{name: "V4", v4: true})
	b, err := client.Bucket("conf")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PutObject("plain", bytes.NewReader([]byte("x"))); err != nil {
		t.Fatal(err)
	}
	if err := b.PutObject("public", bytes.NewReader([]byte("x")), oss.ObjectACL(oss.ACLPublicRead)); err != nil {
		t.Fatal(err)
	}
	imur, err := b.InitiateMultipartUpload("multi", oss.ObjectACL(oss.ACLPrivate))
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.UploadPart(imur, bytes.NewReader([]byte("y")), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.CompleteMultipartUpload(imur, []oss.UploadPart{p}); err != nil {
		t.Fatal(err)
	}

	if _, err := b.CopyObject("public", "copy"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.CopyObject("plain", "copy-public", oss.ObjectACL(oss.ACLPublicReadWrite)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ key, acl string }{
		{"plain", "default"}, {"public", "public-read"}, {"multi", "private"},
		{"copy", "default"}, {"copy-public", "public-read-write"},
	} {
		res, err := b.GetObjectACL(c.key)
		if err != nil {
			t.Fatal(err)
		}
		if res.ACL != c.acl || res.Owner.ID == "" {
			t.Errorf("%s: ACL %q owner %+v, want %q", c.key, res.ACL, res.Owner, c.acl)
		}
	}
	// The ACL is not sent back as a header of the object.
	h, err := b.GetObjectDetailedMeta("public")
	if err != nil || h.Get("X-Oss-Object-Acl") != "" {
		t.Fatalf("HEAD public: %v %v", h, err)
	}
	_, err = b.GetObjectACL("missing")
	wantServiceError(t, err, http.StatusNotFound, "NoSuchKey")
	err = b.PutObject("bad-acl", bytes.NewReader(nil), oss.ObjectACL("everyone"))
	wantServiceError(t, err, http.StatusBadRequest, "InvalidArgument")

	bacl, err := client.GetBucketACL("conf")
	if err != nil || bacl.ACL != "private" || bacl.Owner.ID == "" {
		t.Fatalf("bucket ACL %+v %v", bacl, err)
	}
	live, err := b.ListLiveChannel()
	if err != nil || len(live.LiveChannel) != 0 || live.IsTruncated || live.MaxKeys != 100 {
		t.Fatalf("live channels %+v %v", live, err)
	}
	ver, err := client.GetBucketVersioning("conf")
	if err != nil || ver.Status != "" {
		t.Fatalf("versioning %+v %v", ver, err)
	}
	ups, err := b.ListMultipartUploads()
	if err != nil || len(ups.Uploads) != 0 {
		t.Fatalf("multipart uploads %+v %v", ups, err)
	}
	// Writes of that configuration stay refused.
	err = client.SetBucketVersioning("conf", oss.VersioningConfig{Status: "Enabled"})
	wantServiceError(t, err, http.StatusNotImplemented, "NotImplemented")
	err = b.SetObjectACL("plain", oss.ACLPublicRead)
	wantServiceError(t, err, http.StatusNotImplemented, "NotImplemented")
	_, err = client.GetBucketACL("no-such-bucket")
	wantServiceError(t, err, http.StatusNotFound, "NoSuchBucket")
}
