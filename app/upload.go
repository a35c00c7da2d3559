package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ossvault/ossvault/transfer"
)

func (t *realTransfers) Upload(ctx context.Context, req UploadRequest) ([]JobID, error) {
	if req.KeyFor == "" {
		return nil, ErrNoKeyChosen
	}
	ws, err := t.b.wrappers(ctx, req.KeyFor, req.AlsoFor)
	if err != nil {
		return nil, err
	}
	files, err := transfer.PlanUpload(req.Paths, req.Dest.Prefix)
	if err != nil {
		return nil, err
	}
	if len(ws) > 1 && len(files) > 0 {
		if err := transfer.CheckRecipients(ctx, ws, req.Dest.Bucket, longestKey(files)); err != nil {
			return nil, err
		}
	}
	files, replace, err := t.answerClashes(ctx, req, files)
	if err != nil {
		return nil, err
	}
	group, groupName := newGroup(len(files), req.Paths)
	var ids []JobID
	for _, f := range files {
		id, err := t.add(ctx, transfer.JobDesc{Kind: transfer.JobUpload, Local: f.Source, Account: req.Dest.Account, Bucket: req.Dest.Bucket,
			Key: f.Key, KeyName: req.KeyFor, AlsoFor: req.AlsoFor, Group: group, GroupName: groupName,
			// Checked above, and by the server to the end: a file a
			// colleague puts there meanwhile is not replaced either.
			NoOverwrite: !replace[f.Key]})
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// answerClashes applies req's answers to the files whose names are taken
// in the destination: it drops the skipped ones, gives a free name to
// those kept beside the file there, and returns which keys are to be
// replaced. A taken name with no answer refuses the whole upload with an
// *ExistsError naming the unanswered ones, so that a name taken since the
// user was asked is asked about again rather than replaced.
func (t *realTransfers) answerClashes(ctx context.Context, req UploadRequest, files []transfer.PlannedUpload) ([]transfer.PlannedUpload, map[string]bool, error) {
	answer := func(key string) Existing {
		if x, ok := req.PerKey[key]; ok {
			return x
		}
		return req.Existing
	}
	replace := map[string]bool{}
	for _, f := range files {
		if answer(f.Key) == ReplaceExisting {
			replace[f.Key] = true
		}
	}
	if len(replace) == len(files) {
		return files, replace, nil // nothing to look up: every name may be written over
	}
	taken, err := t.takenKeys(ctx, req.Dest, files)
	if err != nil {
		return nil, nil, err
	}
	// taken holds every key of the folders written to, for freeKey: only
	// the upload's own names being among them is a clash.
	clash := make([]bool, len(files))
	e := &ExistsError{Total: len(files)}
	for i, f := range files {
		clash[i] = taken[f.Key]
		if clash[i] && answer(f.Key) == AskExisting {
			e.Names = append(e.Names, f.Key)
		}
	}
	if len(e.Names) > 0 {
		return nil, nil, e
	}
	// A free name is free of this upload's own names too.
	for _, f := range files {
		taken[f.Key] = true
	}
	var out []transfer.PlannedUpload
	for i, f := range files {
		if clash[i] {
			switch answer(f.Key) {
			case SkipExisting:
				continue
			case KeepBoth:
				f.Key = freeKey(f.Key, taken)
				taken[f.Key] = true
			}
		}
		out = append(out, f)
	}
	return out, replace, nil
}

// takenKeys returns which of the files' keys, and which other keys under
// the same folders, already exist in dest: one listing per folder the
// upload writes to, not one request per file.
func (t *realTransfers) takenKeys(ctx context.Context, dest Location, files []transfer.PlannedUpload) (map[string]bool, error) {
	st, err := t.b.Store(dest.Account, dest.Bucket)
	if err != nil {
		return nil, err
	}
	// A few quick tries: the user waits on this before the upload starts.
	lister := transfer.Retrying{Store: st, Policy: transfer.Policy{Attempts: 3, Base: 250 * time.Millisecond, Max: 2 * time.Second}}
	folders := map[string]bool{}
	for _, f := range files {
		folders[path.Dir(f.Key)+"/"] = true
	}
	taken := map[string]bool{}
	for dir := range folders {
		if dir == "./" {
			dir = ""
		}
		token := ""
		for {
			p, err := lister.ListPage(ctx, dir, "/", token, 0)
			if err != nil {
				return nil, fmt.Errorf("failed to check which files already exist: %w", err)
			}
			for _, o := range p.Objects {
				taken[o.Key] = true
			}
			if token = p.Next; token == "" {
				break
			}
		}
	}
	return taken, nil
}

// freeKey returns "a (2).pdf", "a (3).pdf" … for key "a.pdf", the first
// not in taken, as the download side names a file that is already there.
func freeKey(key string, taken map[string]bool) string {
	dir, name := path.Split(key)
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	if base == "" {
		base, ext = name, ""
	}
	for n := 2; ; n++ {
		k := dir + base + " (" + strconv.Itoa(n) + ")" + ext
		if !taken[k] {
			return k
		}
	}
}

func (t *realTransfers) Download(_ context.Context, loc Location, key, dir string) (JobID, error) {
	dest, err := freeName(dir, path.Base(key))
	if err != nil {
		return "", err
	}
	return t.add(context.Background(), transfer.JobDesc{Kind: transfer.JobDownload, Local: dest, Account: loc.Account, Bucket: loc.Bucket, Key: key})
}

func (t *realTransfers) DownloadFolder(ctx context.Context, loc Location, prefix, dir string) (string, []JobID, error) {
	st, err := t.b.Store(loc.Account, loc.Bucket)
	if err != nil {
		return "", nil, err
	}
	local, err := claimFolder(dir, path.Base(prefix))
	if err != nil {
		return "", nil, err
	}
	files, err := transfer.PlanFolder(ctx, st, prefix, local)
	if err == nil && len(files) == 0 {
		err = ErrEmptyFolder
	}
	if err != nil {
		os.Remove(local) // still empty: nothing was planned into it
		return "", nil, err
	}
	// The folders below local are made by each download, confined to
	// local: a link inside it cannot lead a file out.
	group, _ := newGroup(len(files), nil)
	groupName := filepath.Base(local)
	var ids []JobID
	for _, f := range files {
		id, err := t.add(ctx, transfer.JobDesc{Kind: transfer.JobDownload, Local: f.Local, Account: loc.Account, Bucket: loc.Bucket,
			Key: f.Key, Root: local, Group: group, GroupName: groupName})
		if err != nil {
			return local, ids, err
		}
		ids = append(ids, id)
	}
	return local, ids, nil
}

// claimFolder creates dir/name, or "name (2)" and so on when that is
// taken (as freeName does for a file, with no extension to keep), so that
// a folder download never mixes its files into a folder already there.
func claimFolder(dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", InFolder(dir, err)
	}
	// The folder's own name obeys the rules its files do.
	if _, ok, err := transfer.FolderPath(dir, "", name); !ok || err != nil || filepath.Base(name) != name {
		name = "download"
	}
	for i := 1; ; i++ {
		cand := filepath.Join(dir, name)
		if i > 1 {
			cand = filepath.Join(dir, fmt.Sprintf("%s (%d)", name, i))
		}
		// Mkdir fails on anything already there, so two downloads of one
		// folder at once get a folder each.
		err := os.Mkdir(cand, 0o700)
		if err == nil {
			return cand, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", InFolder(dir, err)
		}
	}
}

func (t *realTransfers) openLink(link, dir string) (JobID, error) {
	l, err := transfer.ParseLink(link)
	if err != nil {
		// The screen lets only text that starts like a link through.
		return "", fmt.Errorf("%w: %w", ErrLinkDamaged, err)
	}
	dest, err := freeName(dir, l.ObjectName())
	if err != nil {
		return "", err
	}
	return t.add(context.Background(), transfer.JobDesc{Kind: transfer.JobDownload, Local: dest, Link: link})
}

// freeName picks dir/name, or "name (2).ext" and so on when it is taken:
// a download never overwrites a file.
func freeName(dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", InFolder(dir, err)
	}
	name = filepath.Base(filepath.FromSlash(name))
	if name == "." || name == string(filepath.Separator) || name == "" {
		name = "download"
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 1; ; i++ {
		cand := filepath.Join(dir, name)
		if i > 1 {
			cand = filepath.Join(dir, fmt.Sprintf("%s (%d)%s", stem, i, ext))
		}
		if _, err := os.Lstat(cand); errors.Is(err, os.ErrNotExist) {
			return cand, nil
		}
	}
}

// newGroup names the group of a request for n files, "" for one file: an
// id unique to this request, and for a single folder its name (loose files
// have none; the screens word "N files").
func newGroup(n int, paths []string) (id, name string) {
	if n < 2 {
		return "", ""
	}
	id = strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.FormatUint(groupSeq.Add(1), 36)
	if len(paths) == 1 {
		name = filepath.Base(paths[0])
	}
	return id, name
}

var groupSeq atomic.Uint64
