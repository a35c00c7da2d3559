package kmslocal_test

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
	osscrypto "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"

	"github.com/ossvault/ossvault/internal/kmslocal"
)

const region = "cn-hangzhou"

// sdkClient is the official SDK client, configured the way the SDK's own
// documentation does it, but trusting the endpoint's certificate.
func sdkClient(t *testing.T, ep *kmslocal.Endpoint, cred auth.Credential) *alikms.Client {
	t.Helper()
	conf := sdk.NewConfig()
	conf.Scheme = "HTTPS"
	conf.HttpTransport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ep.RootCAs}}
	c, err := alikms.NewClientWithOptions(region, conf, cred)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = ep.Host
	return c
}

func serve(t *testing.T) (*kmslocal.Server, *kmslocal.Endpoint) {
	t.Helper()
	s := kmslocal.NewServer()
	s.AddAccessKey("LTAI5tSDK", "sdk-secret")
	s.AddSTSToken("STS.SDK", "sts-secret", "sts-token", time.Now().Add(time.Hour))
	ep, err := kmslocal.ServeTLS(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ep.Close() })
	return s, ep
}

func TestSDKClientActions(t *testing.T) {
	_, ep := serve(t)
	for name, cred := range map[string]auth.Credential{
		"access key": credentials.NewAccessKeyCredential("LTAI5tSDK", "sdk-secret"),
		"sts":        credentials.NewStsTokenCredential("STS.SDK", "sts-secret", "sts-token"),
	} {
		t.Run(name, func(t *testing.T) {
			c := sdkClient(t, ep, cred)
			ck := alikms.CreateCreateKeyRequest()
			ck.Description = "made over RPC"
			created, err := c.CreateKey(ck)
			if err != nil {
				t.Fatalf("CreateKey: %v", err)
			}
			keyID := created.KeyMetadata.KeyId
			if created.KeyMetadata.KeyState != "Enabled" || created.RequestId == "" {
				t.Errorf("CreateKey = %+v", created.KeyMetadata)
			}

			dk := alikms.CreateDescribeKeyRequest()
			dk.KeyId = keyID
			desc, err := c.DescribeKey(dk)
			if err != nil {
				t.Fatalf("DescribeKey: %v", err)
			}
			if desc.KeyMetadata.Description != "made over RPC" || desc.KeyMetadata.Arn == "" {
				t.Errorf("DescribeKey = %+v", desc.KeyMetadata)
			}

			enc := alikms.CreateEncryptRequest()
			enc.KeyId = keyID
			enc.Plaintext = "aGVsbG8gd29ybGQ="
			er, err := c.Encrypt(enc)
			if err != nil {
				t.Fatalf("Encrypt: %v", err)
			}
			if er.KeyId != keyID || er.KeyVersionId == "" || er.CiphertextBlob == "" {
				t.Errorf("Encrypt = %+v", er)
			}
			dec := alikms.CreateDecryptRequest()
			dec.CiphertextBlob = er.CiphertextBlob
			dr, err := c.Decrypt(dec)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if dr.Plaintext != enc.Plaintext || dr.KeyId != keyID {
				t.Errorf("Decrypt = %+v", dr)
			}

			gk := alikms.CreateGenerateDataKeyRequest()
			gk.KeyId = keyID
			gk.KeySpec = "AES_128"
			gr, err := c.GenerateDataKey(gk)
			if err != nil {
				t.Fatalf("GenerateDataKey: %v", err)
			}
			if raw, err := base64.StdEncoding.DecodeString(gr.Plaintext); err != nil || len(raw) != 16 {
				t.Errorf("GenerateDataKey AES_128 plaintext %q", gr.Plaintext)
			}
			gk = alikms.CreateGenerateDataKeyRequest()
			gk.KeyId = keyID
			gk.NumberOfBytes = requests.NewInteger(32)
			if gr, err = c.GenerateDataKey(gk); err != nil {
				t.Fatalf("GenerateDataKey: %v", err)
			}
			dec = alikms.CreateDecryptRequest()
			dec.CiphertextBlob = gr.CiphertextBlob
			if dr, err = c.Decrypt(dec); err != nil || dr.Plaintext != gr.Plaintext {
				t.Errorf("Decrypt of a data key blob = %q, %v; want %q", dr.Plaintext, err, gr.Plaintext)
			}
		})
	}
}

func TestSDKSeesKMSErrors(t *testing.T) {
	s, ep := serve(t)
	keyID, err := s.CreateKey(region, "")
	if err != nil {
		t.Fatal(err)
	}
	c := sdkClient(t, ep, credentials.NewAccessKeyCredential("LTAI5tSDK", "not-the-secret"))
	req := alikms.CreateEncryptRequest()
	req.KeyId = keyID
	req.Plaintext = "QQ=="
	_, err = c.Encrypt(req)
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v is not the SDK's ServerError", err, err)
	}
	if se.ErrorCode() != "SignatureDoesNotMatch" || se.HttpStatus() != 400 || se.RequestId() == "" || se.HostId() != ep.Host {
		t.Errorf("ServerError code %q status %d request %q host %q", se.ErrorCode(), se.HttpStatus(), se.RequestId(), se.HostId())
	}
}

// TestOSSCryptoMasterKMS drives the Go SDK v1's own KMS master cipher (the
// one its CryptoBucket uses for KMS/ALICLOUD objects) through kmslocal, and
// checks its wrapped bytes against plain KMS calls both ways.
func TestOSSCryptoMasterKMS(t *testing.T) {
	s, ep := serve(t)
	keyID, err := s.CreateKey(region, "")
	if err != nil {
		t.Fatal(err)
	}
	c := sdkClient(t, ep, credentials.NewAccessKeyCredential("LTAI5tSDK", "sdk-secret"))
	mc, err := osscrypto.CreateMasterAliKms(map[string]string{"desc": "kms"}, keyID, c)
	if err != nil {
		t.Fatal(err)
	}
	if mc.GetWrapAlgorithm() != "KMS/ALICLOUD" {
		t.Errorf("wrap algorithm %q", mc.GetWrapAlgorithm())
	}
	secret := bytes.Repeat([]byte{0x5a}, 32)
	wrapped, err := mc.Encrypt(secret)
	if err != nil {
		t.Fatalf("master cipher Encrypt: %v", err)
	}
	if !bytes.HasPrefix(wrapped, []byte(keyID)) {
		t.Errorf("wrapped bytes do not start with the key's UUID")
	}
	got, err := mc.Decrypt(wrapped)
	if err != nil {
		t.Fatalf("master cipher Decrypt: %v", err)
	}
	if !bytes.Equal(got, secret) {
		t.Error("master cipher round trip changed the secret")
	}

	// What the SDK stores decrypts with a plain Decrypt of base64(wrapped) ...
	dec := alikms.CreateDecryptRequest()
	dec.CiphertextBlob = base64.StdEncoding.EncodeToString(wrapped)
	dr, err := c.Decrypt(dec)
	if err != nil || dr.Plaintext != base64.StdEncoding.EncodeToString(secret) {
		t.Errorf("Decrypt of the SDK's wrap = %q, %v", dr.Plaintext, err)
	}
	// ... and a plain Encrypt's blob opens with the SDK's master cipher.
	enc := alikms.CreateEncryptRequest()
	enc.KeyId = keyID
	enc.Plaintext = base64.StdEncoding.EncodeToString(secret[:16])
	er, err := c.Encrypt(enc)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(er.CiphertextBlob)
	if got, err := mc.Decrypt(raw); err != nil || !bytes.Equal(got, secret[:16]) {
		t.Errorf("master cipher Decrypt of a plain blob = %x, %v", got, err)
	}
}
