package kmslocal

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	testAK     = "LTAI5tTestKey"
	testSecret = "test-secret"
	stsAK      = "STS.TestKey"
	stsSecret  = "sts-secret"
	stsToken   = "CAIS-token"
	oldAK      = "STS.Expired"
)

func newTestServer(t *testing.T) (*Server, string) {
	t.Helper()
	s := NewServer()
	s.AddAccessKey(testAK, testSecret)
	s.AddSTSToken(stsAK, stsSecret, stsToken, time.Time{})
	s.AddSTSToken(oldAK, stsSecret, stsToken, time.Now().Add(-time.Minute))
	id, err := s.CreateKey("cn-hangzhou", "k")
	if err != nil {
		t.Fatal(err)
	}
	return s, id
}

// params builds a signed request's parameters; a value "-" removes a
// default. sign=false leaves the signature out.
func params(method, ak, secret string, p map[string]string) url.Values {
	v := url.Values{}
	for k, val := range map[string]string{
		"Version": APIVersion, "Format": "JSON", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
		"SignatureNonce": newUUID(), "Timestamp": time.Now().UTC().Format("2006-01-02T15:04:05Z"),
		"AccessKeyId": ak, "RegionId": "cn-hangzhou", "SignatureType": "",
	} {
		v.Set(k, val)
	}
	for k, val := range p {
		if val == "-" {
			v.Del(k)
		} else {
			v.Set(k, val)
		}
	}
	v.Set("Signature", sign(stringToSign(method, v), secret))
	return v
}

func post(t *testing.T, s *Server, v url.Values) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "https://kms.local/?"+v.Encode(), nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("answer is not JSON: %q", w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if body["RequestId"] == "" || body["RequestId"] == nil {
		t.Errorf("answer without RequestId: %v", body)
	}
	return w.Code, body
}

func TestServerErrors(t *testing.T) {
	s, keyID := newTestServer(t)
	other, err := s.CreateKey("cn-shanghai", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		v      url.Values
		status int
		code   string
	}{
		{"no parameters", url.Values{}, 400, "MissingParameter"},
		{"no signature", func() url.Values {
			v := params("POST", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID})
			v.Del("Signature")
			return v
		}(), 400, "MissingParameter"},
		{"unknown access key", params("POST", "LTAI5tNobody", testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID}), 404, "InvalidAccessKeyId.NotFound"},
		{"wrong secret", params("POST", testAK, "wrong", map[string]string{"Action": "DescribeKey", "KeyId": keyID}), 400, "SignatureDoesNotMatch"},
		{"signed as GET, sent as POST", params("GET", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID}), 400, "SignatureDoesNotMatch"},
		{"other signature method", params("POST", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID, "SignatureMethod": "HMAC-SHA256"}), 400, "IncompleteSignature"},
		{"old timestamp", params("POST", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID, "Timestamp": time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04:05Z")}), 400, "InvalidTimeStamp.Expired"},
		{"bad timestamp", params("POST", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID, "Timestamp": "yesterday"}), 400, "IllegalTimestamp"},
		{"expired STS token", params("POST", oldAK, stsSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID, "SecurityToken": stsToken}), 400, "InvalidSecurityToken.Expired"},
		{"token with a permanent key", params("POST", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID, "SecurityToken": stsToken}), 400, "InvalidSecurityToken.MismatchWithAccessKey"},
		{"wrong version", params("POST", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID, "Version": "2014-05-26"}), 400, "InvalidVersion"},
		{"XML", params("POST", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID, "Format": "XML"}), 400, "InvalidParameter"},
		{"unknown action", params("POST", testAK, testSecret, map[string]string{"Action": "DescribeRegions"}), 404, "InvalidAction.NotFound"},
		{"no plaintext", params("POST", testAK, testSecret, map[string]string{"Action": "Encrypt", "KeyId": keyID}), 400, "MissingParameter"},
		{"plaintext over 6 KiB", params("POST", testAK, testSecret, map[string]string{"Action": "Encrypt", "KeyId": keyID, "Plaintext": strings.Repeat("A", 6*1024+4)}), 400, "InvalidParameter"},
		{"no key ID", params("POST", testAK, testSecret, map[string]string{"Action": "Encrypt", "Plaintext": "QQ=="}), 400, "MissingParameter"},
		{"unknown key", params("POST", testAK, testSecret, map[string]string{"Action": "Encrypt", "KeyId": newUUID(), "Plaintext": "QQ=="}), 404, "Forbidden.KeyNotFound"},
		{"key of another region", params("POST", testAK, testSecret, map[string]string{"Action": "Encrypt", "KeyId": other, "Plaintext": "QQ=="}), 404, "Forbidden.KeyNotFound"},
		{"ARN of another region", params("POST", testAK, testSecret, map[string]string{"Action": "Encrypt", "KeyId": strings.Replace(s.ARN(keyID), "cn-hangzhou", "cn-beijing", 1), "Plaintext": "QQ=="}), 404, "Forbidden.KeyNotFound"},
		{"bad encryption context", params("POST", testAK, testSecret, map[string]string{"Action": "Encrypt", "KeyId": keyID, "Plaintext": "QQ==", "EncryptionContext": "[1,2]"}), 400, "InvalidParameter"},
		{"bad key spec", params("POST", testAK, testSecret, map[string]string{"Action": "GenerateDataKey", "KeyId": keyID, "KeySpec": "RSA_2048"}), 400, "InvalidParameter"},
		{"too many bytes", params("POST", testAK, testSecret, map[string]string{"Action": "GenerateDataKey", "KeyId": keyID, "NumberOfBytes": "1025"}), 400, "InvalidParameter"},
		{"blob not base64", params("POST", testAK, testSecret, map[string]string{"Action": "Decrypt", "CiphertextBlob": "%%%"}), 400, "InvalidParameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, s, tt.v)
			if status != tt.status || body["Code"] != tt.code {
				t.Errorf("got %d %v, want %d %s", status, body["Code"], tt.status, tt.code)
			}
			if body["Message"] == "" || body["HostId"] != "kms.local" {
				t.Errorf("error answer lacks Message or HostId: %v", body)
			}
		})
	}
}

func TestNonceReplayRefused(t *testing.T) {
	s, keyID := newTestServer(t)
	v := params("POST", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID})
	if status, body := post(t, s, v); status != 200 {
		t.Fatalf("first request: %d %v", status, body)
	}
	if status, body := post(t, s, v); status != 400 || body["Code"] != "SignatureNonceUsed" {
		t.Fatalf("replayed request: %d %v", status, body)
	}
}

func TestGETRequest(t *testing.T) {
	s, keyID := newTestServer(t)
	v := params("GET", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID})
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/?"+v.Encode(), nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), keyID) {
		t.Fatalf("GET: %d %s", w.Code, w.Body)
	}
}

func TestKeyStates(t *testing.T) {
	s, keyID := newTestServer(t)
	enc := func() (int, map[string]any) {
		return post(t, s, params("POST", testAK, testSecret, map[string]string{"Action": "Encrypt", "KeyId": keyID, "Plaintext": "QQ=="}))
	}
	for state, want := range map[KeyState]string{Disabled: "Rejected.Disabled", PendingDeletion: "Rejected.PendingDeletion"} {
		if err := s.SetKeyState(keyID, state); err != nil {
			t.Fatal(err)
		}
		if status, body := enc(); status != 409 || body["Code"] != want {
			t.Errorf("%s: %d %v, want 409 %s", state, status, body, want)
		}
		status, body := post(t, s, params("POST", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID}))
		md, _ := body["KeyMetadata"].(map[string]any)
		if status != 200 || md["KeyState"] != string(state) {
			t.Errorf("DescribeKey of a %s key: %d %v", state, status, body)
		}
	}
	if err := s.SetKeyState(keyID, Enabled); err != nil {
		t.Fatal(err)
	}
	if status, body := enc(); status != 200 {
		t.Errorf("re-enabled key: %d %v", status, body)
	}
	if err := s.SetKeyState(keyID, "Frozen"); err == nil {
		t.Error("SetKeyState accepted an unknown state")
	}
	if err := s.SetKeyState(newUUID(), Disabled); err == nil {
		t.Error("SetKeyState accepted an unknown key")
	}
}

func TestEncryptionContextIsBound(t *testing.T) {
	s, keyID := newTestServer(t)
	status, body := post(t, s, params("POST", testAK, testSecret, map[string]string{
		"Action": "Encrypt", "KeyId": keyID, "Plaintext": "c2VjcmV0", "EncryptionContext": `{"a":"1","x-passphrase":"p"}`,
	}))
	if status != 200 {
		t.Fatalf("Encrypt: %d %v", status, body)
	}
	blob := body["CiphertextBlob"].(string)
	decrypt := func(ec string) (int, map[string]any) {
		p := map[string]string{"Action": "Decrypt", "CiphertextBlob": blob}
		if ec != "" {
			p["EncryptionContext"] = ec
		}
		return post(t, s, params("POST", testAK, testSecret, p))
	}
	if status, body := decrypt(""); status != 400 || body["Code"] != "InvalidParameter" {
		t.Errorf("Decrypt without the context: %d %v", status, body)
	}
	if status, body := decrypt(`{"x-passphrase":"q","a":"1"}`); status != 400 {
		t.Errorf("Decrypt with another context: %d %v", status, body)
	}
	// Same context, other key order.
	if status, body := decrypt(`{"x-passphrase":"p","a":"1"}`); status != 200 || body["Plaintext"] != "c2VjcmV0" {
		t.Errorf("Decrypt with the context: %d %v", status, body)
	}
}

func TestFaultsAndCounts(t *testing.T) {
	s, keyID := newTestServer(t)
	s.FailNext(2, FaultThrottling)
	s.FailNext(1, FaultUnavailable)
	want := []struct {
		status int
		code   any
	}{{400, "Throttling"}, {400, "Throttling"}, {503, "ServiceUnavailable"}, {200, nil}}
	for i, w := range want {
		// Faults come before authentication, as a gateway's would.
		status, body := post(t, s, params("POST", testAK, testSecret, map[string]string{"Action": "DescribeKey", "KeyId": keyID}))
		if status != w.status || body["Code"] != w.code {
			t.Errorf("request %d: %d %v, want %d %v", i, status, body["Code"], w.status, w.code)
		}
	}
	if got := s.Calls("DescribeKey"); got != 4 {
		t.Errorf("Calls(DescribeKey) = %d, want 4", got)
	}
	if got := s.Calls(""); got != 4 {
		t.Errorf("Calls(\"\") = %d, want 4", got)
	}
}

func TestBlobForm(t *testing.T) {
	s, keyID := newTestServer(t)
	_, body := post(t, s, params("POST", testAK, testSecret, map[string]string{"Action": "Encrypt", "KeyId": keyID, "Plaintext": "QUJD"}))
	blob := body["CiphertextBlob"].(string)
	raw, err := base64.StdEncoding.DecodeString(blob)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw[:36]) != keyID || len(raw) != 36+12+4+16 {
		t.Errorf("blob = %q; want key ID, nonce, 4 bytes of ciphertext, tag", raw)
	}
	// Two encryptions of one plaintext differ (fresh nonce).
	_, body2 := post(t, s, params("POST", testAK, testSecret, map[string]string{"Action": "Encrypt", "KeyId": keyID, "Plaintext": "QUJD"}))
	if body2["CiphertextBlob"] == blob {
		t.Error("two Encrypt calls gave the same blob")
	}
}
