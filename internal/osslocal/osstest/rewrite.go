package osstest

import (
	"bytes"
	"io"
	"testing"

	"github.com/ossvault/ossvault/internal/osslocal"
)

// RewriteObject stores bucket/key again with change applied to its bytes,
// keeping its metadata and tags: the object altered in place, as someone
// with write access to the bucket would alter it. It goes to the server's
// store directly, so no client's checks stand in the way.
func (s *Server) RewriteObject(t testing.TB, bucket, key string, change func([]byte)) {
	t.Helper()
	store := s.Store()
	obj, err := store.OpenObject(bucket, key)
	if err != nil {
		t.Fatalf("osstest: %v", err)
	}
	info := obj.Info()
	data, err := io.ReadAll(io.NewSectionReader(obj, 0, info.Size))
	obj.Close()
	if err != nil {
		t.Fatalf("osstest: reading %s/%s: %v", bucket, key, err)
	}
	tags, err := store.Tagging(bucket, key)
	if err != nil {
		t.Fatalf("osstest: %v", err)
	}
	change(data)
	if _, err := store.PutObject(bucket, key, info.Meta, bytes.NewReader(data), osslocal.PutOptions{}); err != nil {
		t.Fatalf("osstest: %v", err)
	}
	if len(tags) > 0 {
		if err := store.PutTagging(bucket, key, tags); err != nil {
			t.Fatalf("osstest: %v", err)
		}
	}
}
