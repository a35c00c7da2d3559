package envelope

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// encodeMetaLines renders metadata as "name: value" lines, the fuzzer's
// input form for header sets.
func encodeMetaLines(m map[string]string) string {
	var b strings.Builder
	for k, v := range m {
		b.WriteString(k + ": " + v + "\n")
	}
	return b.String()
}

func decodeMetaLines(s string) map[string]string {
	m := map[string]string{}
	for line := range strings.SplitSeq(s, "\n") {
		name, value, ok := strings.Cut(line, ": ")
		if ok {
			m[name] = value
		}
	}
	return m
}

// headerSeeds returns the vectors' header sets and one of ours.
func headerSeeds(f *testing.F) []map[string]string {
	var seeds []map[string]string
	if dir, ok := findInterop(); ok {
		b, _ := os.ReadFile(filepath.Join(dir, "headers.json"))
		var all map[string]map[string]string
		if json.Unmarshal(b, &all) == nil {
			for _, m := range all {
				seeds = append(seeds, m)
			}
		}
	}
	seeds = append(seeds, map[string]string{
		"oss-cek-alg": "AES/GCM/NoPadding", "oss-wrap-alg": "kms",
		"oss-crypto-key": "NWI4MTk0MzUtOTBlMS00NWZl", "oss-crypto-start": "NWI4MTk0MzUtOTBlMS00NWZl",
		"oss-crypto-matdesc": `{"a": "b"}`, "oss-crypto-unencrypted-content-length": "5",
	})
	o := sealObject(f, 100, 32, 1)
	o.meta[HeaderDataSize], o.meta[HeaderPartSize], o.meta[HeaderUnencryptedMD5] = "100", "112", "md5=="
	seeds = append(seeds, o.meta)
	seeds = append(seeds, signedObject(f, testSigningKey(5), "bkt", "signed/a b", 100).meta)
	return seeds
}

// FuzzParseMeta: parsing never panics, and parse -> Meta -> parse is stable.
func FuzzParseMeta(f *testing.F) {
	for _, m := range headerSeeds(f) {
		f.Add(encodeMetaLines(m))
	}
	// A stream's initiation metadata: the MAC and the size still to come.
	se, sk, _ := Seal(context.Background(), NewRSAWrapper(&sharedTestKey(f).PublicKey, nil), nil)
	se.TrailersInTags = true
	if _, err := NewSummer(se, sk, SizeUnknown, 64); err != nil {
		f.Fatal(err)
	}
	f.Add(encodeMetaLines(se.Meta()))
	f.Fuzz(func(t *testing.T, s string) {
		m := decodeMetaLines(s)
		e, err := ParseMeta(m)
		h := http.Header{}
		for k, v := range m {
			h[MetaPrefix+k] = []string{v}
		}
		eh, herr := ParseHeader(h)
		if (err == nil) != (herr == nil) {
			// Only names differing in case alone may disagree, as the
			// winner among them is arbitrary.
			lower := map[string]bool{}
			for k := range m {
				lower[strings.ToLower(strings.TrimSpace(k))] = true
			}
			if len(lower) == len(m) {
				t.Fatalf("ParseMeta err %v, ParseHeader err %v", err, herr)
			}
		}
		if err == nil && herr == nil && !reflect.DeepEqual(e, eh) {
			lower := map[string]bool{}
			for k := range m {
				lower[strings.ToLower(strings.TrimSpace(k))] = true
			}
			if len(lower) == len(m) {
				t.Fatalf("ParseMeta and ParseHeader disagree:\n%+v\n%+v", e, eh)
			}
		}
		if err != nil {
			return
		}
		m1 := e.Meta()
		e2, err := ParseMeta(m1)
		if err != nil {
			t.Fatalf("Meta output does not parse: %v\n%v", err, m1)
		}
		if !reflect.DeepEqual(e, e2) {
			t.Fatalf("parse -> Meta -> parse changed the envelope:\n%+v\n%+v", e, e2)
		}
		if m2 := e2.Meta(); !maps.Equal(m1, m2) {
			t.Fatalf("Meta not stable:\n%v\n%v", m1, m2)
		}
	})
}

// FuzzSeekDecrypt: decrypting any range from its own offset, in reads of
// any size, gives the same bytes as one pass of Go's CTR stream from the
// start, including across counter carries.
func FuzzSeekDecrypt(f *testing.F) {
	ivs := []string{
		"8c3207b09a9bfa6600000000ac1992b4", // vector A
		"10706cb7468cd52e000000008771048a", // vector B
		"5649ca0d16946d8100000000e649d194", // vector C
		"00000000000000000000000000000008", // legacy vectors
		"00112233445566778899aabbfffffff0",
		"0011223344556677fffffffffffffff0",
		"fffffffffffffffffffffffffffffff0",
	}
	key := unhex(f, "3e76c9c13d019b8e0356156a1dd4b285ee682c04659f058324e45d89f79708de")
	for i, iv := range ivs {
		for _, off := range []uint32{0, 1, 15, 17, 4101, 21808} {
			f.Add(key, unhex(f, iv), off, uint16(100+i*37), uint8(i*5+1))
		}
	}
	f.Fuzz(func(t *testing.T, keyIn, ivIn []byte, off32 uint32, n uint16, step uint8) {
		k := &DataKey{}
		copy(k.Key[:], keyIn)
		copy(k.IV[:], ivIn)
		off := int64(off32 % (1 << 18))
		total := off + int64(n)
		plain := make([]byte, total)
		for i := range plain {
			plain[i] = byte(i ^ i>>8)
		}
		block, _ := aes.NewCipher(k.Key[:])
		ref := make([]byte, total)
		cipher.NewCTR(block, k.IV[:]).XORKeyStream(ref, plain)

		want := plain[off:]
		ct := ref[off:]
		got, err := io.ReadAll(&stepReader{r: NewReader(bytes.NewReader(ct), k, off), step: int(step) + 1})
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("NewReader at %d (reads of %d) differs", off, int(step)+1)
		}
		got = make([]byte, len(ct))
		k.XORKeyStreamAt(got, ct, off)
		if !bytes.Equal(got, want) {
			t.Fatalf("XORKeyStreamAt at %d differs", off)
		}
		var buf bytes.Buffer
		w := NewWriter(&buf, k, off)
		for p := ct; len(p) > 0; {
			c := min(len(p), int(step)+1)
			w.Write(p[:c])
			p = p[c:]
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Fatalf("NewWriter at %d differs", off)
		}
	})
}

type stepReader struct {
	r    io.Reader
	step int
}

func (s *stepReader) Read(p []byte) (int, error) {
	return s.r.Read(p[:min(len(p), s.step)])
}
