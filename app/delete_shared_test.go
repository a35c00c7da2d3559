package app

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/testenv"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/transfer/osssdk"
)

// withColleagues adds the public keys of colleagues named names to s.
func withColleagues(t *testing.T, s *Service, names ...string) {
	t.Helper()
	for _, n := range names {
		_, pub := colleague(t, n)
		if _, err := s.Keys().AddPublic(context.Background(), n, pub); err != nil {
			t.Fatal(err)
		}
	}
}

// uploadAs uploads a file of mine under each key in loc.
func uploadAs(t *testing.T, s *Service, loc Location, keys ...string) {
	t.Helper()
	ctx := context.Background()
	for _, k := range keys {
		dir := filepath.Join(t.TempDir(), filepath.Dir(k))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		src := filepath.Join(dir, filepath.Base(k))
		if err := os.WriteFile(src, bytes.Repeat([]byte(k+" "), 300), 0o600); err != nil {
			t.Fatal(err)
		}
		dest := loc
		dest.Prefix = k[:strings.LastIndex(k, "/")+1]
		if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{src}, Dest: dest, KeyFor: "Mine"}); err != nil {
			t.Fatal(err)
		}
	}
	s.Queue().Wait()
}

// shareWith shares key with forKey for an hour, and checks that its link
// opens.
func shareWith(t *testing.T, s *Service, loc Location, key, forKey string) Shared {
	t.Helper()
	sh, err := s.Sharing().Share(context.Background(), loc, key, forKey, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sh.Key == key {
		t.Fatalf("%s was shared with %s without a copy", key, forKey)
	}
	if got := linkStatus(t, sh.Link); got != http.StatusOK {
		t.Fatalf("the new link to %s for %s answers %d", key, forKey, got)
	}
	return sh
}

// linkStatus is what a GET of a shared link answers, as the person it was
// sent to would do it.
func linkStatus(t *testing.T, link string) int {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// listed is the keys of the copies in the list.
func listed(t *testing.T, s *Service) []string {
	t.Helper()
	cs, err := s.loadCopies()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range cs {
		keys = append(keys, c.Key)
	}
	slices.Sort(keys)
	return keys
}

// sorted is keys, sorted.
func sorted(keys ...string) []string {
	slices.Sort(keys)
	return keys
}

// Deleting a file deletes the copies made to share it, with everyone it
// went to: their links stop working and the list forgets them. Another
// file's copy stays, and deleting a file never shared touches none.
func TestDeleteTakesTheSharedCopies(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	withColleagues(t, s, "Alice", "Bob")
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	uploadAs(t, s, loc, "payroll.pdf", "minutes.pdf", "draft.pdf")
	forAlice := shareWith(t, s, loc, "payroll.pdf", "Alice")
	forBob := shareWith(t, s, loc, "payroll.pdf", "Bob")
	other := shareWith(t, s, loc, "minutes.pdf", "Alice")

	if cs, err := s.Sharing().CopiesOf(loc, "payroll.pdf"); err != nil || len(cs) != 2 {
		t.Fatalf("copies of payroll.pdf before the delete: %+v, %v", cs, err)
	}
	if err := s.Storage().Delete(ctx, loc, "draft.pdf"); err != nil {
		t.Fatal(err)
	}
	if got, want := listed(t, s), sorted(forAlice.Key, forBob.Key, other.Key); !slices.Equal(got, want) {
		t.Fatalf("deleting a file never shared changed the list: %v, want %v", got, want)
	}
	if err := s.Storage().Delete(ctx, loc, "payroll.pdf"); err != nil {
		t.Fatal(err)
	}
	for _, sh := range []Shared{forAlice, forBob} {
		if got := linkStatus(t, sh.Link); got != http.StatusNotFound {
			t.Errorf("the link to %s answers %d after the file was deleted", sh.Key, got)
		}
	}
	if got := listed(t, s); !slices.Equal(got, []string{other.Key}) {
		t.Errorf("listed after the delete: %v, want only %s", got, other.Key)
	}
	if got := linkStatus(t, other.Link); got != http.StatusOK {
		t.Errorf("the link to another file's copy answers %d", got)
	}
	if cs, err := s.Sharing().CopiesOf(loc, "payroll.pdf"); err != nil || len(cs) != 0 {
		t.Errorf("copies of payroll.pdf after the delete: %+v, %v", cs, err)
	}
}

// Deleting a folder deletes the copies made to share the files in it, at
// any depth; a file beside it keeps its copy.
func TestDeleteFolderTakesTheSharedCopies(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	withColleagues(t, s, "Bob")
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	uploadAs(t, s, loc, "payroll/april.pdf", "payroll/2026/may.pdf", "payroll 2/june.pdf")
	april := shareWith(t, s, loc, "payroll/april.pdf", "Bob")
	may := shareWith(t, s, loc, "payroll/2026/may.pdf", "Bob")
	beside := shareWith(t, s, loc, "payroll 2/june.pdf", "Bob")

	if cs, err := s.Sharing().CopiesOf(loc, "payroll/"); err != nil || len(cs) != 2 {
		t.Fatalf("copies under payroll/: %+v, %v", cs, err)
	}
	r, err := DeleteFolder(ctx, s.Storage(), loc, "payroll/", nil)
	if err != nil || r.Failed != 0 {
		t.Fatalf("%+v, %v", r, err)
	}
	for _, sh := range []Shared{april, may} {
		if got := linkStatus(t, sh.Link); got != http.StatusNotFound {
			t.Errorf("the link to %s answers %d after its folder was deleted", sh.Key, got)
		}
	}
	if got := listed(t, s); !slices.Equal(got, []string{beside.Key}) {
		t.Errorf("listed after the delete: %v, want only %s", got, beside.Key)
	}
	if got := linkStatus(t, beside.Link); got != http.StatusOK {
		t.Errorf("the link to the file beside the folder answers %d", got)
	}
}

// A renamed file's copies follow its name, so that deleting it under its
// new name, or the folder it was renamed with, still takes them.
func TestRenamedFileKeepsItsSharedCopies(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	withColleagues(t, s, "Bob")
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	uploadAs(t, s, loc, "payroll.pdf", "old/minutes.pdf")
	payroll := shareWith(t, s, loc, "payroll.pdf", "Bob")
	minutes := shareWith(t, s, loc, "old/minutes.pdf", "Bob")

	newKey, err := s.Storage().Rename(ctx, loc, "payroll.pdf", "payroll-april.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if got := linkStatus(t, payroll.Link); got != http.StatusOK {
		t.Fatalf("the link answers %d after the rename: a copy is still a copy", got)
	}
	if err := s.Storage().Delete(ctx, loc, newKey); err != nil {
		t.Fatal(err)
	}
	if got := linkStatus(t, payroll.Link); got != http.StatusNotFound {
		t.Errorf("the link answers %d after the renamed file was deleted", got)
	}

	newPrefix, err := s.Storage().RenameFolder(ctx, loc, "old/", "new", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cs, _ := s.Sharing().CopiesOf(loc, newPrefix); len(cs) != 1 || cs[0].Of != "new/minutes.pdf" {
		t.Fatalf("copies under %s after the rename: %+v", newPrefix, cs)
	}
	if _, err := DeleteFolder(ctx, s.Storage(), loc, newPrefix, nil); err != nil {
		t.Fatal(err)
	}
	if got := linkStatus(t, minutes.Link); got != http.StatusNotFound {
		t.Errorf("the link answers %d after the renamed folder was deleted", got)
	}
	if got := listed(t, s); len(got) != 0 {
		t.Errorf("still listed: %v", got)
	}
}

// refusals are the deletes the buckets refuse: of any shared copy while
// copies is set, and of the object keep, when set, among several.
type refusals struct {
	copies atomic.Bool
	keep   atomic.Value // string
}

// failDeletes connects to buckets that refuse what r says.
func failDeletes(r *refusals) transfer.Connector {
	return func(c transfer.Conn) (transfer.Service, error) {
		svc, err := osssdk.Connect(c)
		return refusingService{svc, r}, err
	}
}

type refusingService struct {
	transfer.Service
	r *refusals
}

func (s refusingService) Bucket(name string) (transfer.Bucket, error) {
	b, err := s.Service.Bucket(name)
	if err != nil {
		return nil, err
	}
	// The server's copy stays, so that sharing is as it is.
	return refusingBucket{b, b.(transfer.Copier), s.r}, nil
}

type refusingBucket struct {
	transfer.Bucket
	transfer.Copier
	r *refusals
}

var errRefused = errors.New("refused by the test")

func (b refusingBucket) Delete(ctx context.Context, key string) error {
	if b.r.copies.Load() && strings.HasPrefix(key, transfer.SharedPrefix) {
		return errRefused
	}
	return b.Bucket.Delete(ctx, key)
}

// DeleteMany deletes keys but the one kept, as OSS does with an object
// it may not delete among several.
func (b refusingBucket) DeleteMany(ctx context.Context, keys []string) ([]string, error) {
	keep, _ := b.r.keep.Load().(string)
	return b.Bucket.DeleteMany(ctx, slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == keep }))
}

// openRefusing is a service on "This computer", with a key of mine, whose
// buckets refuse what r says.
func openRefusing(t *testing.T, r *refusals) *Service {
	t.Helper()
	testenv.RequireKeychain(t)
	s, err := Open(t.TempDir(), Options{Connect: failDeletes(r)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.StartLocal(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Keys().Generate(context.Background(), "Mine", 2048); err != nil {
		t.Fatal(err)
	}
	return s
}

// A copy that cannot be deleted leaves the file deleted all the same, and
// the error says which copy is left and why; it stays listed, so that
// removing it again takes it.
func TestDeleteSaysWhichCopyIsLeft(t *testing.T) {
	ctx := context.Background()
	var r refusals
	s := openRefusing(t, &r)
	withColleagues(t, s, "Bob")
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	uploadAs(t, s, loc, "payroll.pdf")
	sh := shareWith(t, s, loc, "payroll.pdf", "Bob")

	r.copies.Store(true)
	err := s.Storage().Delete(ctx, loc, "payroll.pdf")
	var left *CopiesLeftError
	if !errors.As(err, &left) || !errors.Is(err, errRefused) {
		t.Fatalf("deleting with a copy that cannot go: %v", err)
	}
	if left.Of != "payroll.pdf" || len(left.Left) != 1 || left.Left[0].Key != sh.Key || left.Left[0].For != "Bob" {
		t.Fatalf("the error names %+v", left)
	}
	st, _ := s.Store(loc.Account, loc.Bucket)
	if _, err := st.Head(ctx, "payroll.pdf"); !errors.Is(err, transfer.ErrNoSuchObject) {
		t.Fatalf("the file itself: %v", err)
	}
	if got := listed(t, s); !slices.Equal(got, []string{sh.Key}) {
		t.Fatalf("listed: %v", got)
	}

	r.copies.Store(false)
	if err := s.Sharing().RemoveCopies(ctx, left.Left); err != nil {
		t.Fatal(err)
	}
	if got := linkStatus(t, sh.Link); got != http.StatusNotFound {
		t.Errorf("the link answers %d after removing the copy again", got)
	}
	if got := listed(t, s); len(got) != 0 {
		t.Errorf("still listed: %v", got)
	}
}

// A file that stays when its folder is deleted keeps its copy, and its
// link; the copy of a file that went goes with it.
func TestDeleteFolderKeepsTheCopyOfAFileLeft(t *testing.T) {
	ctx := context.Background()
	var r refusals
	s := openRefusing(t, &r)
	withColleagues(t, s, "Bob")
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	uploadAs(t, s, loc, "payroll/april.pdf", "payroll/may.pdf")
	april := shareWith(t, s, loc, "payroll/april.pdf", "Bob")
	may := shareWith(t, s, loc, "payroll/may.pdf", "Bob")

	r.keep.Store("payroll/april.pdf")
	d, err := DeleteFolder(ctx, s.Storage(), loc, "payroll/", nil)
	if err != nil || d.Failed != 1 {
		t.Fatalf("%+v, %v", d, err)
	}
	if got := linkStatus(t, april.Link); got != http.StatusOK {
		t.Errorf("the link to the file left answers %d", got)
	}
	if got := linkStatus(t, may.Link); got != http.StatusNotFound {
		t.Errorf("the link to the file deleted answers %d", got)
	}
	if got := listed(t, s); !slices.Equal(got, []string{april.Key}) {
		t.Errorf("listed: %v, want only %s", got, april.Key)
	}
}
