package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestKeyNames(t *testing.T) {
	const dest = "/home/me/Downloads/team"
	// want is the file's names below dest; nil with no refusal is a folder.
	// unix and windows are the two flavours; "=" means as for unix.
	type want struct {
		names  []string
		refuse string // part of the refusal, "" to accept
	}
	same := want{refuse: "="}
	for _, tc := range []struct {
		key     string
		unix    want
		windows want
	}{
		{"team/a.txt", want{names: []string{"a.txt"}}, same},
		{"team/sub dir/季度 报告.pdf", want{names: []string{"sub dir", "季度 报告.pdf"}}, same},
		{"team/..foo", want{names: []string{"..foo"}}, same},
		{"team/a/..b/c..", want{names: []string{"a", "..b", "c.."}}, want{refuse: "ends in a dot"}},
		{"team/", want{}, same},
		{"team/x/", want{}, same},
		{"team/x//", want{}, same},
		{"team/a//b", want{names: []string{"a", "b"}}, same},
		{"team//abs", want{names: []string{"abs"}}, same},
		{"team/./a", want{names: []string{"a"}}, same},
		{"team/.", want{}, same},
		{"team/..", want{refuse: "points outside " + dest}, same},
		{"team/../x", want{refuse: "points outside " + dest}, same},
		{"team/a/../../x", want{refuse: `".." as a folder name`}, same},
		{"team/a/../b", want{refuse: `".." as a folder name`}, same},
		{"team//../x", want{refuse: "points outside " + dest}, same},
		{`team/..\x`, want{names: []string{`..\x`}}, want{refuse: "points outside " + dest}},
		{`team/a\b.txt`, want{names: []string{`a\b.txt`}}, want{names: []string{"a", "b.txt"}}},
		{`team/\\server\share\f`, want{names: []string{`\\server\share\f`}}, want{names: []string{"server", "share", "f"}}},
		{"team/C:/Windows/x", want{names: []string{"C:", "Windows", "x"}}, want{refuse: `":"`}},
		{`team/C:\x`, want{names: []string{`C:\x`}}, want{refuse: `":"`}},
		{"team/report.txt:secret", want{names: []string{"report.txt:secret"}}, want{refuse: `":"`}},
		{"team/what?.txt", want{names: []string{"what?.txt"}}, want{refuse: `"?"`}},
		{"team/trailing ", want{names: []string{"trailing "}}, want{refuse: "ends in a dot or a space"}},
		{"team/CON", want{names: []string{"CON"}}, want{refuse: "device"}},
		{"team/nul.txt", want{names: []string{"nul.txt"}}, want{refuse: "device"}},
		{"team/lpt1 .log", want{names: []string{"lpt1 .log"}}, want{refuse: "device"}},
		{"team/console.txt", want{names: []string{"console.txt"}}, same},
		{"team/line\nbreak", want{refuse: "control character"}, same},
		{"team/nul\x00byte", want{refuse: "control character"}, same},
		{"other/a.txt", want{refuse: `not under "team/"`}, same},
	} {
		for _, flavour := range []struct {
			name    string
			windows bool
			want    want
		}{{"unix", false, tc.unix}, {"windows", true, tc.windows}} {
			w := flavour.want
			if w.refuse == "=" {
				w = tc.unix
			}
			names, err := keyNames(dest, "team/", tc.key, flavour.windows)
			if w.refuse != "" {
				var u *UnsafeNameError
				if !errors.As(err, &u) || !errors.Is(err, ErrUnsafeName) || u.Key != tc.key ||
					!strings.Contains(err.Error(), w.refuse) || !strings.HasPrefix(err.Error(), "refusing the object name ") {
					t.Errorf("%s %q: names %q, error %v; want a refusal saying %q", flavour.name, tc.key, names, err, w.refuse)
				}
				continue
			}
			if err != nil || !slices.Equal(names, w.names) || (names == nil) != (w.names == nil) {
				t.Errorf("%s %q: names %q, error %v; want %q", flavour.name, tc.key, names, err, w.names)
			}
		}
	}
}

func TestFolderPathStaysInside(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "Reports")
	local, ok, err := FolderPath(dest, "x/Reports/", "x/Reports/sub/a.txt")
	if err != nil || !ok || local != filepath.Join(dest, "sub", "a.txt") {
		t.Fatalf("got %q %v %v", local, ok, err)
	}
	if _, ok, err := FolderPath(dest, "x/Reports/", "x/Reports/sub/"); ok || err != nil {
		t.Fatalf("a placeholder: ok %v, error %v; want skipped", ok, err)
	}
	if _, _, err := FolderPath(dest, "x/Reports/", "x/Reports/../../etc/passwd"); !errors.Is(err, ErrUnsafeName) ||
		err.Error() != `refusing the object name "x/Reports/../../etc/passwd": it points outside `+dest {
		t.Fatalf("climbing: %v", err)
	}
}

// FuzzFolderPath: whatever the key, a path that is accepted lies strictly
// inside dest.
func FuzzFolderPath(f *testing.F) {
	for _, s := range []string{"a", "a/b", "../x", "a//b", `..\x`, "..foo", "C:/x", "/abs", "x/", "a/./b/.."} {
		f.Add(s)
	}
	dest := filepath.Join(f.TempDir(), "d")
	f.Fuzz(func(t *testing.T, rel string) {
		for _, windows := range []bool{false, true} {
			names, err := keyNames(dest, "p/", "p/"+rel, windows)
			if err != nil {
				if !errors.Is(err, ErrUnsafeName) {
					t.Fatalf("%q: %v is not ErrUnsafeName", rel, err)
				}
				continue
			}
			for _, n := range names {
				if n == "" || n == "." || n == ".." || strings.Contains(n, "/") || (windows && strings.ContainsAny(n, `\:`)) {
					t.Fatalf("%q (windows %v): unsafe name %q in %q", rel, windows, n, names)
				}
			}
		}
		local, ok, err := FolderPath(dest, "p/", "p/"+rel)
		if err != nil || !ok {
			return
		}
		r, err := filepath.Rel(dest, local)
		if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
			t.Fatalf("%q maps to %q, outside %q", rel, local, dest)
		}
	})
}

// listFunc lists a fixed set of entries, as OSS would list them.
type listFunc []Entry

func (l listFunc) List(_ context.Context, prefix string, recursive bool, fn func(Entry) error) error {
	if !recursive {
		return errors.New("PlanFolder must list recursively")
	}
	for _, e := range l {
		if strings.HasPrefix(e.Key, prefix) {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestPlanFolder(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "out")
	ents := listFunc{
		{Key: "team/"}, {Key: "team/a.txt", Size: 3}, {Key: "team/empty/"},
		{Key: "team/sub/b.txt", Size: 5}, {Key: "team/sub/", Folder: true}, {Key: "teammate.txt"},
	}
	got, err := PlanFolder(context.Background(), ents, "team/", dest)
	if err != nil {
		t.Fatal(err)
	}
	want := []FolderFile{
		{Key: "team/a.txt", Size: 3, Local: filepath.Join(dest, "a.txt")},
		{Key: "team/sub/b.txt", Size: 5, Local: filepath.Join(dest, "sub", "b.txt")},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("plan %+v, want %+v", got, want)
	}
	if ents, _ := filepath.Glob(dest + "*"); len(ents) != 0 {
		t.Fatalf("planning created %v", ents)
	}

	// One bad name refuses the whole folder, before anything starts.
	_, err = PlanFolder(context.Background(), append(ents, Entry{Key: "team/../../x"}), "team/", dest)
	if !errors.Is(err, ErrUnsafeName) {
		t.Fatalf("a climbing key: %v", err)
	}
	// Two keys for one file are refused, naming both.
	_, err = PlanFolder(context.Background(), append(ents, Entry{Key: "team/sub//b.txt"}), "team/", dest)
	if !errors.Is(err, ErrUnsafeName) || !strings.Contains(err.Error(), `"team/sub//b.txt"`) || !strings.Contains(err.Error(), `"team/sub/b.txt"`) {
		t.Fatalf("two keys for one file: %v", err)
	}
	if got, err := PlanFolder(context.Background(), ents, "nothing/", dest); err != nil || len(got) != 0 {
		t.Fatalf("an empty folder: %v %v", got, err)
	}
}

// PlanFolder over the real SDK and the local endpoint, past one listing
// page, with a folder placeholder and unicode names.
func TestPlanFolderOSS(t *testing.T) {
	_, st := startOSS(t)
	ctx := context.Background()
	keys := []string{"top.txt", "docs/", "docs/empty/", "docs/季度/报告 1.txt", "docs/a b.txt"}
	for i := range 1005 {
		keys = append(keys, fmt.Sprintf("docs/many/%04d", i))
	}
	for _, k := range keys {
		if err := st.Put(ctx, k, bytes.NewReader([]byte(k)), int64(len(k)), nil); err != nil {
			t.Fatal(err)
		}
	}
	dest := t.TempDir()
	got, err := PlanFolder(ctx, st, "docs/", dest)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1007 {
		t.Fatalf("planned %d files, want 1007", len(got))
	}
	byKey := map[string]FolderFile{}
	for _, f := range got {
		byKey[f.Key] = f
	}
	if f := byKey["docs/季度/报告 1.txt"]; f.Local != filepath.Join(dest, "季度", "报告 1.txt") || f.Size != int64(len("docs/季度/报告 1.txt")) {
		t.Fatalf("unicode file planned as %+v", f)
	}
	if _, ok := byKey["docs/empty/"]; ok {
		t.Fatal("a folder placeholder was planned as a file")
	}
}
