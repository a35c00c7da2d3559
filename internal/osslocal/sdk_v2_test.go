package osslocal_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// The interoperability tests use the v2 SDK: V4 signing, path style, plain
// HTTP, static credentials.
func newV2Client(srv *osstest.Server, secret string, sigV1 bool) *v2.Client {
	cfg := v2.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(srv.AccessKeyID, secret)).
		WithRegion(testRegion).
		WithEndpoint(srv.Endpoint).
		WithUsePathStyle(true).
		WithDisableSSL(true)
	if sigV1 {
		cfg = cfg.WithSignatureVersion(v2.SignatureVersionV1)
	}
	return v2.NewClient(cfg)
}

func TestSDKv2(t *testing.T) {
	for _, store := range []string{"disk", "memory"} {
		for _, sigV1 := range []bool{false, true} {
			name := store + "/V4"
			if sigV1 {
				name = store + "/V1"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				testSDKv2(t, osstest.Start(t, storeOptions(store)...), sigV1)
			})
		}
	}
}

func testSDKv2(t *testing.T, srv *osstest.Server, sigV1 bool) {
	ctx := context.Background()
	c := newV2Client(srv, srv.AccessKeySecret, sigV1)
	bucket := v2.Ptr("v2-bucket")
	if _, err := c.PutBucket(ctx, &v2.PutBucketRequest{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	data := randomBytes(9, 400_000)
	key := v2.Ptr("folder/v2 object+ü.bin")
	put, err := c.PutObject(ctx, &v2.PutObjectRequest{
		Bucket: bucket, Key: key, Body: bytes.NewReader(data),
		Metadata: map[string]string{"origin": "v2"}, ContentType: v2.Ptr("application/x-v2"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Trim(v2.ToString(put.ETag), `"`) != strings.ToUpper(md5hex(data)) || v2.ToString(put.HashCRC64) != crcString(data) {
		t.Fatalf("PutObject result %+v", put)
	}
	got, err := c.GetObject(ctx, &v2.GetObjectRequest{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(got.Body)
	got.Body.Close()
	if err != nil || !bytes.Equal(body, data) || got.Metadata["origin"] != "v2" || v2.ToString(got.ContentType) != "application/x-v2" {
		t.Fatalf("GetObject: %d bytes, meta %v, err %v", len(body), got.Metadata, err)
	}
	rng, err := c.GetObject(ctx, &v2.GetObjectRequest{Bucket: bucket, Key: key, Range: v2.Ptr("bytes=100-199")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(rng.Body)
	rng.Body.Close()
	if !bytes.Equal(body, data[100:200]) || rng.StatusCode != 206 {
		t.Fatalf("ranged GetObject: %d %d bytes", rng.StatusCode, len(body))
	}
	head, err := c.HeadObject(ctx, &v2.HeadObjectRequest{Bucket: bucket, Key: key})
	if err != nil || head.ContentLength != int64(len(data)) || head.Metadata["origin"] != "v2" {
		t.Fatalf("HeadObject %+v %v", head, err)
	}
	list, err := c.ListObjectsV2(ctx, &v2.ListObjectsV2Request{Bucket: bucket, Prefix: v2.Ptr("folder/")})
	if err != nil || len(list.Contents) != 1 || v2.ToString(list.Contents[0].Key) != *key {
		t.Fatalf("ListObjectsV2 %+v %v", list, err)
	}
	if _, err := c.CopyObject(ctx, &v2.CopyObjectRequest{Bucket: bucket, Key: v2.Ptr("copy"), SourceKey: key}); err != nil {
		t.Fatal(err)
	}

	// Multipart with the low-level calls, then ListParts.
	init, err := c.InitiateMultipartUpload(ctx, &v2.InitiateMultipartUploadRequest{Bucket: bucket, Key: v2.Ptr("mp")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []v2.UploadPart
	for n := int32(1); n <= 4; n++ {
		start := int(n-1) * 100_000
		p, err := c.UploadPart(ctx, &v2.UploadPartRequest{Bucket: bucket, Key: v2.Ptr("mp"), UploadId: init.UploadId, PartNumber: n,
			Body: bytes.NewReader(data[start : start+100_000])})
		if err != nil {
			t.Fatal(err)
		}
		if n < 4 {
			parts = append(parts, v2.UploadPart{PartNumber: n, ETag: p.ETag})
		}
	}
	lp, err := c.ListParts(ctx, &v2.ListPartsRequest{Bucket: bucket, Key: v2.Ptr("mp"), UploadId: init.UploadId})
	if err != nil || len(lp.Parts) != 4 {
		t.Fatalf("ListParts %+v %v", lp, err)
	}
	// Parts of 100,000 bytes are below the 100 KiB minimum.
	_, err = c.CompleteMultipartUpload(ctx, &v2.CompleteMultipartUploadRequest{Bucket: bucket, Key: v2.Ptr("mp"), UploadId: init.UploadId,
		CompleteMultipartUpload: &v2.CompleteMultipartUpload{Parts: parts}})
	var se *v2.ServiceError
	if !errors.As(err, &se) || se.Code != "EntityTooSmall" || se.StatusCode != 400 {
		t.Fatalf("small parts: %v", err)
	}

	// The uploader and downloader (multipart, parallel, CRC checked).
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	big := randomBytes(10, 1<<20+3)
	os.WriteFile(src, big, 0o600)
	up := c.NewUploader(func(o *v2.UploaderOptions) { o.PartSize = 200 << 10; o.ParallelNum = 3 })
	if _, err := up.UploadFile(ctx, &v2.PutObjectRequest{Bucket: bucket, Key: v2.Ptr("uploaded")}, src); err != nil {
		t.Fatal(err)
	}
	down := c.NewDownloader(func(o *v2.DownloaderOptions) { o.PartSize = 300 << 10; o.ParallelNum = 3 })
	dst := filepath.Join(dir, "dst")
	if _, err := down.DownloadFile(ctx, &v2.GetObjectRequest{Bucket: bucket, Key: v2.Ptr("uploaded")}, dst); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dst); !bytes.Equal(b, big) {
		t.Fatal("downloaded content differs")
	}

	// Presigned GET, opened by a plain HTTP client.
	pre, err := c.Presign(ctx, &v2.GetObjectRequest{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(pre.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, data) {
		t.Fatalf("presigned GET %d, %d bytes (%s)", resp.StatusCode, len(body), pre.URL)
	}

	// Wrong secret.
	bad := newV2Client(srv, "wrong", sigV1)
	_, err = bad.GetObject(ctx, &v2.GetObjectRequest{Bucket: bucket, Key: key})
	if !errors.As(err, &se) || se.Code != "SignatureDoesNotMatch" || se.StatusCode != 403 {
		t.Fatalf("wrong secret: %v", err)
	}
}
