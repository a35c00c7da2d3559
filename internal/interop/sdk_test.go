package interop_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"testing"

	v2 "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v2crypto "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/crypto"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	osscrypto "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"
)

// The SDKs' sides of the round trips: how each writes an object and how
// each reads one, configured as their documentation shows.

// sdkWriter stores data under key, encrypted by an official SDK with master
// key m described by md, in one PUT or in the parts of s.
type sdkWriter struct {
	name  string
	write func(t *testing.T, w *world, m master, md map[string]string, key string, data []byte, s shape)
	// needsDataSize: the SDK refuses a multipart upload that does not
	// declare its total size (v2's EncryptionMultiPartContext.Valid).
	needsDataSize bool
}

var sdkWriters = []sdkWriter{
	{"v1-CryptoBucket-sigV4", writeV1, false},
	{"v2-EncryptionClient-sigV4", writeV2, true},
}

func writeV1(t *testing.T, w *world, m master, md map[string]string, key string, data []byte, s shape) {
	t.Helper()
	cb, err := osscrypto.GetCryptoBucket(w.v1Client(t, sigV4, w.oss.AccessKeySecret), bucketName, osscrypto.CreateAesCtrCipher(m.v1(t, md)))
	if err != nil {
		t.Fatal(err)
	}
	if !s.multipart() {
		if err := cb.PutObject(key, bytes.NewReader(data)); err != nil {
			t.Fatalf("v1 CryptoBucket.PutObject: %v", err)
		}
		return
	}
	pcc := osscrypto.PartCryptoContext{PartSize: s.partSize, DataSize: s.dataSize()}
	imur, err := cb.InitiateMultipartUpload(key, &pcc)
	if err != nil {
		t.Fatalf("v1 CryptoBucket.InitiateMultipartUpload: %v", err)
	}
	var parts []oss.UploadPart
	for i, p := range s.parts() {
		part, err := cb.UploadPart(imur, bytes.NewReader(data[p[0]:p[1]]), p[1]-p[0], i+1, pcc)
		if err != nil {
			t.Fatalf("v1 CryptoBucket.UploadPart %d: %v", i+1, err)
		}
		parts = append(parts, part)
	}
	if _, err := cb.CompleteMultipartUpload(imur, parts); err != nil {
		t.Fatalf("v1 CryptoBucket.CompleteMultipartUpload: %v", err)
	}
}

func writeV2(t *testing.T, w *world, m master, md map[string]string, key string, data []byte, s shape) {
	t.Helper()
	ctx := context.Background()
	ec, err := v2.NewEncryptionClient(w.v2Client(sigV4, w.oss.AccessKeySecret), m.v2(t, md))
	if err != nil {
		t.Fatal(err)
	}
	if !s.multipart() {
		if _, err := ec.PutObject(ctx, &v2.PutObjectRequest{Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key), Body: bytes.NewReader(data)}); err != nil {
			t.Fatalf("v2 EncryptionClient.PutObject: %v", err)
		}
		return
	}
	req := &v2.InitiateMultipartUploadRequest{Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key), CSEPartSize: v2.Ptr(s.partSize)}
	if s.dataSize() > 0 {
		req.CSEDataSize = v2.Ptr(s.dataSize())
	}
	init, err := ec.InitiateMultipartUpload(ctx, req)
	if err != nil {
		t.Fatalf("v2 EncryptionClient.InitiateMultipartUpload: %v", err)
	}
	var parts []v2.UploadPart
	for i, p := range s.parts() {
		n := int32(i + 1)
		r, err := ec.UploadPart(ctx, &v2.UploadPartRequest{
			Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key), UploadId: init.UploadId, PartNumber: n,
			Body: bytes.NewReader(data[p[0]:p[1]]), CSEMultiPartContext: init.CSEMultiPartContext,
		})
		if err != nil {
			t.Fatalf("v2 EncryptionClient.UploadPart %d: %v", n, err)
		}
		parts = append(parts, v2.UploadPart{PartNumber: n, ETag: r.ETag})
	}
	if _, err := ec.CompleteMultipartUpload(ctx, &v2.CompleteMultipartUploadRequest{
		Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key), UploadId: init.UploadId,
		CompleteMultipartUpload: &v2.CompleteMultipartUpload{Parts: parts},
	}); err != nil {
		t.Fatalf("v2 EncryptionClient.CompleteMultipartUpload: %v", err)
	}
}

// sdkReader returns the plaintext of key, or of rng when it is not nil, as
// an official SDK decrypts it, configured for master key m described by md.
type sdkReader struct {
	name string
	// withMatDescOnly: the reader finds the key by a non-empty matdesc.
	withMatDescOnly bool
	read            func(t *testing.T, w *world, m master, md map[string]string, key string, rng *byteRange) []byte
}

var sdkReaders = []sdkReader{
	{name: "v1-CryptoBucket-sigV1", read: readV1Builder},
	{name: "v1-CryptoBucket-MasterCipherManager-sigV1", read: readV1Manager},
	{name: "v2-EncryptionClient-sigV1", read: readV2Default},
	{name: "v2-EncryptionClient-MasterCiphers-sigV1", withMatDescOnly: true, read: readV2MasterCiphers},
}

// readV1Builder decrypts with the CryptoBucket's own master cipher, which
// the SDK picks when the object's matdesc string equals the cipher's.
func readV1Builder(t *testing.T, w *world, m master, md map[string]string, key string, rng *byteRange) []byte {
	t.Helper()
	cb, err := osscrypto.GetCryptoBucket(w.v1Client(t, sigV1, w.oss.AccessKeySecret), bucketName, osscrypto.CreateAesCtrCipher(m.v1(t, md)))
	if err != nil {
		t.Fatal(err)
	}
	return readV1(t, cb, key, rng)
}

// readV1Manager gives the CryptoBucket another key as its own, so that the
// SDK must parse the object's matdesc and ask the MasterCipherManager.
func readV1Manager(t *testing.T, w *world, m master, md map[string]string, key string, rng *byteRange) []byte {
	t.Helper()
	mgr := v1Manager{md: md, keys: m.v1Keys}
	cb, err := osscrypto.GetCryptoBucket(w.v1Client(t, sigV1, w.oss.AccessKeySecret), bucketName,
		osscrypto.CreateAesCtrCipher(w.otherV1Master(t)),
		osscrypto.SetMasterCipherManager(mgr), osscrypto.SetAliKmsClient(w.sdkKMSClient(t, kmsAccessKeySecret)))
	if err != nil {
		t.Fatal(err)
	}
	return readV1(t, cb, key, rng)
}

// v1Manager knows one master key, registered under md.
type v1Manager struct {
	md   map[string]string
	keys []string
}

func (m v1Manager) GetMasterKey(md map[string]string) ([]string, error) {
	if !maps.Equal(md, m.md) {
		return nil, fmt.Errorf("no master key is registered for matdesc %v", md)
	}
	return m.keys, nil
}

func readV1(t *testing.T, cb *osscrypto.CryptoBucket, key string, rng *byteRange) []byte {
	t.Helper()
	var opts []oss.Option
	if rng != nil {
		opts = append(opts, oss.Range(rng.start, rng.end))
	}
	body, err := cb.GetObject(key, opts...)
	if err != nil {
		t.Fatalf("v1 CryptoBucket.GetObject: %v", err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("v1 CryptoBucket.GetObject body: %v", err)
	}
	return b
}

func readV2Default(t *testing.T, w *world, m master, md map[string]string, key string, rng *byteRange) []byte {
	t.Helper()
	ec, err := v2.NewEncryptionClient(w.v2Client(sigV1, w.oss.AccessKeySecret), m.v2(t, md))
	if err != nil {
		t.Fatal(err)
	}
	return readV2(t, ec, key, rng)
}

// readV2MasterCiphers gives the EncryptionClient another key as its
// default and the right one among its MasterCiphers, which the SDK looks up
// by the object's exact matdesc string.
func readV2MasterCiphers(t *testing.T, w *world, m master, md map[string]string, key string, rng *byteRange) []byte {
	t.Helper()
	ec, err := v2.NewEncryptionClient(w.v2Client(sigV1, w.oss.AccessKeySecret), w.otherV2Master(t),
		func(o *v2.EncryptionClientOptions) { o.MasterCiphers = []v2crypto.MasterCipher{m.v2(t, md)} })
	if err != nil {
		t.Fatal(err)
	}
	return readV2(t, ec, key, rng)
}

func readV2(t *testing.T, ec *v2.EncryptionClient, key string, rng *byteRange) []byte {
	t.Helper()
	req := &v2.GetObjectRequest{Bucket: v2.Ptr(bucketName), Key: v2.Ptr(key)}
	if rng != nil {
		req.Range = v2.Ptr(fmt.Sprintf("bytes=%d-%d", rng.start, rng.end))
	}
	res, err := ec.GetObject(context.Background(), req)
	if err != nil {
		t.Fatalf("v2 EncryptionClient.GetObject: %v", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("v2 EncryptionClient.GetObject body: %v", err)
	}
	return b
}
