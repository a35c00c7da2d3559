package transfer

import "testing"

func TestCheckPartSize(t *testing.T) {
	for _, tc := range []struct {
		n  int64
		ok bool
	}{
		{MinPartSize, true},
		{MinPartSize - 16, false},
		{DefaultPartSize, true},
		{DefaultPartSize + 8, false},
		{5 << 30, true},
		{5<<30 + 16, false},
		{0, false},
	} {
		if err := CheckPartSize(tc.n); (err == nil) != tc.ok {
			t.Errorf("CheckPartSize(%d) = %v, want ok=%v", tc.n, err, tc.ok)
		}
	}
}

func TestSplitParts(t *testing.T) {
	for _, tc := range []struct {
		size, part int64
		want       []span
	}{
		{0, 16, nil},
		{1, 16, []span{{0, 1}}},
		{16, 16, []span{{0, 16}}},
		{17, 16, []span{{0, 16}, {16, 1}}},
		{48, 16, []span{{0, 16}, {16, 16}, {32, 16}}},
	} {
		got := splitParts(tc.size, tc.part)
		if len(got) != len(tc.want) {
			t.Fatalf("splitParts(%d, %d) = %v, want %v", tc.size, tc.part, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("splitParts(%d, %d)[%d] = %v, want %v", tc.size, tc.part, i, got[i], tc.want[i])
			}
		}
	}
}

func TestSplitRange(t *testing.T) {
	for _, tc := range []struct {
		start, end, chunk int64
		want              []span
	}{
		{0, 0, 10, []span{{0, 1}}},
		{0, 9, 10, []span{{0, 10}}},
		{0, 10, 10, []span{{0, 10}, {10, 1}}},
		{5, 24, 10, []span{{5, 5}, {10, 10}, {20, 5}}},
		{10, 19, 10, []span{{10, 10}}},
	} {
		got := splitRange(tc.start, tc.end, tc.chunk)
		if len(got) != len(tc.want) {
			t.Fatalf("splitRange(%d, %d, %d) = %v, want %v", tc.start, tc.end, tc.chunk, got, tc.want)
		}
		var total int64
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("splitRange(%d, %d, %d)[%d] = %v, want %v", tc.start, tc.end, tc.chunk, i, got[i], tc.want[i])
			}
			total += got[i].Len
		}
		if total != tc.end-tc.start+1 {
			t.Errorf("splitRange(%d, %d, %d) covers %d bytes", tc.start, tc.end, tc.chunk, total)
		}
	}
}
