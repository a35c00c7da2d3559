package osstest_test

import (
	"bytes"
	"io"
	"maps"
	"testing"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// RewriteObject changes the bytes it is asked to and nothing else: the
// metadata and the tags stay as they were, on disk and in memory.
func TestRewriteObject(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []osstest.Option
		tags osslocal.Tags
	}{
		{"disk, tagged", nil, osslocal.Tags{"ossvault": "1", "team": "pay"}},
		{"disk, untagged", nil, nil},
		{"memory, tagged", []osstest.Option{osstest.WithMemoryStore()}, osslocal.Tags{"a": "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := osstest.Start(t, append(tc.opts, osstest.WithBuckets("bkt"))...)
			st := srv.Store()
			meta := osslocal.Meta{"content-type": "application/x-test", "x-oss-meta-client-side-encryption-key": "d3JhcHBlZA=="}
			orig := bytes.Repeat([]byte("0123456789"), 1000)
			if _, err := st.PutObject("bkt", "k", meta, bytes.NewReader(orig), osslocal.PutOptions{}); err != nil {
				t.Fatal(err)
			}
			if len(tc.tags) > 0 {
				if err := st.PutTagging("bkt", "k", tc.tags); err != nil {
					t.Fatal(err)
				}
			}

			srv.RewriteObject(t, "bkt", "k", func(d []byte) { d[5000] ^= 0x20 })

			obj, err := st.OpenObject("bkt", "k")
			if err != nil {
				t.Fatal(err)
			}
			defer obj.Close()
			got, _ := io.ReadAll(io.NewSectionReader(obj, 0, obj.Info().Size))
			want := bytes.Clone(orig)
			want[5000] ^= 0x20
			if !bytes.Equal(got, want) {
				t.Fatalf("content after the rewrite: %d bytes, not the changed copy", len(got))
			}
			for k, v := range meta {
				if obj.Info().Meta[k] != v {
					t.Errorf("meta %s = %q, want %q", k, obj.Info().Meta[k], v)
				}
			}
			tags, err := st.Tagging("bkt", "k")
			if err != nil {
				t.Fatal(err)
			}
			if len(tags) != len(tc.tags) || (len(tags) > 0 && !maps.Equal(tags, tc.tags)) {
				t.Errorf("tags = %v, want %v", tags, tc.tags)
			}
		})
	}
}
