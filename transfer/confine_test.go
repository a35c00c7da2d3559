package transfer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// headHook runs before its first Head: after the download was planned and
// before it writes anything.
type headHook struct {
	Reader
	before func()
	done   bool
}

func (h *headHook) Head(ctx context.Context, key string) (ObjectInfo, error) {
	if !h.done {
		h.done = true
		h.before()
	}
	return h.Reader.Head(ctx, key)
}

// listTree returns every path under dir, relative to it.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// A folder download writes only inside its folder: a subfolder that is a
// symbolic link leading out of it, there before the download or put in
// place while it runs, fails that file's download and writes nothing
// outside; the other files arrive.
func TestOSSFolderDownloadStaysInsideItsFolder(t *testing.T) {
	_, st := startOSS(t)
	up, _ := newEngines(t, st)
	srcDir := t.TempDir()
	srcs := map[string]string{}
	for _, key := range []string{"team/a.txt", "team/Reports/b.txt", "team/Reports/deep/c.txt"} {
		src, _ := writeRandom(t, srcDir, filepath.Base(key), 3000)
		srcs[key] = src
		if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: key, Wrapper: testWrapper(t)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		// link makes Reports, inside dest, a link to outside: before the
		// download (now) or as it starts (later).
		later bool
	}{
		{"link there before", false},
		{"link made while it runs", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, down := newEngines(t, st)
			base := t.TempDir()
			dest, outside := filepath.Join(base, "dest"), filepath.Join(base, "elsewhere")
			for _, d := range []string{dest, outside} {
				if err := os.Mkdir(d, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			link := func() {
				os.RemoveAll(filepath.Join(dest, "Reports"))
				if err := os.Symlink(outside, filepath.Join(dest, "Reports")); err != nil {
					t.Fatal(err)
				}
			}
			if !tc.later {
				link()
			}
			files, err := PlanFolder(context.Background(), st, "team/", dest)
			if err != nil {
				t.Fatal(err)
			}
			if tc.later {
				// A folder the caller made as it planned, swapped for a
				// link before the download writes.
				if err := os.MkdirAll(filepath.Join(dest, "Reports", "deep"), 0o700); err != nil {
					t.Fatal(err)
				}
			}
			var failed int
			for _, f := range files {
				var src Reader = st
				if tc.later && f.Key == "team/Reports/b.txt" {
					src = &headHook{Reader: st, before: link}
				}
				_, err := down.Download(context.Background(), DownloadJob{Source: src, SourceID: "oss://bkt/" + f.Key, Key: f.Key, Dest: f.Local, Root: dest}, nil)
				switch {
				case f.Key == "team/a.txt":
					if err != nil {
						t.Fatalf("%s: %v", f.Key, err)
					}
					if fileSum(t, f.Local) != fileSum(t, srcs[f.Key]) {
						t.Fatalf("%s differs from its upload", f.Key)
					}
				case !errors.Is(err, ErrOutsideFolder):
					t.Errorf("%s: %v, want ErrOutsideFolder", f.Key, err)
				default:
					failed++
					t.Logf("%s: %v", f.Key, err)
				}
			}
			if failed != 2 {
				t.Errorf("%d downloads refused, want 2", failed)
			}
			if got := listTree(t, outside); len(got) != 0 {
				t.Fatalf("the download wrote outside its folder: %q", got)
			}
		})
	}
}

// A download with no Root, a single file, goes where its path leads, a
// link on the way included: the user named it.
func TestOSSSingleDownloadFollowsLinks(t *testing.T) {
	_, st := startOSS(t)
	up, down := newEngines(t, st)
	src, _ := writeRandom(t, t.TempDir(), "src", 3000)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	outside := filepath.Join(base, "elsewhere")
	if err := os.Mkdir(outside, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(base, "link")); err != nil {
		t.Fatal(err)
	}
	if _, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://bkt/k", Key: "k", Dest: filepath.Join(base, "link", "out")}, nil); err != nil {
		t.Fatal(err)
	}
	if fileSum(t, filepath.Join(outside, "out")) != fileSum(t, src) {
		t.Fatal("the download did not arrive through the link")
	}
	// A Root that does not hold Dest is refused before anything happens.
	_, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://bkt/k", Key: "k", Dest: filepath.Join(base, "out2"), Root: outside}, nil)
	if !errors.Is(err, ErrOutsideFolder) {
		t.Fatalf("Dest outside Root: %v, want ErrOutsideFolder", err)
	}
}
