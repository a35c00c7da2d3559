package interop_test

import (
	"context"
	"os"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// TestStreamSDKReads: a stream that ossvault uploads without knowing its
// size (no data-size, no unencrypted-content-length in the metadata, the
// size a tag) reads in the official SDKs' encryption clients, whole and
// from unaligned offsets, and verifies in ossvault.
func TestStreamSDKReads(t *testing.T) {
	w := newWorld(t)
	const size = 3*kib100 + 777 // four parts, the last short
	for _, m := range w.masters() {
		mc := matdescs[0]
		for _, c := range matdescs {
			if c.md != nil {
				mc = c // so that the readers that choose by matdesc run too
			}
		}
		t.Run(m.name, func(t *testing.T) {
			key := objectKey(t)
			data := payload(t.Name(), size)
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			go func() {
				for b := data; len(b) > 0; b = b[min(len(b), 4096):] {
					if _, err := pw.Write(b[:min(len(b), 4096)]); err != nil {
						break
					}
				}
				pw.Close()
			}()
			defer pr.Close()
			up := w.uploader(t, keyringFor(m), kib100)
			if err := up.UploadStream(context.Background(), pr, transfer.UploadJob{
				Source: "standard input", Bucket: bucketName, Key: key, Wrapper: m.wrapper(envelope.MatDesc(mc.md)),
			}, nil); err != nil {
				t.Fatalf("UploadStream: %v", err)
			}
			info, err := w.store.Head(context.Background(), key)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{envelope.HeaderDataSize, envelope.HeaderUnencryptedLength, envelope.HeaderSize} {
				if v := info.Header.Values(envelope.MetaPrefix + name); len(v) != 0 {
					t.Errorf("a stream's metadata carries %s = %q, unknown when it was fixed", name, v)
				}
			}
			s := shape{name: "stream", size: size, partSize: kib100}
			checkParts(t, w, key, s)
			for _, r := range sdkReaders {
				if r.withMatDescOnly && mc.md == nil {
					continue
				}
				t.Run(r.name, func(t *testing.T) {
					sameBytes(t, "whole object", r.read(t, w, m, mc.md, key, nil), data)
					for _, rng := range ranges(s) {
						got := r.read(t, w, m, mc.md, key, &rng)
						sameBytes(t, rng.String(), got, data[rng.start:rng.end+1])
					}
				})
			}
			res, err := w.downloader(t, keyringFor(m)).Check(context.Background(), w.store, key, nil)
			if err != nil || res.Integrity != envelope.Verified {
				t.Fatalf("Check: %v, %v", res, err)
			}
		})
	}
}
