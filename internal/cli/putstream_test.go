package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"io"
	mathrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	v2oss "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	v2creds "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	v2crypto "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/crypto"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	osscrypto "github.com/aliyun/aliyun-oss-go-sdk/oss/crypto"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/osslocal"
)

// runIn runs a command in-process with stdin as its standard input.
func (h *harness) runIn(ctx context.Context, stdin io.Reader, args ...string) (string, string, int) {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := Run(ctx, args, Stdio{
		In: stdin, Out: &out, Err: &errb,
		Getenv: func(k string) string { return h.vars[k] },
	}, nil)
	return out.String(), errb.String(), code
}

// pipeOf is a pipe whose writer a goroutine feeds with data, a few KiB at
// a time like a producer on the other end, and then closes; block, if not
// nil, holds the writer after that many bytes until it is closed.
func pipeOf(t *testing.T, data []byte, blockAt int, block chan struct{}) *os.File {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer pw.Close()
		for off := 0; off < len(data); {
			if block != nil && off >= blockAt {
				<-block
				return
			}
			n := min(len(data)-off, 8<<10)
			if _, err := pw.Write(data[off : off+n]); err != nil {
				return
			}
			off += n
		}
	}()
	t.Cleanup(func() { pr.Close() })
	return pr
}

func streamData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + i>>9)
	}
	return b
}

// `put -` sends standard input, read from a pipe, in one PUT when it ends
// within the first part and in parts otherwise; `get` reads it back
// verified, and info names its signer.
func TestPutStreamRoundTrip(t *testing.T) {
	h := newHarness(t)
	const part = 102400
	for _, tc := range []struct {
		name  string
		size  int
		parts int // UploadPart requests
	}{
		{"more than three parts", 3*part + 12345, 4},
		{"whole parts", 2 * part, 2},
		{"within one part", 5000, 0},
		{"empty", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "streams/" + strings.ReplaceAll(tc.name, " ", "-")
			data := streamData(tc.size)
			before := h.srv.Log.Count(osslocal.OpUploadPart)
			if _, errs, code := h.runIn(context.Background(), pipeOf(t, data, 0, nil), "put", "-", "oss://bkt/"+key, "--part-size", "102400", "--jobs", "2"); code != 0 {
				t.Fatalf("put -: exit %d: %s", code, errs)
			}
			if n := h.srv.Log.Count(osslocal.OpUploadPart) - before; n != tc.parts {
				t.Errorf("UploadPart = %d, want %d", n, tc.parts)
			}
			out := filepath.Join(t.TempDir(), "out")
			h.must("get", "oss://bkt/"+key, out)
			got, err := os.ReadFile(out)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("the download differs from the stream (%d of %d bytes, %v)", len(got), len(data), err)
			}
			m, code := infoLines(t, h, "oss://bkt/"+key)
			if code != 0 || m["integrity"] != "verified" || m["signed-by"] != "me "+signingFP(t, h) || m["uploaded-as"] != "oss://bkt/"+key {
				t.Errorf("info: exit %d, %v", code, m)
			}
		})
	}
	if entries, _ := os.ReadDir(filepath.Join(h.home, "journal")); len(entries) != 0 {
		t.Errorf("the journal holds %d entries after streams, want none", len(entries))
	}
}

// A stream cut short by a canceled context (Ctrl-C) exits 1, says the
// stream must be sent again, and leaves no unfinished upload and no
// journal record behind.
func TestPutStreamCanceledLeavesNothing(t *testing.T) {
	h := newHarness(t)
	const part = 102400
	data := streamData(6 * part)
	block := make(chan struct{})
	defer close(block)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Once two parts are stored, the producer is still holding
		// the rest back: cancel then.
		for h.srv.Log.Count(osslocal.OpUploadPart) < 2 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	_, errs, code := h.runIn(ctx, pipeOf(t, data, 3*part+100, block), "put", "-", "oss://bkt/cut", "--part-size", "102400")
	if code != 1 || !strings.Contains(errs, "must be sent again") {
		t.Fatalf("put - canceled: exit %d, %q; want 1 saying it must be sent again", code, errs)
	}
	res, err := h.bucket().ListMultipartUploads()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Uploads) != 0 {
		t.Errorf("%d unfinished uploads left after a canceled stream", len(res.Uploads))
	}
	if ok, _ := h.bucket().IsObjectExist("cut"); ok {
		t.Error("a canceled stream left an object")
	}
	if entries, _ := os.ReadDir(filepath.Join(h.home, "journal")); len(entries) != 0 {
		t.Errorf("the journal holds %d entries after a canceled stream, want none", len(entries))
	}
}

// A stream's size is a tag: removing it, or changing it, fails the get
// (exit 4); the metadata fixed at initiation has no size to fall back on.
func TestPutStreamSizeTagFailsClosed(t *testing.T) {
	h := newHarness(t)
	data := streamData(3*102400 + 99)
	h.runIn(context.Background(), pipeOf(t, data, 0, nil), "put", "-", "oss://bkt/s", "--part-size", "102400")
	b := h.bucket()
	tags, err := b.GetObjectTagging("s")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteObjectTagging("s"); err != nil {
		t.Fatal(err)
	}
	meta, err := b.GetObjectDetailedMeta("s")
	if err != nil {
		t.Fatal(err)
	}
	if meta.Get(envelope.MetaPrefix+envelope.HeaderSize) != "" {
		t.Fatal("the stream's size is in its metadata")
	}
	restore := func(skip string, change map[string]string) {
		t.Helper()
		var keep []oss.Tag
		for _, tg := range tags.Tags {
			if tg.Key == skip {
				continue
			}
			v := tg.Value
			if c, ok := change[tg.Key]; ok {
				v = c
			}
			keep = append(keep, oss.Tag{Key: tg.Key, Value: v})
		}
		if err := b.PutObjectTagging("s", oss.Tagging{Tags: keep}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		skip   string
		change map[string]string
		want   int
	}{
		{"size tag removed", envelope.HeaderSize, nil, ExitIntegrity},
		{"size changed", "", map[string]string{envelope.HeaderSize: "307200"}, ExitIntegrity},
		{"as written", "", nil, ExitOK},
	} {
		restore(tc.skip, tc.change)
		if _, errs, code := h.run("get", "oss://bkt/s", filepath.Join(t.TempDir(), "o")); code != tc.want {
			t.Errorf("%s: get exit %d (%s), want %d", tc.name, code, errs, tc.want)
		}
	}
}

// TestPutStreamLarge sends a large stream through `ossvault put -` (the
// binary, its standard input a pipe fed as it reads) when
// OSSVAULT_STREAM_MIB names its size in MiB (the issue asks for 2 GiB; too
// heavy for every run), with the default 64 MiB parts; then ossvault's get,
// the Go SDK v1's CryptoBucket and the v2 SDK's EncryptionClient read it
// back, each compared by SHA-256 as it streams, and the times are logged.
func TestPutStreamLarge(t *testing.T) {
	mib, _ := strconv.Atoi(os.Getenv("OSSVAULT_STREAM_MIB"))
	if mib <= 0 {
		t.Skip("set OSSVAULT_STREAM_MIB to run")
	}
	h, priv := withKeyPEM(t, newHarness(t), "streamer")
	size := int64(mib) << 20
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	sent := make(chan [32]byte, 1)
	go func() {
		defer pw.Close()
		g := sha256.New()
		src := mathrand.NewChaCha8([32]byte{7})
		buf := make([]byte, 256<<10)
		for left := size; left > 0; {
			b := buf[:min(left, int64(len(buf)))]
			src.Read(b)
			g.Write(b)
			if _, err := pw.Write(b); err != nil {
				return
			}
			left -= int64(len(b))
		}
		sent <- [32]byte(g.Sum(nil))
	}()
	cmd := exec.Command(binary(t), "put", "-", "oss://bkt/large")
	cmd.Env = h.environ()
	cmd.Stdin = pr
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("put -: %v: %s", err, stderr.String())
	}
	put := time.Since(start)
	pr.Close()
	want := <-sent
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()

	out := filepath.Join(t.TempDir(), "out")
	start = time.Now()
	h.must("get", "oss://bkt/large", out)
	get := time.Since(start)
	if fileSum(t, out) != want {
		t.Fatal("get: the download differs from the stream")
	}
	os.Remove(out)

	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)}))
	md := keyOf(t, h, "streamer").MatDesc
	read := func(name string, open func() (io.ReadCloser, error)) time.Duration {
		start := time.Now()
		body, err := open()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer body.Close()
		g := sha256.New()
		n, err := io.Copy(g, body)
		if err != nil || n != size || [32]byte(g.Sum(nil)) != want {
			t.Fatalf("%s read %d of %d bytes (%v), or other bytes", name, n, size, err)
		}
		return time.Since(start)
	}
	v1 := read("SDK v1 CryptoBucket", func() (io.ReadCloser, error) {
		mc, err := osscrypto.CreateMasterRsa(md, publicPEM(t, priv), privPEM)
		if err != nil {
			return nil, err
		}
		cb, err := osscrypto.GetCryptoBucket(&h.bucket().Client, "bkt", osscrypto.CreateAesCtrCipher(mc))
		if err != nil {
			return nil, err
		}
		return cb.GetObject("large")
	})
	v2 := read("SDK v2 EncryptionClient", func() (io.ReadCloser, error) {
		mc, err := v2crypto.CreateMasterRsa(md, publicPEM(t, priv), privPEM)
		if err != nil {
			return nil, err
		}
		cfg := v2oss.LoadDefaultConfig().
			WithCredentialsProvider(v2creds.NewStaticCredentialsProvider(h.vars["OSS_ACCESS_KEY_ID"], h.vars["OSS_ACCESS_KEY_SECRET"])).
			WithEndpoint(h.vars["OSS_ENDPOINT"]).WithRegion("cn-hangzhou").WithUsePathStyle(true).WithDisableSSL(true).
			WithSignatureVersion(v2oss.SignatureVersionV1)
		ec, err := v2oss.NewEncryptionClient(v2oss.NewClient(cfg), mc)
		if err != nil {
			return nil, err
		}
		res, err := ec.GetObject(context.Background(), &v2oss.GetObjectRequest{Bucket: v2oss.Ptr("bkt"), Key: v2oss.Ptr("large")})
		if err != nil {
			return nil, err
		}
		return res.Body, nil
	})
	t.Logf("%d MiB: put - %v (client CPU %v), %d parts; get %v; SDK v1 read %v; SDK v2 read %v",
		mib, put.Round(time.Millisecond), cpu.Round(time.Millisecond), h.srv.Log.Count(osslocal.OpUploadPart),
		get.Round(time.Millisecond), v1.Round(time.Millisecond), v2.Round(time.Millisecond))
}

// put - takes several --key like any put: the stream is one object for
// each of them, the first named being the one other clients see. (It once
// read --key as a single value and, given several, locked the stream for
// the default key instead.)
func TestPutStreamSeveralKeys(t *testing.T) {
	h := newHarness(t)
	h.must("key", "gen", "second", "--bits", "2048")
	data := streamData(3*102400 + 7)
	if _, errs, code := h.runIn(context.Background(), pipeOf(t, data, 0, nil), "put", "-", "oss://bkt/both", "--part-size", "102400", "--key", "second", "--key", "me"); code != 0 {
		t.Fatalf("put -: exit %d: %s", code, errs)
	}
	lines, code := recipientLines(t, h, "oss://bkt/both")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "second ") || !strings.HasPrefix(lines[1], "me ") {
		t.Fatalf("info: exit %d, recipients %q", code, lines)
	}
}
