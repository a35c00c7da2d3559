package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const leaves = ".ossvault/leaves/"

// get --range of an ossvault object is checked by the object's leaf
// table, reading only the chunks that hold the range: for single PUTs and
// multipart objects alike.
func TestGetRangeLeaves(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	const mib = 1 << 20
	for _, shape := range []struct {
		name string
		size int
	}{{"single PUT", 3*mib + 11}, {"multipart", 20*mib + 5}} {
		src := filepath.Join(dir, shape.name)
		want := writeFile(t, src, shape.size)
		n := 0
		put := func(t *testing.T) string {
			n++
			key := strings.ReplaceAll(shape.name, " ", "-") + "/" + string(rune('a'+n))
			h.must("put", src, "oss://bkt/"+key)
			return key
		}
		rng := []string{"--range", "1049000-1050023"} // 1 KiB in the second chunk
		for _, tc := range []struct {
			name   string
			change func(t *testing.T, key string)
			extra  []string
			code   int
			warn   string // "" for none
		}{
			{name: "intact"},
			{name: "intact, --verify", extra: []string{"--verify"}},
			{name: "altered in the range", code: 4, change: func(t *testing.T, key string) {
				h.srv.RewriteObject(t, "bkt", key, func(d []byte) { d[1049500] ^= 0x01 })
			}},
			{name: "altered outside the range", change: func(t *testing.T, key string) {
				h.srv.RewriteObject(t, "bkt", key, func(d []byte) { d[2*mib+3] ^= 0x01 })
			}},
			{name: "table deleted", warn: "has no leaf table", change: func(t *testing.T, key string) {
				if err := h.bucket().DeleteObject(leaves + key); err != nil {
					t.Fatal(err)
				}
			}},
			// Only verified reads: without a table the whole object is
			// read and checked, so an intact object passes and one
			// altered anywhere is refused.
			{name: "table deleted, --verified-only", extra: []string{"--verified-only"}, change: func(t *testing.T, key string) {
				h.bucket().DeleteObject(leaves + key)
			}},
			{name: "table deleted, altered outside the range, --verified-only", extra: []string{"--verified-only"}, code: 4, change: func(t *testing.T, key string) {
				h.bucket().DeleteObject(leaves + key)
				h.srv.RewriteObject(t, "bkt", key, func(d []byte) { d[2*mib+3] ^= 0x01 })
			}},
			{name: "another object's table", warn: "has a leaf table of another object", change: func(t *testing.T, key string) {
				other := put(t)
				if _, err := h.bucket().CopyObject(leaves+other, leaves+key); err != nil {
					t.Fatal(err)
				}
			}},
			{name: "the table altered", code: 4, change: func(t *testing.T, key string) {
				h.srv.RewriteObject(t, "bkt", leaves+key, func(d []byte) { d[len(d)-40] ^= 0x01 })
			}},
		} {
			t.Run(shape.name+"/"+tc.name, func(t *testing.T) {
				key := put(t)
				if tc.change != nil {
					tc.change(t, key)
				}
				d := t.TempDir()
				out := filepath.Join(d, "out")
				_, errs, code := h.run(append(append([]string{"get", "oss://bkt/" + key, out}, rng...), tc.extra...)...)
				if code != tc.code {
					t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errs)
				}
				if code != 0 {
					if ents, _ := os.ReadDir(d); len(ents) != 0 {
						t.Fatalf("left %d files at the destination", len(ents))
					}
					return
				}
				if got, _ := os.ReadFile(out); !bytes.Equal(got, want[1049000:1050024]) {
					t.Fatalf("wrote %d bytes, not the range", len(got))
				}
				switch {
				case tc.warn == "" && errs != "":
					t.Fatalf("stderr %q, want nothing", errs)
				case tc.warn != "" && (!strings.HasPrefix(errs, "ossvault: warning: range not verified: oss://bkt/"+key+" "+tc.warn) ||
					!strings.HasSuffix(errs, "; use --verify to check the whole object\n")):
					t.Fatalf("stderr %q, want the warning %q", errs, tc.warn)
				}
			})
		}
	}
}
