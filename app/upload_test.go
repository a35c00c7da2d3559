package app

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// One dropped folder whose files clash with the folder in the bucket gets
// an answer per file: each file does what its answer says, a name with no
// answer refuses the whole upload and is named, and an answer for a name
// that is free by then does not keep the file back.
func TestUploadAnswersPerFile(t *testing.T) {
	const (
		march = "Payroll/march.xlsx"
		april = "Payroll/april.xlsx"
		may   = "Payroll/may.xlsx"
		june  = "Payroll/june.xlsx"
	)
	for _, tc := range []struct {
		name     string
		existing Existing
		perKey   map[string]Existing
		refused  []string          // the names an *ExistsError asks about
		want     map[string]string // what the folder holds afterwards
	}{
		{
			name:   "mixed",
			perKey: map[string]Existing{march: ReplaceExisting, april: KeepBoth, may: SkipExisting},
			want: map[string]string{march: "new " + march, april: "old " + april, "Payroll/april (2).xlsx": "new " + april,
				may: "old " + may, june: "new " + june},
		},
		{
			name:    "unanswered",
			perKey:  map[string]Existing{march: ReplaceExisting},
			refused: []string{april, may},
			want:    map[string]string{march: "old " + march, april: "old " + april, may: "old " + may},
		},
		{
			// Over Existing: the folder-wide answer covers the rest.
			name:     "over Existing",
			existing: ReplaceExisting,
			perKey:   map[string]Existing{april: SkipExisting, may: KeepBoth},
			want: map[string]string{march: "new " + march, april: "old " + april, may: "old " + may,
				"Payroll/may (2).xlsx": "new " + may, june: "new " + june},
		},
		{
			// june.xlsx is not in the bucket: Skip and Keep both are answers to a clash that is not there.
			name:   "no longer taken",
			perKey: map[string]Existing{march: ReplaceExisting, april: ReplaceExisting, may: ReplaceExisting, june: SkipExisting},
			want:   map[string]string{march: "new " + march, april: "new " + april, may: "new " + may, june: "new " + june},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := localWithKey(t)
			loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
			old := payrollFolder(t, "old ", march, april, may)
			if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{old}, Dest: loc, KeyFor: "Mine"}); err != nil {
				t.Fatal(err)
			}
			s.Queue().Wait()

			dropped := payrollFolder(t, "new ", march, april, may, june)
			_, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{dropped}, Dest: loc, KeyFor: "Mine",
				Existing: tc.existing, PerKey: tc.perKey})
			var exists *ExistsError
			switch {
			case tc.refused != nil && (!errors.As(err, &exists) || !slices.Equal(exists.Names, tc.refused) || exists.Total != 4):
				t.Fatalf("got %v (%+v), want the upload refused asking about %q", err, exists, tc.refused)
			case tc.refused == nil && err != nil:
				t.Fatal(err)
			}
			s.Queue().Wait()

			var keys []string
			lor, err := sdkBucket(t, s).ListObjects()
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range lor.Objects {
				keys = append(keys, o.Key)
			}
			if want := slices.Sorted(maps.Keys(tc.want)); !slices.Equal(keys, want) {
				t.Fatalf("the bucket holds %q, want %q", keys, want)
			}
			for key, want := range tc.want {
				if _, got := downloadOne(t, s, loc, key); string(got) != want {
					t.Errorf("%s holds %q, want %q", key, got, want)
				}
			}
		})
	}
}

// payrollFolder writes a folder "Payroll" holding each key's file, whose
// text is what and the key, and returns the folder.
func payrollFolder(t *testing.T, what string, keys ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, k := range keys {
		p := filepath.Join(root, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(what+k), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(root, "Payroll")
}
