package interop_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"

	alierrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	osscrypto "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/transfer/osssdk"
)

// TestV2FileTransfers pairs ossvault with the v2 SDK's own file APIs, which
// is how most programs built on that SDK move files: its Uploader (parallel
// encrypted parts) writes and the transfer Downloader reads; the transfer
// Uploader writes and its Downloader reads, in ranges of 100,000 bytes,
// which start off the 16-byte blocks.
func TestV2FileTransfers(t *testing.T) {
	w := newWorld(t)
	for _, m := range w.masters() {
		for _, mc := range matdescs {
			t.Run(m.name+"/"+mc.name, func(t *testing.T) {
				t.Parallel()
				s := shape{name: "file", size: 3*kib100 + 1, partSize: kib100}
				t.Run("v2-Uploader.UploadFile/transfer.Downloader", func(t *testing.T) {
					key := objectKey(t)
					data := payload(t.Name(), s.size)
					ec, err := v2.NewEncryptionClient(w.v2Client(sigV4, w.oss.AccessKeySecret), m.v2(t, mc.md))
					if err != nil {
						t.Fatal(err)
					}
					up := ec.NewUploader(func(o *v2.UploaderOptions) { o.PartSize = kib100; o.ParallelNum = 2 })
					if _, err := up.UploadFile(context.Background(), &v2.PutObjectRequest{Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key)}, writeFile(t, data)); err != nil {
						t.Fatalf("v2 Uploader.UploadFile: %v", err)
					}
					checkSDKObject(t, w, m, mc.md, key, data, s)
					ourDownloads(t, w, m, mc.md, keyringFor(m), key, data, s)
				})
				t.Run("transfer.Uploader/v2-Downloader.DownloadFile", func(t *testing.T) {
					key := objectKey(t)
					data := payload(t.Name(), s.size)
					if err := w.uploader(t, keyringFor(m), kib100).Upload(context.Background(), transfer.UploadJob{
						Source: writeFile(t, data), Bucket: bucketName, Key: key, Wrapper: m.wrapper(envelope.MatDesc(mc.md)),
					}, nil); err != nil {
						t.Fatalf("Upload: %v", err)
					}
					checkOurObject(t, w, m, mc.md, key, s, s.multipart())
					ec, err := v2.NewEncryptionClient(w.v2Client(sigV4, w.oss.AccessKeySecret), m.v2(t, mc.md))
					if err != nil {
						t.Fatal(err)
					}
					down := ec.NewDownloader(func(o *v2.DownloaderOptions) { o.PartSize = 100_000; o.ParallelNum = 2 })
					dest := filepath.Join(t.TempDir(), "out.bin")
					res, err := down.DownloadFile(context.Background(), &v2.GetObjectRequest{Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key)}, dest)
					if err != nil {
						t.Fatalf("v2 Downloader.DownloadFile: %v", err)
					}
					if res.Written != s.size {
						t.Errorf("v2 Downloader wrote %d bytes, want %d", res.Written, s.size)
					}
					sameBytes(t, "v2 Downloader", readFile(t, dest), data)
				})
			})
		}
	}
}

// TestSignaturesChecked makes sure the round trips above prove something
// about signing: every client configuration they use is refused by the
// local endpoints when its secret is wrong, and nothing is stored.
func TestSignaturesChecked(t *testing.T) {
	w := newWorld(t)
	m := w.masters()[0]
	const wrong = "not-the-secret"
	for _, tc := range []struct {
		name string
		put  func(t *testing.T, key string) error
	}{
		{"v1-CryptoBucket-sigV1", func(t *testing.T, key string) error { return putV1(t, w, sigV1, wrong, m, key) }},
		{"v1-CryptoBucket-sigV4", func(t *testing.T, key string) error { return putV1(t, w, sigV4, wrong, m, key) }},
		{"v2-EncryptionClient-sigV1", func(t *testing.T, key string) error { return putV2(t, w, sigV1, wrong, m, key) }},
		{"v2-EncryptionClient-sigV4", func(t *testing.T, key string) error { return putV2(t, w, sigV4, wrong, m, key) }},
		{"transfer.Uploader", func(t *testing.T, key string) error {
			c, err := osssdk.Connect(transfer.Conn{Endpoint: w.oss.Endpoint, AccessKeyID: w.oss.AccessKeyID, AccessKeySecret: wrong})
			if err != nil {
				t.Fatal(err)
			}
			st, err := c.Bucket(bucketName)
			if err != nil {
				t.Fatal(err)
			}
			up := &transfer.Uploader{Store: st, Policy: &transfer.Policy{Attempts: 2}}
			return up.Upload(context.Background(), transfer.UploadJob{
				Source: writeFile(t, []byte("secret")), Bucket: bucketName, Key: key, Wrapper: m.wrapper(nil),
			}, nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := objectKey(t)
			err := tc.put(t, key)
			var v1err oss.ServiceError
			var v2err *v2.ServiceError
			var ourErr *transfer.RemoteError
			switch {
			case err == nil:
				t.Fatal("a request signed with the wrong secret was accepted")
			case errors.As(err, &v1err):
				if v1err.StatusCode != http.StatusForbidden || v1err.Code != "SignatureDoesNotMatch" {
					t.Errorf("refused with %d %s, want 403 SignatureDoesNotMatch", v1err.StatusCode, v1err.Code)
				}
			case errors.As(err, &v2err):
				if v2err.StatusCode != http.StatusForbidden || v2err.Code != "SignatureDoesNotMatch" {
					t.Errorf("refused with %d %s, want 403 SignatureDoesNotMatch", v2err.StatusCode, v2err.Code)
				}
			case errors.As(err, &ourErr):
				if ourErr.Status != http.StatusForbidden || ourErr.Code != "SignatureDoesNotMatch" || !errors.Is(err, transfer.ErrAccessDenied) {
					t.Errorf("refused with %d %s (%v), want 403 SignatureDoesNotMatch as ErrAccessDenied", ourErr.Status, ourErr.Code, err)
				}
			default:
				t.Errorf("refused with %v, want a signature error", err)
			}
			wantAbsent(t, w, key)
		})
	}

	// The SDKs' KMS master ciphers sign their KMS calls too.
	bad := w.sdkKMSClient(t, wrong)
	for _, tc := range []struct {
		name string
		put  func(t *testing.T, key string) error
	}{
		{"v1-MasterAliKms", func(t *testing.T, key string) error {
			mc, err := osscrypto.CreateMasterAliKms(nil, w.kmsKeyID, bad)
			if err != nil {
				t.Fatal(err)
			}
			cb, err := osscrypto.GetCryptoBucket(w.v1Client(t, sigV1, w.oss.AccessKeySecret), bucketName, osscrypto.CreateAesCtrCipher(mc))
			if err != nil {
				t.Fatal(err)
			}
			return cb.PutObject(key, bytes.NewReader([]byte("secret")))
		}},
		{"v2-KMS-master-cipher", func(t *testing.T, key string) error {
			mc, err := newV2KMSCipher(nil, w.kmsKeyID, bad)
			if err != nil {
				t.Fatal(err)
			}
			ec, err := v2.NewEncryptionClient(w.v2Client(sigV4, w.oss.AccessKeySecret), mc)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ec.PutObject(context.Background(), &v2.PutObjectRequest{Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key), Body: bytes.NewReader([]byte("secret"))})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := objectKey(t)
			err := tc.put(t, key)
			var se *alierrors.ServerError
			if !errors.As(err, &se) || se.ErrorCode() != "SignatureDoesNotMatch" {
				t.Errorf("PutObject with a wrongly signed KMS client: %v, want KMS SignatureDoesNotMatch", err)
			}
			wantAbsent(t, w, key)
		})
	}
}

func wantAbsent(t *testing.T, w *world, key string) {
	t.Helper()
	if _, err := w.store.Head(context.Background(), key); !errors.Is(err, transfer.ErrNoSuchObject) {
		t.Errorf("HEAD after the refused upload: %v, want ErrNoSuchObject", err)
	}
}

func putV1(t *testing.T, w *world, sig sigVersion, secret string, m master, key string) error {
	t.Helper()
	cb, err := osscrypto.GetCryptoBucket(w.v1Client(t, sig, secret), bucketName, osscrypto.CreateAesCtrCipher(m.v1(t, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return cb.PutObject(key, bytes.NewReader([]byte("secret")))
}

func putV2(t *testing.T, w *world, sig sigVersion, secret string, m master, key string) error {
	t.Helper()
	ec, err := v2.NewEncryptionClient(w.v2Client(sig, secret), m.v2(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ec.PutObject(context.Background(), &v2.PutObjectRequest{Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key), Body: bytes.NewReader([]byte("secret"))})
	return err
}
