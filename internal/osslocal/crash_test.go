package osslocal_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
)

const (
	crashDirEnv = "OSSLOCAL_CRASH_CHILD_DIR"
	crashID     = "crash-id"
	crashSecret = "crash-secret"
)

// TestCrashHelperProcess is not a test: it is the server process that
// TestKillDuringUploads kills with SIGKILL.
func TestCrashHelperProcess(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("only runs as a child process")
	}
	store, err := osslocal.NewDiskStore(dir)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	srv, err := osslocal.New(osslocal.Options{Store: store, Credentials: []osslocal.Credential{{AccessKeyID: crashID, AccessKeySecret: crashSecret}}})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(url)
	select {}
}

func startCrashChild(t *testing.T, dir string) (*exec.Cmd, *oss.Bucket) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperProcess$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		t.Fatalf("child said %q (%v)", line, err)
	}
	c, err := oss.New(strings.TrimSpace(line), crashID, crashSecret, oss.Timeout(5, 30))
	if err != nil {
		t.Fatal(err)
	}
	c.CreateBucket("crash")
	b, _ := c.Bucket("crash")
	return cmd, b
}

func tempFiles(dir string) (n int, bytes int64) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), ".tmp-") {
			n++
			if fi, err := d.Info(); err == nil {
				bytes += fi.Size()
			}
		}
		return nil
	})
	return n, bytes
}

// TestKillDuringUploads kills the server (SIGKILL) while a PUT and a part
// are half received, then checks that no half object is visible, the old
// version survives, temp files are cleaned, and the unfinished multipart
// upload keeps its parts across the restart.
func TestKillDuringUploads(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	cmd, b := startCrashChild(t, dir)
	v1 := randomBytes(20, 1<<20)
	if err := b.PutObject("k", bytes.NewReader(v1)); err != nil {
		t.Fatal(err)
	}
	if err := b.PutObject("stable", strings.NewReader("stable content")); err != nil {
		t.Fatal(err)
	}
	imur, err := b.InitiateMultipartUpload("mp")
	if err != nil {
		t.Fatal(err)
	}
	parts := randomBytes(21, 3*partSize)
	var done []oss.UploadPart
	for n := 1; n <= 2; n++ {
		p, err := b.UploadPart(imur, bytes.NewReader(parts[(n-1)*partSize:n*partSize]), partSize, n)
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, p)
	}

	// Two uploads that send half their bytes and then stall.
	stall := func(send func(io.Reader) error, sent int) {
		pr, pw := io.Pipe()
		go send(pr)
		// Never finish: the server is killed first.
		go pw.Write(randomBytes(22, sent))
	}
	stall(func(r io.Reader) error { return b.PutObject("k", r, oss.ContentLength(8<<20)) }, 3<<20)
	stall(func(r io.Reader) error {
		_, err := b.UploadPart(imur, r, partSize, 3)
		return err
	}, partSize/2)
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, size := tempFiles(dir)
		// The part's bytes may still sit in the copy buffer; its temp file
		// exists all the same.
		if n >= 2 && size >= 3<<20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the half uploads never reached the disk (%d temp files, %d bytes)", n, size)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	// Opening the store after the crash cleans up and shows only whole
	// objects.
	store, err := osslocal.NewDiskStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := tempFiles(dir); n != 0 {
		t.Fatalf("%d temp files left after restart", n)
	}
	o, err := store.OpenObject("crash", "k")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(io.NewSectionReader(o, 0, o.Info().Size))
	o.Close()
	if !bytes.Equal(got, v1) {
		t.Fatalf("after the crash k has %d bytes, not the previous version", len(got))
	}
	ups, err := store.Uploads("crash")
	if err != nil || len(ups) != 1 {
		t.Fatalf("uploads after the crash: %+v %v", ups, err)
	}
	_, ps, err := store.Upload("crash", imur.UploadID)
	if err != nil || len(ps) != 2 {
		t.Fatalf("parts after the crash: %+v %v", ps, err)
	}

	// A restarted server resumes the upload and serves everything.
	_, b = startCrashChild(t, dir)
	lp, err := b.ListUploadedParts(imur)
	if err != nil || len(lp.UploadedParts) != 2 {
		t.Fatalf("ListParts after restart: %+v %v", lp, err)
	}
	p3, err := b.UploadPart(imur, bytes.NewReader(parts[2*partSize:]), partSize, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.CompleteMultipartUpload(imur, append(done, p3)); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string][]byte{"k": v1, "stable": []byte("stable content"), "mp": parts} {
		rc, err := b.GetObject(key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s after restart: %d bytes, %v", key, len(got), err)
		}
	}
}

// TestTruncatedBodyIsNotStored sends a PUT whose client disconnects before
// the announced Content-Length.
func TestTruncatedBodyIsNotStored(t *testing.T) {
	srv, b := faultServer(t)
	if err := b.PutObject("k", strings.NewReader("previous")); err != nil {
		t.Fatal(err)
	}
	// Sign a PUT URL and speak HTTP by hand to cut the body short.
	u, err := b.SignURL("k", oss.HTTPPut, 60)
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(srv.Endpoint, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(u, srv.Endpoint)
	fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 100000\r\n\r\n", path, addr)
	conn.Write(bytes.Repeat([]byte("x"), 40000))
	conn.Close()
	// The server logs the request once it has given up on it.
	deadline := time.Now().Add(10 * time.Second)
	for srv.Log.Count(osslocal.OpPutObject) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the truncated request never finished")
		}
		time.Sleep(10 * time.Millisecond)
	}
	rc, err := b.GetObject("k")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "previous" {
		t.Fatalf("a truncated PUT replaced the object with %d bytes", len(got))
	}
	noTempFiles(t, srv.Dir)
}
