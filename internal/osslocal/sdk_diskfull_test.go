package osslocal_test

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// A write that finds the store's disk full answers 507 InsufficientStorage
// with a message that says so, not 500 InternalError; the store keeps
// working once space is freed, and nothing half-written is left.
func TestDiskFullAnswersInsufficientStorage(t *testing.T) {
	dir, resize := osstest.SmallDisk(t, 1<<20)
	srv := osstest.Start(t, osstest.WithDir(dir), osstest.WithBuckets("full"))
	b, err := newClient(t, srv, clientConfig{}).Bucket("full")
	if err != nil {
		t.Fatal(err)
	}
	big := randomBytes(1, 2<<20)
	part := randomBytes(2, 600<<10)

	imur, err := b.InitiateMultipartUpload("parts")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.UploadPart(imur, bytes.NewReader(part), int64(len(part)), 1); err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func() error{
		"PutObject": func() error { return b.PutObject("big", bytes.NewReader(big)) },
		"UploadPart": func() error {
			_, err := b.UploadPart(imur, bytes.NewReader(part), int64(len(part)), 2)
			return err
		},
	} {
		err := write()
		var se oss.ServiceError
		if !errors.As(err, &se) {
			t.Fatalf("%s on a full disk: %v, want an OSS error", name, err)
		}
		if se.StatusCode != http.StatusInsufficientStorage || se.Code != "InsufficientStorage" || !strings.Contains(se.Message, "disk is full") {
			t.Errorf("%s on a full disk: %d %s %q, want 507 InsufficientStorage saying the disk is full", name, se.StatusCode, se.Code, se.Message)
		}
	}
	if _, err := b.GetObjectMeta("big"); err == nil {
		t.Error("the object that did not fit is there")
	}

	resize(8 << 20)
	if err := b.PutObject("big", bytes.NewReader(big)); err != nil {
		t.Fatalf("after freeing space: %v", err)
	}
	if _, err := b.UploadPart(imur, bytes.NewReader(part), int64(len(part)), 2); err != nil {
		t.Fatalf("after freeing space: %v", err)
	}
}
