package osslocal_test

import (
	"bytes"
	"maps"
	"net/http"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

func tagMap(t *testing.T, b *oss.Bucket, key string) map[string]string {
	t.Helper()
	r, err := b.GetObjectTagging(key)
	if err != nil {
		t.Fatalf("GetObjectTagging(%s): %v", key, err)
	}
	m := map[string]string{}
	for _, tg := range r.Tags {
		m[tg.Key] = tg.Value
	}
	return m
}

func tagging(kv ...string) oss.Tagging {
	var tg oss.Tagging
	for i := 0; i < len(kv); i += 2 {
		tg.Tags = append(tg.Tags, oss.Tag{Key: kv[i], Value: kv[i+1]})
	}
	return tg
}

// TestObjectTagging drives Put/Get/DeleteObjectTagging through the SDK on
// both stores: tags belong to one version of an object (an overwrite drops
// them, CopyObject copies them by default), and a disk store keeps them
// across a restart.
func TestObjectTagging(t *testing.T) {
	for _, store := range []string{"disk", "memory"} {
		t.Run(store, func(t *testing.T) {
			srv := osstest.Start(t, append(storeOptions(store), osstest.WithBuckets("bkt"))...)
			b, err := newClient(t, srv, clientConfig{}).Bucket("bkt")
			if err != nil {
				t.Fatal(err)
			}
			if err := b.PutObject("k", bytes.NewReader([]byte("hello"))); err != nil {
				t.Fatal(err)
			}
			if got := tagMap(t, b, "k"); len(got) != 0 {
				t.Fatalf("a new object has tags %v", got)
			}
			// A base64 MAC as ossvault writes it: OSS allows + / = in values.
			mac := "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="
			if err := b.PutObjectTagging("k", tagging("ossvault-mac", mac, "a", "b")); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"ossvault-mac": mac, "a": "b"}
			if got := tagMap(t, b, "k"); !maps.Equal(got, want) {
				t.Fatalf("tags %v, want %v", got, want)
			}
			if _, err := b.CopyObject("k", "copy"); err != nil {
				t.Fatal(err)
			}
			if got := tagMap(t, b, "copy"); !maps.Equal(got, want) {
				t.Fatalf("copy has tags %v, want %v", got, want)
			}
			if _, err := b.CopyObject("k", "k"); err != nil { // onto itself
				t.Fatal(err)
			}
			if got := tagMap(t, b, "k"); !maps.Equal(got, want) {
				t.Fatalf("after a copy onto itself: tags %v, want %v", got, want)
			}
			if _, err := b.CopyObject("k", "replaced", oss.SetTagging(tagging("x", "y")), oss.TaggingDirective(oss.TaggingReplace)); err != nil {
				t.Fatal(err)
			}
			if got := tagMap(t, b, "replaced"); !maps.Equal(got, map[string]string{"x": "y"}) {
				t.Fatalf("a Replace copy has tags %v", got)
			}
			if store == "disk" {
				srv.Close()
				srv = osstest.Start(t, osstest.WithDir(srv.Dir), osstest.WithAccessKey(srv.AccessKeyID, srv.AccessKeySecret))
				b, _ = newClient(t, srv, clientConfig{}).Bucket("bkt")
				if got := tagMap(t, b, "k"); !maps.Equal(got, want) {
					t.Fatalf("after a restart: tags %v, want %v", got, want)
				}
				if res, err := b.ListObjects(); err != nil || len(res.Objects) != 3 {
					t.Fatalf("after a restart the listing is %v, %v: the tags files must not be listed", res.Objects, err)
				}
			}
			if err := b.PutObject("k", bytes.NewReader([]byte("new version"))); err != nil {
				t.Fatal(err)
			}
			if got := tagMap(t, b, "k"); len(got) != 0 {
				t.Fatalf("an overwritten object kept the old version's tags %v", got)
			}
			if err := b.DeleteObjectTagging("copy"); err != nil {
				t.Fatal(err)
			}
			if got := tagMap(t, b, "copy"); len(got) != 0 {
				t.Fatalf("tags %v after DeleteObjectTagging", got)
			}
			err = b.PutObjectTagging("copy", tagging("a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6", "g", "7", "h", "8", "i", "9", "j", "10", "k", "11"))
			wantServiceError(t, err, http.StatusBadRequest, "InvalidTag")
			_, err = b.GetObjectTagging("absent")
			wantServiceError(t, err, http.StatusNotFound, "NoSuchKey")
		})
	}
}
