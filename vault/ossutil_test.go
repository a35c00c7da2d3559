package vault

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportOssutil(t *testing.T) {
	type want struct {
		name, endpoint, region, id, secret, token string
	}
	cases := []struct {
		file    string
		want    []want
		skipped []string
	}{
		{"ossutil-v1.ini", []want{
			{"ossutil", "https://oss-cn-shenzhen.aliyuncs.com", "cn-shenzhen", "LTAI5tV1ExampleId", "v1SecretValueForTests0123", ""},
		}, nil},
		{"ossutil-v2.ini", []want{
			{"ossutil", "https://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou", "LTAI5tDefaultExampleId", "defaultSecretValueForTests", ""},
			{"dev", "https://oss-cn-beijing-internal.aliyuncs.com", "cn-beijing", "STS.DevExampleId", "devSecretValueForTests", "devStsTokenValueForTests"},
			{"child", "https://oss-cn-beijing-internal.aliyuncs.com", "cn-beijing", "STS.DevExampleId", "devSecretValueForTests", "devStsTokenValueForTests"},
		}, []string{"role"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			v := newTestVault(t)
			rep, err := v.ImportOssutilReport(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Imported) != len(c.want) {
				t.Fatalf("imported %+v, skipped %+v", rep.Imported, rep.Skipped)
			}
			for i, w := range c.want {
				a := rep.Imported[i]
				id, secret, token, err := v.Credentials(w.name)
				if err != nil {
					t.Fatal(err)
				}
				if a.Name != w.name || a.Endpoint != w.endpoint || a.Region != w.region || id != w.id || secret != w.secret || token != w.token || a.STS != (w.token != "") {
					t.Errorf("got %+v (secret ok %v, token ok %v), want %+v", a, secret == w.secret, token == w.token, w)
				}
			}
			var skipped []string
			for _, s := range rep.Skipped {
				skipped = append(skipped, s.Name)
				if strings.Contains(s.Reason, "Secret") {
					t.Errorf("reason quotes a secret: %q", s.Reason)
				}
			}
			if strings.Join(skipped, ",") != strings.Join(c.skipped, ",") {
				t.Errorf("skipped %v, want %v", rep.Skipped, c.skipped)
			}
			// Importing again skips every account by name.
			rep, err = v.ImportOssutilReport(filepath.Join("testdata", c.file))
			if err != nil || len(rep.Imported) != 0 || len(rep.Skipped) != len(c.want)+len(c.skipped) {
				t.Fatalf("second import: %+v %v", rep, err)
			}
		})
	}
}

func TestImportOssutilBothFormatsInOneFile(t *testing.T) {
	v := newTestVault(t)
	p := filepath.Join(t.TempDir(), "cfg")
	both := string(readTestdata(t, "ossutil-v1.ini")) + "\n" + string(readTestdata(t, "ossutil-v2.ini"))
	if err := os.WriteFile(p, []byte(both), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := v.ImportOssutil(p)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range got {
		names = append(names, a.Name)
	}
	if strings.Join(names, ",") != "ossutil,ossutil-default,dev,child" {
		t.Fatalf("imported %v", names)
	}
}

func TestImportOssutilErrors(t *testing.T) {
	v := newTestVault(t)
	if _, err := v.ImportOssutil(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("missing file accepted")
	}
	p := filepath.Join(t.TempDir(), "cfg")
	os.WriteFile(p, []byte("[Credentials]\naccessKeySecret=topsecretvalue\nthis line is broken\n"), 0o600)
	_, err := v.ImportOssutil(p)
	if err == nil || !strings.Contains(err.Error(), "line 3") || strings.Contains(err.Error(), "topsecretvalue") {
		t.Fatalf("got %v", err)
	}
	os.WriteFile(p, []byte("[Credentials]\nendpoint=files.example.com\naccessKeyID=id\naccessKeySecret=topsecretvalue\n"), 0o600)
	rep, err := v.ImportOssutilReport(p)
	if err != nil || len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0].Reason, "region") {
		t.Fatalf("custom domain without region: %+v %v", rep, err)
	}
}

// The parser never fails in a way that quotes a value, and never panics.
func FuzzParseOssutilConfig(f *testing.F) {
	for _, name := range []string{"ossutil-v1.ini", "ossutil-v2.ini"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("[profile a]\nsource-profile=a\n")
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := parseOssutilConfig(strings.NewReader(s))
		if err != nil {
			if strings.Contains(err.Error(), "=") && strings.Contains(s, err.Error()) {
				t.Fatalf("error quotes the input: %v", err)
			}
			return
		}
		for _, p := range ps {
			if p.name == "" && !strings.Contains(strings.ToLower(s), "[profile ") {
				t.Fatalf("profile without a name from %q", s)
			}
		}
	})
}
