package osslocal_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// objectFile is where the disk store keeps key of bucket (the layout in
// DiskStore's documentation).
func objectFile(dir, bucket, key string) string {
	sum := sha256.Sum256([]byte(key))
	name := hex.EncodeToString(sum[:])
	return filepath.Join(dir, "buckets", bucket, "objects", name[:2], name)
}

// A file of the disk store damaged while the server was stopped (cut
// short, its trailer overwritten) does not make its object vanish after a
// restart: the object is still listed, and reading it says the stored copy
// is damaged. It can be deleted or written again.
func TestDamagedObjectStaysListed(t *testing.T) {
	srv := osstest.Start(t, osstest.WithBuckets("bkt"))
	b, err := newClient(t, srv, clientConfig{}).Bucket("bkt")
	if err != nil {
		t.Fatal(err)
	}
	small := randomBytes(1, 5000)
	big := randomBytes(2, 3*partSize)
	for _, k := range []string{"good", "cut", "trailer"} {
		if err := b.PutObject(k, bytes.NewReader(small)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.UploadFile("multi", writeTemp(t, big), partSize, oss.Routines(1)); err != nil {
		t.Fatal(err)
	}
	srv.Close()

	damage := map[string]func(path string) error{
		"cut":     func(p string) error { return os.Truncate(p, 3000) },
		"multi":   func(p string) error { st, _ := os.Stat(p); return os.Truncate(p, st.Size()-3) },
		"trailer": func(p string) error { return overwriteTail(p, []byte("XXXXXXXX")) },
	}
	for k, fn := range damage {
		if err := fn(objectFile(srv.Dir, "bkt", k)); err != nil {
			t.Fatal(err)
		}
	}

	srv2 := osstest.Start(t, osstest.WithDir(srv.Dir), osstest.WithAccessKey(srv.AccessKeyID, srv.AccessKeySecret))
	b2, _ := newClient(t, srv2, clientConfig{}).Bucket("bkt")
	res, err := b2.ListObjects()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range res.Objects {
		keys = append(keys, o.Key)
	}
	if want := []string{"cut", "good", "multi", "trailer"}; !slices.Equal(keys, want) {
		t.Fatalf("listed %q after the restart, want %q", keys, want)
	}
	for k := range damage {
		_, err := b2.GetObject(k)
		wantDamaged(t, "GET "+k, err)
		_, err = b2.GetObjectDetailedMeta(k)
		wantDamaged(t, "HEAD "+k, err)
	}
	rc, err := b2.GetObject("good")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, small) {
		t.Fatal("the undamaged object changed")
	}

	// Deleting or writing over a damaged object works as for any other.
	if err := b2.DeleteObject("cut"); err != nil {
		t.Fatal(err)
	}
	if err := b2.PutObject("trailer", bytes.NewReader(small)); err != nil {
		t.Fatal(err)
	}
	if _, err := b2.GetObjectMeta("trailer"); err != nil {
		t.Fatalf("the object written over the damaged one: %v", err)
	}
	res, _ = b2.ListObjects()
	if len(res.Objects) != 3 {
		t.Fatalf("after deleting one: %+v", res.Objects)
	}
}

func wantDamaged(t *testing.T, what string, err error) {
	t.Helper()
	var se oss.ServiceError
	if !errors.As(err, &se) {
		t.Fatalf("%s: %v, want an OSS error", what, err)
	}
	if se.StatusCode != http.StatusInternalServerError || se.Code != "ObjectDamaged" || !strings.Contains(se.Message, "stored copy of this object is damaged") {
		t.Errorf("%s: %d %s %q, want 500 ObjectDamaged saying the stored copy is damaged", what, se.StatusCode, se.Code, se.Message)
	}
}

func overwriteTail(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	_, err = f.WriteAt(b, st.Size()-int64(len(b)))
	return err
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "upload")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
