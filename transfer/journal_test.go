package transfer

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestJournalRoundTrip(t *testing.T) {
	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id := JobID("upload", "/a b/c", "oss://b/k")
	if id == JobID("upload", "/a b/c", "oss://b/k2") || id == JobID("upload", "/a b/", "coss://b/k") {
		t.Fatal("JobID is not unique for different inputs")
	}
	var r Record
	if ok, err := j.Load(id, &r); ok || err != nil {
		t.Fatalf("Load of a missing record = %v, %v", ok, err)
	}
	in := Record{ID: id, Kind: "upload", Source: "/a b/c", Dest: "oss://b/k", Created: time.Unix(5, 0).UTC()}
	if err := j.Save(id, in); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(j.Dir(), id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode = %v, want 0600", fi.Mode().Perm())
	}
	if ok, err := j.Load(id, &r); !ok || err != nil || r != in {
		t.Fatalf("Load = %+v, %v, %v; want %+v", r, ok, err, in)
	}
	older := Record{ID: JobID("x"), Kind: "download", Created: time.Unix(1, 0).UTC()}
	if err := j.Save(older.ID, older); err != nil {
		t.Fatal(err)
	}
	// A damaged record, or one filed under another name, is set aside as
	// .bad with a warning, not fatal.
	if err := os.WriteFile(filepath.Join(j.Dir(), "ffff.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := j.Save("eeee", in); err != nil {
		t.Fatal(err)
	}
	var warned []error
	j.Warn = func(err error) { warned = append(warned, err) }
	list, err := j.List()
	if err != nil || len(list) != 2 || list[0].ID != older.ID || list[1].ID != id {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if len(warned) != 2 || !errors.Is(warned[0], ErrBadRecord) || !errors.Is(warned[1], ErrBadRecord) {
		t.Fatalf("warnings = %v, want two ErrBadRecord", warned)
	}
	for _, bad := range []string{"eeee", "ffff"} {
		if _, err := os.Stat(filepath.Join(j.Dir(), bad+".bad")); err != nil {
			t.Errorf("%s was not set aside: %v", bad, err)
		}
		os.Remove(filepath.Join(j.Dir(), bad+".bad"))
	}
	if err := j.Remove(id); err != nil {
		t.Fatal(err)
	}
	if err := j.Remove(id); err != nil {
		t.Fatalf("second Remove: %v", err)
	}
	if ok, _ := j.Load(id, &r); ok {
		t.Fatal("record still there after Remove")
	}
	if err := j.Save("../evil", in); err == nil {
		t.Fatal("Save accepted an id with a path in it")
	}
	ents, _ := os.ReadDir(j.Dir())
	for _, e := range ents {
		if filepath.Ext(e.Name()) != ".json" {
			t.Errorf("left a temporary file: %s", e.Name())
		}
	}
}
