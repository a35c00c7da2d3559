package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

func TestGetRange(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "src")
	want := writeFile(t, src, 300<<10+7)
	h.must("put", src, "oss://bkt/r", "--part-size", "102400")
	for _, tc := range []struct {
		rng  string
		want []byte
	}{
		{"0-0", want[:1]},
		{"17-200000", want[17:200001]},
		{"-100", want[len(want)-100:]},
		{"300000-", want[300000:]},
	} {
		out := filepath.Join(t.TempDir(), "out")
		h.must("get", "oss://bkt/r", out, "--range", tc.rng)
		if got, _ := os.ReadFile(out); !bytes.Equal(got, tc.want) {
			t.Errorf("--range %s: got %d bytes, want %d", tc.rng, len(got), len(tc.want))
		}
	}
	for _, bad := range []string{"5-1", "x-3", "12", "-0"} {
		if _, _, code := h.run("get", "oss://bkt/r", filepath.Join(t.TempDir(), "o"), "--range", bad); code != 2 {
			t.Errorf("--range %s: exit %d, want 2", bad, code)
		}
	}
}

func TestGetIntoFolderAndNoOverwrite(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "report.txt")
	writeFile(t, src, 100)
	h.must("put", src, "oss://bkt/docs/report.txt")
	dest := t.TempDir()
	h.must("get", "oss://bkt/docs/report.txt", dest)
	if !sameFile(t, src, filepath.Join(dest, "report.txt")) {
		t.Fatal("download into a folder differs")
	}
	_, errs, code := h.run("get", "oss://bkt/docs/report.txt", dest)
	if code != 1 || !strings.Contains(errs, "already exists") {
		t.Fatalf("second get: exit %d, %q; want a refusal to overwrite", code, errs)
	}
}

// tamperedCopy stores a copy of key under name after changing it.
func tamperedCopy(t *testing.T, h *harness, key, name string, change func(data []byte, meta map[string]string)) {
	t.Helper()
	b := h.bucket()
	hdr, err := b.GetObjectDetailedMeta(key)
	if err != nil {
		t.Fatal(err)
	}
	body, err := b.GetObject(key)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(body)
	body.Close()
	meta := map[string]string{}
	for k, v := range hdr {
		if rest, ok := strings.CutPrefix(strings.ToLower(k), "x-oss-meta-"); ok {
			meta[rest] = v[0]
		}
	}
	change(data, meta)
	var opts []oss.Option
	for k, v := range meta {
		opts = append(opts, oss.Meta(k, v))
	}
	if err := b.PutObject(name, bytes.NewReader(data), opts...); err != nil {
		t.Fatal(err)
	}
}

func TestGetTamperedExits4(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "src")
	writeFile(t, src, 2<<20+5)
	h.must("put", src, "oss://bkt/orig")
	for _, tc := range []struct {
		name   string
		change func([]byte, map[string]string)
	}{
		{"flipped bit", func(d []byte, _ map[string]string) { d[1<<20+3] ^= 0x04 }},
		{"altered matdesc", func(_ []byte, m map[string]string) { m["client-side-encryption-matdesc"] = `{"desc":"me","x":"y"}` }},
		{"altered size", func(_ []byte, m map[string]string) { m["client-side-encryption-unencrypted-content-length"] = "1" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tamperedCopy(t, h, "orig", "t", tc.change)
			dir := t.TempDir()
			_, errs, code := h.run("get", "oss://bkt/t", filepath.Join(dir, "out"))
			if code != 4 && !(tc.name == "altered matdesc" && code == 3) {
				t.Fatalf("exit %d (%s), want 4", code, errs)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Fatalf("left %d files at the destination", len(ents))
			}
			out, _, code := h.run("info", "oss://bkt/t")
			if tc.name != "altered matdesc" && (code != 4 || !strings.Contains(out, "integrity: failed")) {
				t.Fatalf("info: exit %d\n%s", code, out)
			}
		})
	}
}

func TestGetWithoutKeyExits3(t *testing.T) {
	h := newHarness(t)
	// A 1024-bit key: its wrapped key is always smaller than the vault
	// key's 2048-bit modulus, so opening it fails as "not this key" (a
	// same-size key whose modulus is smaller than the wrapped value makes
	// the envelope report a decryption error instead).
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	store, err := bucketStore(&Env{Stdio: Stdio{Getenv: func(k string) string { return h.vars[k] }}, Home: h.home}, flagsFor(t, "get"), nil, "bkt")
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "src")
	writeFile(t, src, 500)
	up := &transfer.Uploader{Store: store}
	if err := up.Upload(context.Background(), transfer.UploadJob{Source: src, Bucket: "bkt", Key: "theirs",
		Wrapper: envelope.NewRSAWrapper(&other.PublicKey, envelope.MatDesc{"desc": "finance"})}, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, errs, code := h.run("get", "oss://bkt/theirs", filepath.Join(dir, "out"))
	if code != 3 || !strings.Contains(errs, `{"desc":"finance"}`) || !strings.HasPrefix(errs, "ossvault: ") {
		t.Fatalf("exit %d, %q; want 3 naming the matdesc", code, errs)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left %d files", len(ents))
	}
	out, _, code := h.run("info", "oss://bkt/theirs")
	if code != 3 || !strings.Contains(out, "opened-by: none") || !strings.Contains(out, `matdesc: {"desc":"finance"}`) {
		t.Fatalf("info: exit %d\n%s", code, out)
	}
	if out := h.must("ls", "oss://bkt/"); !strings.Contains(out, "\tnone\ttheirs") {
		t.Fatalf("ls does not say no key opens it:\n%s", out)
	}
}

func TestGetPlainObject(t *testing.T) {
	h := newHarness(t)
	if err := h.bucket().PutObject("plain.txt", strings.NewReader("hello, plain world")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	_, errs, code := h.run("get", "oss://bkt/plain.txt", out)
	if code != 0 || !strings.Contains(errs, "warning") {
		t.Fatalf("exit %d, stderr %q; want success with a warning", code, errs)
	}
	if got, _ := os.ReadFile(out); string(got) != "hello, plain world" {
		t.Fatalf("saved %q", got)
	}
	info := h.must("info", "oss://bkt/plain.txt")
	if info != "encrypted: no\nwrap-alg: -\nmatdesc: -\nopened-by: none\nsize: 18\nintegrity: unverified\nsigned-by: none\nuploaded-as: -\nuploaded-at: -\n" {
		t.Fatalf("info =\n%s", info)
	}
	if ls := h.must("ls", "oss://bkt"); !strings.HasPrefix(ls, "18\t") || !strings.HasSuffix(ls, "\t-\tplain.txt\n") {
		t.Fatalf("ls = %q", ls)
	}
}

func TestInfoShareRmMb(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "src")
	writeFile(t, src, 250<<10)
	h.must("put", src, "oss://bkt/s/f 1.bin", "--part-size", "102400")
	info := h.must("info", "oss://bkt/s/f 1.bin")
	want := "encrypted: yes\nwrap-alg: RSA/NONE/PKCS1Padding\nmatdesc: {\"desc\":\"me\"}\nopened-by: me\nsize: 256000\nintegrity: verified\n" +
		"signed-by: me " + signingFP(t, h) + "\nuploaded-as: oss://bkt/s/f 1.bin\nuploaded-at: "
	if !strings.HasPrefix(info, want) {
		t.Fatalf("info =\n%s\nwant\n%s", info, want)
	}
	link := strings.TrimSpace(h.must("share", "oss://bkt/s/f 1.bin", "--expires", "10m"))
	if !strings.HasPrefix(link, "http://127.0.0.1") || strings.Contains(link, "\n") {
		t.Fatalf("share printed %q", link)
	}
	// The recipient has the key but no account.
	recipient := *h
	recipient.vars = map[string]string{"OSSVAULT_HOME": h.home}
	dest := t.TempDir()
	// Read by its link under the name it was uploaded as: no warning.
	if _, errs, code := recipient.run("get", link, dest); code != 0 || errs != "" {
		t.Fatalf("get LINK: exit %d: %s", code, errs)
	}
	if !sameFile(t, src, filepath.Join(dest, "f 1.bin")) {
		t.Fatal("download through the link differs")
	}
	if _, _, code := h.run("share", "oss://bkt/nothing"); code != 1 {
		t.Errorf("share of a missing object: exit %d", code)
	}
	if _, _, code := h.run("share", "oss://bkt/s/f 1.bin", "--expires", "30d"); code != 2 {
		t.Errorf("--expires 30d: exit %d, want 2", code)
	}

	h.must("rm", "oss://bkt/s/f 1.bin")
	if _, _, code := h.run("info", "oss://bkt/s/f 1.bin"); code != 1 {
		t.Errorf("info after rm: exit %d", code)
	}
	if _, _, code := h.run("rm", "oss://bkt/s/f 1.bin"); code != 1 {
		t.Errorf("rm of a missing object: exit %d", code)
	}
	h.must("put", src, "oss://bkt/p/a")
	h.must("put", src, "oss://bkt/p/q/b")
	if _, _, code := h.run("rm", "oss://bkt/p/"); code != 2 {
		t.Errorf("rm of a folder without -r: exit %d", code)
	}
	h.must("rm", "-r", "oss://bkt/p/")
	if out := h.must("ls", "oss://bkt/p/"); out != "" {
		t.Fatalf("ls after rm -r: %q", out)
	}

	h.must("mb", "oss://new-bucket")
	h.must("put", src, "oss://new-bucket/x")
	_, errs, code := h.run("put", src, "oss://no-such-bucket/x")
	if code != 1 || !strings.Contains(errs, "bucket does not exist") {
		t.Fatalf("put to a missing bucket: exit %d, %q", code, errs)
	}
}

func TestConnectionRules(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "src")
	writeFile(t, src, 10)
	h.vars["OSS_ENDPOINT"] = "http://oss.example.com"
	if _, errs, code := h.run("put", src, "oss://bkt/x"); code != 1 || !strings.Contains(errs, "plain http") {
		t.Errorf("plain http to a remote host: exit %d, %q", code, errs)
	}
	h.vars["OSS_ENDPOINT"] = h.srv.Endpoint
	h.vars["OSS_ACCESS_KEY_SECRET"] = "wrong-secret-value"
	_, errs, code := h.run("put", src, "oss://bkt/x")
	if code != 1 || !strings.Contains(errs, "access denied") || strings.Contains(errs, "wrong-secret-value") {
		t.Errorf("wrong secret: exit %d, %q", code, errs)
	}
	if strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "ossvault: ") {
		t.Errorf("error is not one ossvault: line: %q", errs)
	}
}

// A folder holding an object whose name would climb out of DEST is refused
// as a whole, in one line, before anything is written.
func TestGetFolderRefusesClimbingName(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "a.txt")
	writeFile(t, src, 10)
	h.must("put", src, "oss://bkt/team/a.txt")
	if err := h.bucket().PutObject("team/../../escaped.txt", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "in", "back")
	_, errs, code := h.run("get", "oss://bkt/team/", dest+"/")
	if code != 1 || errs != "ossvault: refusing the object name \"team/../../escaped.txt\": it points outside "+dest+"/\n" {
		t.Fatalf("exit %d, %q; want a refusal naming the object", code, errs)
	}
	if ents, _ := os.ReadDir(filepath.Dir(dest)); len(ents) != 0 {
		t.Fatalf("left %d entries beside the destination", len(ents))
	}
}
