package kms

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		raw        string
		wantScheme string
		wantHost   string
		wantErr    error // nil: success; errAny: any error
	}{
		{"", "HTTPS", "kms.cn-hangzhou.aliyuncs.com", nil},
		{"kms-vpc.cn-hangzhou.aliyuncs.com", "HTTPS", "kms-vpc.cn-hangzhou.aliyuncs.com", nil},
		{"kst-hzz65f176a0ogplgq.cryptoservice.kms.aliyuncs.com:443", "HTTPS", "kst-hzz65f176a0ogplgq.cryptoservice.kms.aliyuncs.com:443", nil},
		{"https://kms.cn-hangzhou.aliyuncs.com", "HTTPS", "kms.cn-hangzhou.aliyuncs.com", nil},
		{"https://kms.cn-hangzhou.aliyuncs.com/", "HTTPS", "kms.cn-hangzhou.aliyuncs.com", nil},
		{"127.0.0.1:8443", "HTTPS", "127.0.0.1:8443", nil},
		{"http://127.0.0.1:8080", "HTTP", "127.0.0.1:8080", nil},
		{"http://localhost:8080", "HTTP", "localhost:8080", nil},
		{"http://[::1]:8080", "HTTP", "[::1]:8080", nil},
		{"http://kms.cn-hangzhou.aliyuncs.com", "", "", ErrInsecureEndpoint},
		{"http://192.168.1.10", "", "", ErrInsecureEndpoint},
		{"http://localhost.example.com", "", "", ErrInsecureEndpoint},
		{"ftp://kms.example.com", "", "", errAny},
		{"https://kms.example.com/path", "", "", errAny},
		{"https://user:pw@kms.example.com", "", "", errAny},
		{"https://kms.example.com?x=1", "", "", errAny},
		{"https://", "", "", errAny},
		{"://", "", "", errAny},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			ep, err := parseEndpoint("cn-hangzhou", tt.raw)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("error: %v", err)
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (ep.scheme != tt.wantScheme || ep.host != tt.wantHost) {
				t.Errorf("got %s %s, want %s %s", ep.scheme, ep.host, tt.wantScheme, tt.wantHost)
			}
			if err != nil && strings.Contains(err.Error(), "pw") {
				t.Errorf("error repeats a password: %v", err)
			}
		})
	}
}

var errAny = errors.New("any error")

func TestKeyRegion(t *testing.T) {
	for in, want := range map[string]string{
		"acs:kms:cn-shanghai:1234567890123456:key/1234abcd-12ab-34cd-56ef-12345678abcd": "cn-shanghai",
		"1234abcd-12ab-34cd-56ef-12345678abcd":                                          "",
		"alias/finance":                                                                 "",
		"acs:kms:":                                                                      "",
	} {
		if got := keyRegion(in); got != want {
			t.Errorf("keyRegion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCredentialsFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Credentials
		ok   bool
	}{
		{"none", nil, Credentials{}, false},
		{"alibaba cloud", map[string]string{
			"ALIBABA_CLOUD_ACCESS_KEY_ID": "a", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "b", "ALIBABA_CLOUD_SECURITY_TOKEN": "c",
			"OSS_ACCESS_KEY_ID": "x", "OSS_ACCESS_KEY_SECRET": "y", "OSS_SESSION_TOKEN": "z",
		}, Credentials{"a", "b", "c"}, true},
		{"oss", map[string]string{"OSS_ACCESS_KEY_ID": "x", "OSS_ACCESS_KEY_SECRET": "y", "OSS_SESSION_TOKEN": "z"}, Credentials{"x", "y", "z"}, true},
		{"oss without token", map[string]string{"OSS_ACCESS_KEY_ID": "x", "OSS_ACCESS_KEY_SECRET": "y"}, Credentials{"x", "y", ""}, true},
		{"incomplete alibaba cloud set falls through whole", map[string]string{
			"ALIBABA_CLOUD_ACCESS_KEY_ID": "a", "ALIBABA_CLOUD_SECURITY_TOKEN": "c",
			"OSS_ACCESS_KEY_ID": "x", "OSS_ACCESS_KEY_SECRET": "y",
		}, Credentials{"x", "y", ""}, true},
		{"secret without id", map[string]string{"OSS_ACCESS_KEY_SECRET": "y"}, Credentials{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := CredentialsFromEnv(func(k string) string { return tt.env[k] })
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %#v, %v; want %#v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCredentialsHideSecrets(t *testing.T) {
	c := Credentials{AccessKeyID: "LTAI5tID", AccessKeySecret: "very-secret", SecurityToken: "sts-token"}
	for _, format := range []string{"%v", "%+v", "%s", "%#v"} {
		out := fmt.Sprintf(format, c)
		if strings.Contains(out, "very-secret") || strings.Contains(out, "sts-token") {
			t.Errorf("%s prints a secret: %s", format, out)
		}
		if !strings.Contains(out, "LTAI5tID") {
			t.Errorf("%s hides the AccessKey ID too: %s", format, out)
		}
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{Region: "cn-hangzhou", Credentials: Credentials{AccessKeyID: "a", AccessKeySecret: "b"}, Retries: 99, ConnectTimeout: 0, Timeout: 0})
	if err != nil {
		t.Fatal(err)
	}
	if c.retries != maxRetries || c.timeout != DefaultTimeout || c.connectTimeout != DefaultConnectTimeout {
		t.Errorf("retries %d timeout %v connect %v", c.retries, c.timeout, c.connectTimeout)
	}
	if c.Endpoint() != "https://kms.cn-hangzhou.aliyuncs.com" || c.Region() != "cn-hangzhou" {
		t.Errorf("Endpoint %s Region %s", c.Endpoint(), c.Region())
	}
	c, err = New(Config{Region: "cn-hangzhou", Credentials: Credentials{AccessKeyID: "a", AccessKeySecret: "b"}, Retries: -1, Timeout: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	if c.retries != 0 || c.connectTimeout != 1e9 {
		t.Errorf("retries %d connect %v; want 0 and capped at Timeout", c.retries, c.connectTimeout)
	}
}
