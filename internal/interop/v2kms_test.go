package interop_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"

	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
	v2crypto "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/crypto"
)

// v2KMSCipher is a KMS/ALICLOUD master cipher for the Go SDK v2's
// EncryptionClient, which ships none in its core. It stores what the Go and
// Java SDKs store: KMS Encrypt of base64(secret), the header holding the
// CiphertextBlob (so the wrapped bytes are its base64 decoding).
//
// It is safe for concurrent use, which the v2 Downloader needs (each of its
// parallel ranged GETs unwraps the key): the KMS SDK client is not (it sets
// its http.Client's timeout on every call), so calls take turns.
type v2KMSCipher struct {
	mu      sync.Mutex
	client  *alikms.Client
	keyID   string
	matDesc string
}

var _ v2crypto.MasterCipher = (*v2KMSCipher)(nil)

func newV2KMSCipher(md map[string]string, keyID string, client *alikms.Client) (*v2KMSCipher, error) {
	c := &v2KMSCipher{client: client, keyID: keyID}
	if len(md) > 0 {
		// The SDKs' own master ciphers describe themselves with
		// json.Marshal; so must this one, or lookups by string miss.
		b, err := json.Marshal(md)
		if err != nil {
			return nil, fmt.Errorf("failed to encode the matdesc: %w", err)
		}
		c.matDesc = string(b)
	}
	return c, nil
}

func (c *v2KMSCipher) GetWrapAlgorithm() string { return v2crypto.KmsAliCryptoWrap }

func (c *v2KMSCipher) GetMatDesc() string { return c.matDesc }

func (c *v2KMSCipher) Encrypt(secret []byte) ([]byte, error) {
	req := alikms.CreateEncryptRequest()
	req.Scheme = "https"
	req.KeyId = c.keyID
	req.Plaintext = base64.StdEncoding.EncodeToString(secret)
	c.mu.Lock()
	resp, err := c.client.Encrypt(req)
	c.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("failed to wrap with KMS: %w", err)
	}
	return base64.StdEncoding.DecodeString(resp.CiphertextBlob)
}

func (c *v2KMSCipher) Decrypt(wrapped []byte) ([]byte, error) {
	req := alikms.CreateDecryptRequest()
	req.Scheme = "https"
	req.CiphertextBlob = base64.StdEncoding.EncodeToString(wrapped)
	c.mu.Lock()
	resp, err := c.client.Decrypt(req)
	c.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("failed to unwrap with KMS: %w", err)
	}
	return base64.StdEncoding.DecodeString(resp.Plaintext)
}
