//go:build unix

package transfer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

func TestPlanUpload(t *testing.T) {
	dir := t.TempDir()
	mk := func(rel string, size int) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := mk("a.pdf", 3)
	mk("docs/x.txt", 1)
	mk("docs/sub/y.txt", 2)
	os.MkdirAll(filepath.Join(dir, "docs/empty"), 0o700)
	// A link inside a folder is skipped, even to a file inside it; given by
	// name, a link is followed.
	if err := os.Symlink(a, filepath.Join(dir, "docs/link.pdf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(a, filepath.Join(dir, "top-link.pdf")); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "docs/pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	type want struct {
		key  string
		size int64
	}
	for _, c := range []struct {
		name    string
		sources []string
		prefix  string
		want    []want
		err     error
	}{
		{"file", []string{"a.pdf"}, "", []want{{"a.pdf", 3}}, nil},
		{"file under a folder", []string{a}, "in/", []want{{"in/a.pdf", 3}}, nil},
		{"folder keeps its name", []string{"docs"}, "up/", []want{{"up/docs/sub/y.txt", 2}, {"up/docs/x.txt", 1}}, nil},
		{"dot is the folder's own name", []string{"./docs/sub/."}, "", []want{{"sub/y.txt", 2}}, nil},
		{"a link given by name is followed", []string{"top-link.pdf"}, "", []want{{"top-link.pdf", 3}}, nil},
		{"several", []string{"a.pdf", "docs/sub"}, "", []want{{"a.pdf", 3}, {"sub/y.txt", 2}}, nil},
		{"a pipe is refused", []string{"a.pdf", "pipe"}, "", nil, ErrNotRegular},
		{"missing", []string{"nope.pdf"}, "", nil, fs.ErrNotExist},
		{"the root has no name", []string{"/"}, "", nil, ErrNoObjectName},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan, err := PlanUpload(c.sources, c.prefix)
			if c.err != nil {
				if !errors.Is(err, c.err) || plan != nil {
					t.Fatalf("PlanUpload = %v, %v; want %v", plan, err, c.err)
				}
				t.Logf("error: %v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []want
			for _, p := range plan {
				if !filepath.IsAbs(p.Source) {
					t.Errorf("source %q is not absolute", p.Source)
				}
				got = append(got, want{p.Key, p.Size})
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("plan = %v, want %v", got, c.want)
			}
		})
	}
}
