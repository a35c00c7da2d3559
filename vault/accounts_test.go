package vault

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeEndpoint(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"oss-cn-hangzhou.aliyuncs.com", "https://oss-cn-hangzhou.aliyuncs.com", ""},
		{"https://OSS-cn-hangzhou.aliyuncs.com/", "https://oss-cn-hangzhou.aliyuncs.com", ""},
		{"https://oss-cn-hangzhou-internal.aliyuncs.com", "https://oss-cn-hangzhou-internal.aliyuncs.com", ""},
		{"oss-accelerate.aliyuncs.com", "https://oss-accelerate.aliyuncs.com", ""},
		{"files.example.com:8443", "https://files.example.com:8443", ""},
		{"http://127.0.0.1:9000", "http://127.0.0.1:9000", ""},
		{"http://localhost:9000", "http://localhost:9000", ""},
		{"http://[::1]:9000", "http://[::1]:9000", ""},
		{"http://oss-cn-hangzhou.aliyuncs.com", "", "plain http"},
		{"http://10.0.0.1", "", "plain http"},
		{"ftp://example.com", "", "https://"},
		{"https://example.com/bucket", "", "without a path"},
		{"https://user@example.com", "", "without a path"},
		{"", "", "endpoint is needed"},
		{"https://", "", "not a URL"},
	}
	for _, c := range cases {
		got, err := NormalizeEndpoint(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: got %q, %v; want error %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestRegionFromEndpoint(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou"},
		{"https://oss-cn-hangzhou-internal.aliyuncs.com", "cn-hangzhou"},
		{"https://oss-ap-southeast-1.aliyuncs.com:443", "ap-southeast-1"},
		{"https://bucket.oss-eu-central-1.aliyuncs.com", "eu-central-1"},
		{"https://cn-shanghai.oss.aliyuncs.com", "cn-shanghai"},
		{"https://oss-accelerate.aliyuncs.com", ""},
		{"https://oss-accelerate-overseas.aliyuncs.com", ""},
		{"https://files.example.com", ""},
		{"https://aliyuncs.com", ""},
	}
	for _, c := range cases {
		got, ok := RegionFromEndpoint(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%q: got %q %v, want %q", c.in, got, ok, c.want)
		}
	}
}

func TestAccounts(t *testing.T) {
	v := newTestVault(t)
	longToken := strings.Repeat("CAIS", 900) // STS tokens can exceed one entry
	a, err := v.AddAccount(Account{Name: "work", Endpoint: "oss-cn-shenzhen.aliyuncs.com", AccessKeyID: "LTAIid"}, " sec ", longToken)
	if err != nil {
		t.Fatal(err)
	}
	if a.Endpoint != "https://oss-cn-shenzhen.aliyuncs.com" || a.Region != "cn-shenzhen" || !a.STS {
		t.Fatalf("got %+v", a)
	}
	id, secret, token, err := v.Credentials("work")
	if err != nil || id != "LTAIid" || secret != "sec" || token != longToken {
		t.Fatalf("credentials: %q %q %d bytes, %v", id, secret, len(token), err)
	}
	if _, err := v.AddAccount(Account{Name: "work", Endpoint: "oss-cn-shenzhen.aliyuncs.com", AccessKeyID: "x"}, "y", ""); !errors.Is(err, ErrAccountExists) {
		t.Fatalf("duplicate: %v", err)
	}
	for _, c := range []struct {
		a      Account
		secret string
		want   string
	}{
		{Account{Name: "c", Endpoint: "files.example.com", AccessKeyID: "x"}, "y", "--region"},
		{Account{Name: "c", Endpoint: "oss-cn-hangzhou.aliyuncs.com", Region: "cn-beijing", AccessKeyID: "x"}, "y", "does not match"},
		{Account{Name: "c", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: ""}, "y", "AccessKey ID"},
		{Account{Name: "c", Endpoint: "oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "x"}, "", "AccessKey secret"},
		{Account{Name: "c", Endpoint: "http://oss-cn-hangzhou.aliyuncs.com", AccessKeyID: "x"}, "y", "plain http"},
	} {
		if _, err := v.AddAccount(c.a, c.secret, ""); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.a, err, c.want)
		}
	}
	a, err = v.AddAccount(Account{Name: "custom", Endpoint: "files.example.com", Region: "oss-cn-beijing", AccessKeyID: "x"}, "y", "")
	if err != nil || a.Region != "cn-beijing" || a.STS {
		t.Fatalf("custom domain: %+v %v", a, err)
	}
	if a, err = v.AddAccount(Account{Name: "local", Endpoint: "http://127.0.0.1:9000", AccessKeyID: "x"}, "y", ""); err != nil || a.Region != "" {
		t.Fatalf("loopback: %+v %v", a, err)
	}
	if n := len(v.Accounts()); n != 3 {
		t.Fatalf("%d accounts", n)
	}
	if err := v.RemoveAccount("work"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := v.Credentials("work"); !errors.Is(err, ErrAccountNotFound) {
		t.Fatalf("removed account: %v", err)
	}
	if err := v.RemoveAccount("work"); !errors.Is(err, ErrAccountNotFound) {
		t.Fatalf("second remove: %v", err)
	}
}

func TestIsLocalStore(t *testing.T) {
	for _, c := range []struct {
		name, endpoint string
		want           bool
	}{
		{LocalStoreAccount, "http://127.0.0.1:41234", true},
		{LocalStoreAccount, "http://127.0.0.1", false},
		{LocalStoreAccount, "http://localhost:41234", false},
		{LocalStoreAccount, "https://127.0.0.1:41234", false},
		{LocalStoreAccount, "https://oss-cn-hangzhou.aliyuncs.com", false},
		{"Office", "http://127.0.0.1:41234", false},
	} {
		if got := (Account{Name: c.name, Endpoint: c.endpoint}).IsLocalStore(); got != c.want {
			t.Errorf("%q at %s: IsLocalStore %v, want %v", c.name, c.endpoint, got, c.want)
		}
	}
}
