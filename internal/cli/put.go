package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

func init() {
	register(&command{
		name:    "put",
		args:    "PATH... oss://BUCKET/KEY [--key NAME]... [--part-size BYTES] [--jobs N] [-r] [--no-clobber]",
		summary: "Encrypts files on this computer and uploads them. A target ending in / receives files under their base names; folders need -r and keep their own name. Running the same put again after an interruption resumes. With - as the PATH, uploads standard input, read once, in parts of --part-size (64 MiB unless given, so at most 625 GiB: 10,000 parts); an interrupted stream does not resume and must be sent again.",
		flags: func(fs *pflag.FlagSet) {
			fs.StringArray("key", nil, "lock with the key `NAME` (default: the default key); several --key lock one object for each of them, the first being the one other clients see")
			fs.Int64("part-size", transfer.DefaultPartSize, "smallest multipart part size in `BYTES` (a multiple of 16, at least 102400)")
			fs.BoolP("recursive", "r", false, "upload folders and everything in them")
			fs.Bool("no-clobber", false, "skip targets that already exist, saying so on standard error, instead of replacing them")
			jobsFlag(fs, "parts of a file")
			progressFlag(fs)
			connFlags(fs)
		},
		run: runPut,
	})
}

// putItem is one file to upload and the key it goes to.
type putItem struct {
	src  string
	key  string
	size int64
}

func runPut(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) < 2 {
		return usagef("put needs at least one PATH and a target oss://BUCKET/KEY")
	}
	if slices.Contains(args[:len(args)-1], stdinSource) {
		return runPutStream(ctx, env, fs, args)
	}
	target, err := parseOSSURL(args[len(args)-1])
	if err != nil {
		return err
	}
	partSize, _ := fs.GetInt64("part-size")
	if err := transfer.CheckPartSize(partSize); err != nil {
		return usagef("--part-size: %v", err)
	}
	n, err := jobs(fs)
	if err != nil {
		return err
	}
	recursive, _ := fs.GetBool("recursive")
	items, err := planPut(args[:len(args)-1], target, recursive)
	if err != nil {
		return err
	}

	v, err := openVault(env)
	if err != nil {
		return err
	}
	wrappers, err := putWrappers(ctx, v, fs)
	if err != nil {
		return err
	}
	if err := checkRecipients(ctx, wrappers, target.Bucket, items); err != nil {
		return err
	}
	store, err := bucketStore(env, fs, v, target.Bucket)
	if err != nil {
		return err
	}
	if items, err = skipExisting(ctx, env, fs, store, target.Bucket, items); err != nil || len(items) == 0 {
		return err
	}
	journal, err := openJournal(env)
	if err != nil {
		return err
	}
	up, err := uploader(v, journal, store, partSize, n)
	if err != nil {
		return err
	}
	names, err := putKeyNames(v, fs)
	if err != nil {
		return err
	}
	r := newResolver(env, fs, v)
	account := flagAccount(fs)
	r.seed(account, target.Bucket, store, names[0], names[1:], wrappers)
	q := cliQueue(up, &transfer.Downloader{Journal: journal, Keys: v, Policy: retryPolicy}, n, journal, r)
	noClobber, _ := fs.GetBool("no-clobber")
	descs := make([]transfer.JobDesc, len(items))
	for i, it := range items {
		descs[i] = transfer.JobDesc{Kind: transfer.JobUpload, Local: it.src, Account: account, Bucket: target.Bucket, Key: it.key,
			KeyName: names[0], AlsoFor: names[1:], NoOverwrite: noClobber, PartSize: partSize, Origin: transfer.OriginCLI}
	}
	return uploadAll(ctx, env, fs, q, items, descs)
}

// uploadAll queues descs (items', in order), waits for them with a
// progress meter, and reports how they ended: an interruption keeps them
// in the journal for the next run, and with --no-clobber a name taken
// meanwhile is a skip, not a failure.
func uploadAll(ctx context.Context, env *Env, fs *pflag.FlagSet, q *transfer.Queue, items []putItem, descs []transfer.JobDesc) error {
	var total int64
	for _, it := range items {
		total += it.size
	}
	m := newMeter(env, fs, total, "uploading")
	defer q.Subscribe(m.event)()
	for _, d := range descs {
		if _, err := q.AddJob(ctx, d); err != nil {
			q.Close()
			return err
		}
	}
	if err := waitQueue(ctx, q, m); err != nil {
		return err
	}
	return endQueue(env, q, "upload", m)
}

// endQueue reports how q's jobs ended (queueErrors); the uploads skipped
// by --no-clobber leave the journal, with nothing left to resume.
func endQueue(env *Env, q *transfer.Queue, verb string, m *meter) error {
	skipped := skipTakenMeanwhile(env, q)
	err := queueErrors(env, q, verb, m, skipped)
	for id := range skipped {
		q.Remove(id)
	}
	return err
}

// putKeyNames are the names of the keys putWrappers returns, the default
// key by its name: a job kept in the journal stays locked for the same
// key if the default changes.
func putKeyNames(v *vault.Vault, fs *pflag.FlagSet) ([]string, error) {
	names, _ := fs.GetStringArray("key")
	if len(names) > 0 {
		return names, nil
	}
	k, err := v.DefaultKey()
	if err != nil {
		return nil, err
	}
	return []string{k.Name}, nil
}

// putWrappers are the keys put locks each object for: every --key in its
// order (the first is the wrap other clients see), or the default key.
func putWrappers(ctx context.Context, v *vault.Vault, fs *pflag.FlagSet) ([]envelope.Wrapper, error) {
	names, _ := fs.GetStringArray("key")
	if len(names) == 0 {
		names = []string{""}
	}
	seen := make(map[string]bool, len(names))
	ws := make([]envelope.Wrapper, 0, len(names))
	for _, name := range names {
		if seen[name] {
			return nil, usagef("--key %s is given twice", safetext.Name(name))
		}
		seen[name] = true
		w, err := v.Wrapper(ctx, name)
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// checkRecipients refuses, once and before anything is queued, an upload
// whose wraps do not fit an object's metadata: otherwise every file of a
// folder failed with the same sentence. The longest object name leaves the
// least room.
func checkRecipients(ctx context.Context, ws []envelope.Wrapper, bucket string, items []putItem) error {
	if len(ws) < 2 || len(items) == 0 {
		return nil
	}
	longest := items[0].key
	for _, it := range items {
		if len(it.key) > len(longest) {
			longest = it.key
		}
	}
	return transfer.CheckRecipients(ctx, ws, bucket, longest)
}

// retryPolicy is how put retries failed requests; nil is
// transfer.DefaultPolicy. Tests shorten it to see a transfer give up.
var retryPolicy *transfer.Policy

// closeOnCancel stops every job when ctx ends (Ctrl-C), as the program
// ending does: their journals stay, not recorded as paused, so that
// running the command again, or resume, takes them up.
func closeOnCancel(ctx context.Context, q *transfer.Queue) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			q.Close()
		case <-done:
		}
	}()
	return func() { close(done) }
}

// queueErrors reports the failed jobs: a single failure is the command's
// error; several are listed one a line, followed by a count.
func queueErrors(env *Env, q *transfer.Queue, verb string, m *meter, skipped map[int]bool) error {
	var failed []error
	all := q.Jobs()
	for _, e := range all {
		if e.State == transfer.Failed && !skipped[e.Job] {
			failed = append(failed, e.Err)
		}
	}
	if len(failed) == 0 {
		m.finish()
		return nil
	}
	m.abandon()
	for i, err := range failed {
		if errors.Is(err, transfer.ErrResumable) {
			failed[i] = fmt.Errorf("%w: run the same command again", err)
		}
	}
	if len(failed) == 1 {
		return failed[0]
	}
	for _, err := range failed[:len(failed)-1] {
		fmt.Fprintf(env.Err, "ossvault: %s\n", errorLine(err))
	}
	return fmt.Errorf("%w (%d of %d files failed to %s)", failed[len(failed)-1], len(failed), len(all), verb)
}

// planPut maps the sources to object keys under the contract's rules:
// transfer.PlanUpload's, which the app follows too, plus what only the
// command line has (an explicit object name for one file, -r for folders).
func planPut(sources []string, target ossURL, recursive bool) ([]putItem, error) {
	folderTarget := target.Key == "" || strings.HasSuffix(target.Key, "/")
	if len(sources) > 1 && !folderTarget {
		return nil, usagef("several sources need a target folder ending in /, e.g. %s/", target.shown())
	}
	for _, src := range sources {
		if fi, err := os.Stat(src); err == nil && fi.IsDir() && !recursive {
			return nil, usagef("%s is a folder; use -r to upload it", safetext.Path(src))
		}
	}
	// One file put to oss://b/name is named name; a folder goes under name/.
	prefix, oneFile := target.Key, false
	if !folderTarget {
		fi, err := os.Stat(sources[0])
		oneFile = err == nil && !fi.IsDir()
		prefix += "/"
	}
	plan, err := transfer.PlanUpload(sources, prefix)
	if errors.Is(err, transfer.ErrNoObjectName) {
		return nil, usagef("%v", err)
	}
	if err != nil {
		return nil, err
	}
	items := make([]putItem, len(plan))
	for i, p := range plan {
		items[i] = putItem{src: p.Source, key: p.Key, size: p.Size}
	}
	if oneFile {
		items[0].key = target.Key
	}
	return items, nil
}
