package osslocal_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	osscrypto "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// TestSDKCryptoBucket runs the v1 SDK's own client-side-encryption client
// (RSA) against the server: single PUT, ranged GET, and a multipart upload
// whose parts repeat the envelope, which the server checks.
func TestSDKCryptoBucket(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	master, err := osscrypto.CreateMasterRsa(map[string]string{"desc": "local test"}, pubPEM, privPEM)
	if err != nil {
		t.Fatal(err)
	}
	builder := osscrypto.CreateAesCtrCipher(master)

	for _, cfg := range []clientConfig{{name: "V1"}, {name: "V4", v4: true}} {
		t.Run(cfg.name, func(t *testing.T) {
			srv := osstest.Start(t, osstest.WithBuckets("crypto"))
			client := newClient(t, srv, cfg)
			cb, err := osscrypto.GetCryptoBucket(client, "crypto", builder)
			if err != nil {
				t.Fatal(err)
			}
			data := randomBytes(30, 300_001)
			if err := cb.PutObject("single", bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
			rc, err := cb.GetObject("single", oss.Range(1000, 1999))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, data[1000:2000]) {
				t.Fatal("ranged decrypt differs")
			}

			cc, err := builder.ContentCipher()
			if err != nil {
				t.Fatal(err)
			}
			ctx := osscrypto.PartCryptoContext{ContentCipher: cc, DataSize: int64(len(data)), PartSize: partSize}
			imur, err := cb.InitiateMultipartUpload("multi", &ctx)
			if err != nil {
				t.Fatal(err)
			}
			var parts []oss.UploadPart
			for n, off := 1, 0; off < len(data); n, off = n+1, off+partSize {
				end := min(off+partSize, len(data))
				p, err := cb.UploadPart(imur, bytes.NewReader(data[off:end]), int64(end-off), n, ctx)
				if err != nil {
					t.Fatalf("part %d: %v", n, err)
				}
				parts = append(parts, p)
			}
			if _, err := cb.CompleteMultipartUpload(imur, parts); err != nil {
				t.Fatal(err)
			}
			rc, err = cb.GetObject("multi")
			if err != nil {
				t.Fatal(err)
			}
			got, _ = io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, data) {
				t.Fatal("multipart decrypt differs")
			}
			// The stored bytes are ciphertext, not the plaintext.
			plain, _ := client.Bucket("crypto")
			rc, _ = plain.GetObject("multi")
			raw, _ := io.ReadAll(rc)
			rc.Close()
			if len(raw) != len(data) || bytes.Equal(raw, data) {
				t.Fatal("object stored in the clear")
			}
		})
	}
}
