package kmslocal

import (
	"net/url"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	alikms "github.com/aliyun/alibaba-cloud-sdk-go/services/kms"
)

// TestSignDocumentedExample checks the example of Alibaba Cloud's "RPC
// signature" documentation (ECS DescribeRegions, secret "testsecret").
func TestSignDocumentedExample(t *testing.T) {
	params := url.Values{}
	for k, v := range map[string]string{
		"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
		"SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
		"SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
	} {
		params.Set(k, v)
	}
	const wantSTS = "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML" +
		"%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" +
		"%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
	sts := stringToSign("GET", params)
	if sts != wantSTS {
		t.Fatalf("string to sign:\n got %s\nwant %s", sts, wantSTS)
	}
	if got := sign(sts, "testsecret"); got != "OLeaidS1JvxuMvnyHOwuJ+uX5qY=" {
		t.Errorf("signature = %s, want OLeaidS1JvxuMvnyHOwuJ+uX5qY=", got)
	}
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		"abcXYZ019-_.~":        "abcXYZ019-_.~",
		"a b":                  "a%20b",
		"a+b":                  "a%2Bb",
		"a*b":                  "a%2Ab",
		"a/b=c&d":              "a%2Fb%3Dc%26d",
		"2016-02-23T12:46:24Z": "2016-02-23T12%3A46%3A24Z",
		"ü":                    "%C3%BC",
		"":                     "",
	} {
		if got := percentEncode(in); got != want {
			t.Errorf("percentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSignAgreesWithSDK signs requests with the SDK's own signer, with
// values that exercise every encoding rule, and checks them here.
func TestSignAgreesWithSDK(t *testing.T) {
	values := []string{
		"aGVsbG8gd29ybGQ=",
		"a b+c*d~e/f=g&h%i",
		`{"x-passphrase":"ü 中文 ~*'()!"}`,
	}
	for _, token := range []string{"", "CAIS+token/with=specials"} {
		for _, v := range values {
			var cred any = credentials.NewAccessKeyCredential("LTAI5tKey", "s3cr3t+/=")
			if token != "" {
				cred = credentials.NewStsTokenCredential("STS.Key", "s3cr3t+/=", token)
			}
			provider, err := auth.ToCredentialsProvider(cred)
			if err != nil {
				t.Fatal(err)
			}
			req := alikms.CreateEncryptRequest()
			req.KeyId = "1234abcd-12ab-34cd-56ef-12345678abcd"
			req.Plaintext = v
			req.EncryptionContext = v
			req.SetDomain("127.0.0.1:1")
			req.SetScheme("HTTPS")
			if err := requests.InitParams(req); err != nil {
				t.Fatal(err)
			}
			if err := auth.Sign(req, nil, "cn-hangzhou", provider); err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(req.BuildUrl())
			if err != nil {
				t.Fatal(err)
			}
			params := u.Query()
			for k, fv := range req.GetFormParams() {
				params.Set(k, fv)
			}
			if params.Get("Plaintext") != v {
				t.Fatalf("round trip of the URL changed Plaintext: %q", params.Get("Plaintext"))
			}
			if !signatureValid(req.GetMethod(), params, "s3cr3t+/=") {
				t.Errorf("SDK signature not accepted for %q (token %q); string to sign here:\n%s\nSDK:\n%s",
					v, token, stringToSign(req.GetMethod(), params), req.GetStringToSign())
			}
			if signatureValid(req.GetMethod(), params, "another secret") {
				t.Error("signature accepted under another secret")
			}
		}
	}
}
