// The KMS actions the server answers: Encrypt, Decrypt, GenerateDataKey,
// DescribeKey and CreateKey.

package kmslocal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// lookupLocked finds a key by ID or ARN in the request's region. KMS keys
// are regional: a key from another region is not found.
func (s *Server) lookupLocked(keyID, region string) (*key, *apiError) {
	if keyID == "" {
		return nil, errMissing("KeyId")
	}
	id := keyID
	if strings.HasPrefix(keyID, "acs:kms:") {
		parts := strings.Split(keyID, ":")
		if len(parts) != 5 || parts[2] != region || !strings.HasPrefix(parts[4], "key/") {
			return nil, errKeyNotFound
		}
		id = strings.TrimPrefix(parts[4], "key/")
	}
	k, ok := s.keys[id]
	if !ok || k.region != region {
		return nil, errKeyNotFound
	}
	return k, nil
}

func usable(k *key) *apiError {
	switch k.state {
	case Disabled:
		return &apiError{http.StatusConflict, "Rejected.Disabled", "The request was rejected because the key state is Disabled."}
	case PendingDeletion:
		return &apiError{http.StatusConflict, "Rejected.PendingDeletion", "The request was rejected because the key state is PendingDeletion."}
	}
	return nil
}

// encryptionContext returns the canonical form of the EncryptionContext
// parameter (a JSON object of strings), which is bound to the blob.
func encryptionContext(p url.Values) ([]byte, *apiError) {
	raw := p.Get("EncryptionContext")
	if raw == "" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, errInvalid("EncryptionContext")
	}
	if len(m) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(m) // sorted keys
	if err != nil {
		return nil, errInvalid("EncryptionContext")
	}
	return b, nil
}

type cryptoResponse struct {
	KeyID          string `json:"KeyId"`
	KeyVersionID   string `json:"KeyVersionId"`
	CiphertextBlob string `json:"CiphertextBlob,omitempty"`
	Plaintext      string `json:"Plaintext,omitempty"`
}

func internalError() *apiError {
	return &apiError{http.StatusInternalServerError, "InternalFailure", "Internal Failure."}
}

func (s *Server) encrypt(req *request) (any, *apiError) {
	plaintext := req.params.Get("Plaintext")
	if plaintext == "" {
		return nil, errMissing("Plaintext")
	}
	if len(plaintext) > maxPlaintext {
		return nil, errInvalid("Plaintext")
	}
	// As in KMS, the plaintext string is sealed as given: it is meant to
	// be base64 but KMS does not insist, and Decrypt returns it unchanged.
	resp, aerr := s.sealUnder(req, plaintext)
	if aerr != nil {
		return nil, aerr
	}
	return resp, nil
}

// sealUnder seals plaintext with the request's KeyId, bound to its
// encryption context: what Encrypt and GenerateDataKey share once their
// own parameters are checked.
func (s *Server) sealUnder(req *request, plaintext string) (cryptoResponse, *apiError) {
	ec, aerr := encryptionContext(req.params)
	if aerr != nil {
		return cryptoResponse{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, aerr := s.lookupLocked(req.params.Get("KeyId"), req.region)
	if aerr != nil {
		return cryptoResponse{}, aerr
	}
	if aerr := usable(k); aerr != nil {
		return cryptoResponse{}, aerr
	}
	blob, err := seal(k.id, k.secret, ec, []byte(plaintext))
	if err != nil {
		return cryptoResponse{}, internalError()
	}
	return cryptoResponse{KeyID: k.id, KeyVersionID: k.versionID, CiphertextBlob: blob}, nil
}

func (s *Server) decrypt(req *request) (any, *apiError) {
	blob := req.params.Get("CiphertextBlob")
	if blob == "" {
		return nil, errMissing("CiphertextBlob")
	}
	ec, aerr := encryptionContext(req.params)
	if aerr != nil {
		return nil, aerr
	}
	keyID, raw, err := blobKeyID(blob)
	if err != nil {
		return nil, errInvalid("CiphertextBlob")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[keyID]
	if !ok || k.region != req.region {
		return nil, errKeyNotFound
	}
	if aerr := usable(k); aerr != nil {
		return nil, aerr
	}
	pt, err := open(k.secret, raw, ec)
	if err != nil {
		return nil, errInvalid("CiphertextBlob")
	}
	return cryptoResponse{KeyID: k.id, KeyVersionID: k.versionID, Plaintext: string(pt)}, nil
}

func (s *Server) generateDataKey(req *request) (any, *apiError) {
	n := 32
	switch spec := req.params.Get("KeySpec"); spec {
	case "", "AES_256":
	case "AES_128":
		n = 16
	default:
		return nil, errInvalid("KeySpec")
	}
	if v := req.params.Get("NumberOfBytes"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			return nil, errInvalid("NumberOfBytes")
		}
	}
	dk := make([]byte, n)
	if _, err := rand.Read(dk); err != nil {
		return nil, internalError()
	}
	// The blob holds the base64 text, so Decrypt of it returns the same
	// base64 string GenerateDataKey returned, as KMS does.
	plaintext := base64.StdEncoding.EncodeToString(dk)
	resp, aerr := s.sealUnder(req, plaintext)
	if aerr != nil {
		return nil, aerr
	}
	resp.Plaintext = plaintext
	return resp, nil
}

type keyMetadata struct {
	KeyID             string `json:"KeyId"`
	Arn               string `json:"Arn"`
	KeyState          string `json:"KeyState"`
	KeySpec           string `json:"KeySpec"`
	KeyUsage          string `json:"KeyUsage"`
	Origin            string `json:"Origin"`
	ProtectionLevel   string `json:"ProtectionLevel"`
	CreationDate      string `json:"CreationDate"`
	Creator           string `json:"Creator"`
	Description       string `json:"Description"`
	PrimaryKeyVersion string `json:"PrimaryKeyVersion"`
	AutomaticRotation string `json:"AutomaticRotation"`
}

type keyResponse struct {
	KeyMetadata keyMetadata `json:"KeyMetadata"`
}

func (s *Server) metadataLocked(k *key) keyResponse {
	return keyResponse{keyMetadata{
		KeyID: k.id, Arn: s.arnLocked(k), KeyState: string(k.state), KeySpec: "Aliyun_AES_256",
		KeyUsage: "ENCRYPT/DECRYPT", Origin: "Aliyun_KMS", ProtectionLevel: "SOFTWARE",
		CreationDate: k.created.Format("2006-01-02T15:04:05Z"), Creator: s.AccountID,
		Description: k.description, PrimaryKeyVersion: k.versionID, AutomaticRotation: "Disabled",
	}}
}

func (s *Server) describeKey(req *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, aerr := s.lookupLocked(req.params.Get("KeyId"), req.region)
	if aerr != nil {
		return nil, aerr
	}
	return s.metadataLocked(k), nil
}

func (s *Server) createKey(req *request) (any, *apiError) {
	switch spec := req.params.Get("KeySpec"); spec {
	case "", "Aliyun_AES_256":
	default:
		return nil, errInvalid("KeySpec")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.newKeyLocked(req.region, req.params.Get("Description"))
	if err != nil {
		return nil, internalError()
	}
	return s.metadataLocked(k), nil
}
