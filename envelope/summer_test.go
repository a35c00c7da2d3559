package envelope

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"net/http"
	"strconv"
	"testing"
)

// A Summer fed part by part, in any order, yields the MAC Sum computes in
// one pass, and Seal's buffer is the ciphertext the reader verifies.
func TestSummerEqualsSum(t *testing.T) {
	priv := sharedTestKey(t)
	plain := make([]byte, 5*64+17)
	for i := range plain {
		plain[i] = byte(i * 7)
	}
	size := int64(len(plain))
	for _, part := range []int64{64, 128, 320, size} {
		e, k, _ := Seal(context.Background(), NewRSAWrapper(&priv.PublicKey, nil), nil)
		e2 := *e
		if err := sum(context.Background(), &e2, k, bytes.NewReader(plain), size, 2, 64, schemeBLAKE3); err != nil {
			t.Fatal(err)
		}
		s, err := NewSummer(e, k, size, 64)
		if err != nil {
			t.Fatal(err)
		}
		ct := bytes.Clone(plain)
		var offs []int64
		for off := int64(0); off < size; off += part {
			offs = append(offs, off)
		}
		for i := len(offs) - 1; i >= 0; i-- { // backwards
			off := offs[i]
			buf := ct[off:min(off+part, size)]
			if _, err := s.Seal(off, buf); err != nil {
				t.Fatal(err)
			}
		}
		if _, ok := e.Meta()[HeaderMAC]; ok {
			t.Fatal("the MAC header is written before Finish")
		}
		if err := s.Finish(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Integrity.MAC, e2.Integrity.MAC) {
			t.Fatalf("part %d: Summer's MAC differs from Sum's", part)
		}
		if st, err := readBack(t, e.Meta(), ct, k); st != Verified {
			t.Fatalf("part %d: %v %v", part, st, err)
		}
	}
}

// Leaves kept by an earlier process complete the MAC; the same part sealed
// again with other plaintext is refused (ErrChanged), with the same
// plaintext accepted; a chunk never added fails Finish.
func TestSummerLeavesAndChanges(t *testing.T) {
	priv := sharedTestKey(t)
	plain := bytes.Repeat([]byte("abcdefgh"), 40) // 320 bytes, 5 chunks of 64
	size := int64(len(plain))
	e, k, _ := Seal(context.Background(), NewRSAWrapper(&priv.PublicKey, nil), nil)
	e.TrailersInTags = true
	s1, _ := NewSummer(e, k, size, 64)
	first := bytes.Clone(plain[:128])
	leaves, err := s1.Seal(0, first)
	if err != nil || len(leaves) != 2*macSize {
		t.Fatalf("%d leaves bytes, %v", len(leaves), err)
	}

	e2, err := ParseMeta(e.Meta()) // as a resume reopens it
	if err != nil {
		t.Fatal(err)
	}
	s2, err := NewSummer(e2, k, size, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.AddLeaves(0, 128, leaves); err != nil {
		t.Fatal(err)
	}
	if err := s2.AddLeaves(0, 128, leaves[:macSize]); err == nil {
		t.Error("leaves of the wrong length were accepted")
	}
	same := bytes.Clone(plain[:128])
	if _, err := s2.Seal(0, same); err != nil {
		t.Errorf("the same plaintext again: %v", err)
	}
	edited := bytes.Clone(plain[:128])
	edited[5] ^= 1
	if _, err := s2.Seal(0, edited); !errors.Is(err, ErrChanged) {
		t.Errorf("other plaintext under the same key and counter: %v, want ErrChanged", err)
	}
	if err := s2.Finish(); err == nil {
		t.Error("Finish with chunks missing succeeded")
	}
	if _, err := s2.Seal(100, make([]byte, 64)); err == nil {
		t.Error("an unaligned offset was accepted")
	}
}

func TestChunkSizeForParts(t *testing.T) {
	cases := []struct{ size, part, want int64 }{
		{10 << 20, 8 << 20, DefaultChunkSize},
		{10 << 20, PartSize(10<<20, 256<<10), 256 << 10},
		{3 << 20, 100 << 10, 100 << 10},
		{5 << 40, PartSize(5<<40, 8<<20), ChunkSizeFor(5 << 40)},
	}
	for _, c := range cases {
		got := ChunkSizeForParts(c.size, c.part)
		if got != c.want || c.part%got != 0 {
			t.Errorf("ChunkSizeForParts(%d, %d) = %d, want %d", c.size, c.part, got, c.want)
		}
	}
}

// tagObject is a multipart object as the uploader writes it: the MAC
// place in the metadata, the MAC itself as a tag.
func tagObject(t *testing.T) (http.Header, map[string]string, []byte, *DataKey) {
	t.Helper()
	priv := sharedTestKey(t)
	e, k, _ := Seal(context.Background(), NewRSAWrapper(&priv.PublicKey, MatDesc{MatDescKeyName: "fp"}), nil)
	e.TrailersInTags = true
	plain := bytes.Repeat([]byte("z"), 200)
	s, _ := NewSummer(e, k, int64(len(plain)), 64)
	ct := bytes.Clone(plain)
	if _, err := s.Seal(0, ct); err != nil {
		t.Fatal(err)
	}
	head := e.Meta() // sent at initiation
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	tags := Trailers(head, e.Meta())
	if len(tags) != 1 || tags[HeaderMAC] == "" { // unsigned: the MAC alone
		t.Fatalf("trailers %v", tags)
	}
	h := http.Header{}
	for n, v := range head {
		h.Set(MetaPrefix+n, v)
	}
	return h, tags, ct, k
}

func TestTrailersInTags(t *testing.T) {
	h, tags, ct, k := tagObject(t)
	check := func(name string, h http.Header, tags map[string]string, want IntegrityStatus, wantErr error) {
		t.Helper()
		e, err := ParseHeader(h)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if e.TrailersInTags {
			h, err = MergeTrailers(h, tags)
			if err == nil {
				e, err = ParseHeader(h)
			}
		}
		var st IntegrityStatus
		if err == nil {
			v := NewVerifier(e, k)
			_ = v.AddCiphertext(0, ct)
			st, err = v.Finish()
		} else {
			st = Failed
		}
		if st != want || (wantErr != nil && !errors.Is(err, wantErr)) || (want == Failed && !errors.Is(err, ErrIntegrity)) {
			t.Errorf("%s: %v %v, want %v %v", name, st, err, want, wantErr)
		}
	}
	check("tag merged", h, tags, Verified, nil)
	check("tag removed", h, nil, Failed, ErrStripped)
	check("other tags only", h, map[string]string{"x": "y"}, Failed, ErrStripped)
	bad := map[string]string{HeaderMAC: "AAAA" + tags[HeaderMAC][4:]}
	check("tag altered", h, bad, Failed, ErrIntegrity)
	both := h.Clone()
	both.Set(MetaPrefix+HeaderMAC, tags[HeaderMAC])
	check("in metadata and in tags", both, tags, Failed, ErrTrailerTwice)
	noPlace := h.Clone()
	noPlace.Del(MetaPrefix + HeaderMACPlace)
	if _, err := ParseHeader(noPlace); !errors.Is(err, ErrIntegrity) {
		t.Errorf("place removed: %v, want a malformed envelope", err)
	}
	moved := h.Clone()
	moved.Del(MetaPrefix + HeaderMACPlace)
	moved.Set(MetaPrefix+HeaderMAC, tags[HeaderMAC])
	// Moving the MAC into the metadata changes nothing it covers.
	check("MAC moved into the metadata", moved, nil, Verified, nil)
	odd := h.Clone()
	odd.Set(MetaPrefix+HeaderMACPlace, "elsewhere")
	if _, err := ParseHeader(odd); !errors.Is(err, ErrIntegrity) {
		t.Errorf("unknown place: %v", err)
	}
}

// A stream's Summer starts without a size, takes whole chunks until the
// size is set, and then yields the MAC of the same envelope sealed with its
// size known; its size is then a trailer, absent from the metadata sent at
// initiation.
func TestSummerStream(t *testing.T) {
	priv := sharedTestKey(t)
	const chunk, part = 64, 128
	for _, size := range []int64{0, 50, part, 3 * part, 3*part + 64, 3*part + 70} {
		plain := make([]byte, size)
		for i := range plain {
			plain[i] = byte(i * 13)
		}
		e, k, _ := Seal(context.Background(), NewRSAWrapper(&priv.PublicKey, nil), nil)
		e.TrailersInTags = true
		known := *e
		s, err := NewSummer(e, k, SizeUnknown, chunk)
		if err != nil {
			t.Fatal(err)
		}
		head := e.Meta()
		if _, ok := head[HeaderSize]; ok {
			t.Fatalf("size %d: ossvault-size is in the metadata before the stream ended", size)
		}
		if _, err := ParseMeta(head); err != nil {
			t.Fatalf("size %d: the initiation metadata does not parse: %v", size, err)
		}
		ct := bytes.Clone(plain)
		for off := int64(0); ; off += part {
			end := min(off+part, size)
			if end-off < part { // the stream ended in this part
				if err := s.SetSize(size); err != nil {
					t.Fatalf("size %d: %v", size, err)
				}
			}
			if end > off {
				if _, err := s.Seal(off, ct[off:end]); err != nil {
					t.Fatalf("size %d at %d: %v", size, off, err)
				}
			}
			if end-off < part {
				break
			}
		}
		if err := s.Finish(); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		ks, _ := NewSummer(&known, k, size, chunk)
		if _, err := ks.Seal(0, bytes.Clone(plain)); err != nil {
			t.Fatal(err)
		}
		if err := ks.Finish(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Integrity.MAC, known.Integrity.MAC) {
			t.Errorf("size %d: the stream's MAC differs from the one of its known size", size)
		}
		tags := Trailers(head, e.Meta())
		if tags[HeaderSize] != strconv.FormatInt(size, 10) || tags[HeaderMAC] == "" {
			t.Errorf("size %d: trailers %v", size, tags)
		}
		h := http.Header{}
		for n, v := range head {
			h.Set(MetaPrefix+n, v)
		}
		merged, err := MergeTrailers(h, tags)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := readBack(t, metaOf(merged), ct, k); st != Verified {
			t.Errorf("size %d: %v %v", size, st, err)
		}
	}
}

func metaOf(h http.Header) map[string]string {
	m := map[string]string{}
	for k, v := range h {
		m[k] = v[0]
	}
	return m
}

// A stream's Summer refuses what would make its size wrong.
func TestSummerStreamRefuses(t *testing.T) {
	priv := sharedTestKey(t)
	start := func() *Summer {
		e, k, _ := Seal(context.Background(), NewRSAWrapper(&priv.PublicKey, nil), nil)
		s, err := NewSummer(e, k, SizeUnknown, 64)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cases := []struct {
		name string
		run  func(s *Summer) error
	}{
		{"a short part before the size is set", func(s *Summer) error {
			_, err := s.Seal(0, make([]byte, 70))
			return err
		}},
		{"a size below what was sealed", func(s *Summer) error {
			if _, err := s.Seal(0, make([]byte, 128)); err != nil {
				return nil
			}
			return s.SetSize(64)
		}},
		{"a size ending inside a whole chunk sealed", func(s *Summer) error {
			if _, err := s.Seal(0, make([]byte, 128)); err != nil {
				return nil
			}
			return s.SetSize(100)
		}},
		{"bytes past the size once it is set", func(s *Summer) error {
			if err := s.SetSize(64); err != nil {
				return nil
			}
			_, err := s.Seal(64, make([]byte, 64))
			return err
		}},
		{"Finish without a size", func(s *Summer) error {
			if _, err := s.Seal(0, make([]byte, 64)); err != nil {
				return nil
			}
			return s.Finish()
		}},
		{"a size set twice, differently", func(s *Summer) error {
			if err := s.SetSize(64); err != nil {
				return nil
			}
			return s.SetSize(128)
		}},
		{"more chunks than a verifier holds", func(s *Summer) error {
			_, err := s.Seal(maxLeaves*64, make([]byte, 64))
			return err
		}},
	}
	for _, c := range cases {
		if err := c.run(start()); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

// Stripping a stream's size trailer, or changing it, fails closed.
func TestStreamSizeTrailer(t *testing.T) {
	priv := sharedTestKey(t)
	e, k, _ := Seal(context.Background(), NewRSAWrapper(&priv.PublicKey, MatDesc{MatDescKeyName: "fp"}), nil)
	e.TrailersInTags = true
	s, _ := NewSummer(e, k, SizeUnknown, 64)
	head := e.Meta()
	ct := bytes.Repeat([]byte("q"), 200)
	_ = s.SetSize(200)
	if _, err := s.Seal(0, ct); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	tags := Trailers(head, e.Meta())
	h := http.Header{}
	for n, v := range head {
		h.Set(MetaPrefix+n, v)
	}
	without := func(name string) map[string]string {
		m := maps.Clone(tags)
		delete(m, name)
		return m
	}
	cases := []struct {
		name string
		h    http.Header
		tags map[string]string
		want error // nil: verified
	}{
		{"as written", h, tags, nil},
		{"size tag removed", h, without(HeaderSize), ErrIntegrity},
		{"size and MAC tags removed", h, without(HeaderSize), ErrIntegrity},
		{"size changed", h, func() map[string]string { m := maps.Clone(tags); m[HeaderSize] = "192"; return m }(), ErrIntegrity},
		{"size in metadata and tags", func() http.Header { c := h.Clone(); c.Set(MetaPrefix+HeaderSize, "200"); return c }(), tags, ErrTrailerTwice},
	}
	cases[2].tags = map[string]string{}
	for _, c := range cases {
		merged, err := MergeTrailers(c.h, c.tags)
		var st IntegrityStatus
		if err == nil {
			st, err = readBack(t, metaOf(merged), ct, k)
		}
		switch {
		case c.want == nil && (st != Verified || err != nil):
			t.Errorf("%s: %v %v, want verified", c.name, st, err)
		case c.want != nil && !errors.Is(err, c.want):
			t.Errorf("%s: %v %v, want %v", c.name, st, err, c.want)
		}
	}
}
