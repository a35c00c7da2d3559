package transfer

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// An upload that must not replace fails with ErrExists when its name is
// taken, single PUT and multipart alike, checked by the server; the object
// there stays, and no unfinished upload is left behind.
func TestUploadNoOverwrite(t *testing.T) {
	srv, st := startOSS(t)
	sdk := sdkBucket(t, srvConn(srv), "bkt")
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		size int
	}{
		{"single PUT", 1000},
		{"multipart", 3*MinPartSize + 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up, _ := newEngines(t, st)
			key := "taken/" + tc.name
			if err := sdk.PutObject(key, strings.NewReader("a colleague's file")); err != nil {
				t.Fatal(err)
			}
			src, _ := writeRandom(t, t.TempDir(), "f", tc.size)
			err := up.Upload(ctx, UploadJob{Source: src, Bucket: "bkt", Key: key, Wrapper: testWrapper(t), NoOverwrite: true}, nil)
			if !errors.Is(err, ErrExists) {
				t.Fatalf("upload over a taken name: %v, want ErrExists", err)
			}
			r, err := sdk.GetObject(key)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			buf := make([]byte, 64)
			n, _ := r.Read(buf)
			if string(buf[:n]) != "a colleague's file" {
				t.Fatalf("the object there was replaced: %q", buf[:n])
			}
			var left []UnfinishedUpload
			if err := st.ListUploads(ctx, func(u UnfinishedUpload) error { left = append(left, u); return nil }); err != nil {
				t.Fatal(err)
			}
			for _, u := range left {
				if u.Key == key {
					t.Fatalf("an unfinished upload of %s is left: %+v", key, u)
				}
			}
			// A free name uploads as before.
			if err := up.Upload(ctx, UploadJob{Source: src, Bucket: "bkt", Key: key + "-free", Wrapper: testWrapper(t), NoOverwrite: true}, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}
