package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/app"
	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/transfer/osssdk"
	"github.com/ossvault/ossvault/vault"
)

func init() {
	register(&command{
		name: "resume",
		args: "[--jobs N]",
		summary: "Runs every transfer an interrupted put or get of this home left unfinished, with the progress, messages and exit status put and get give. " +
			"A transfer made with --account uses that saved account again; one made with --endpoint or the OSS_* environment uses the --endpoint, --region or --account given to resume, else the OSS_* environment. " +
			"Says \"nothing to resume\" on standard error, exit 0, when there is none.",
		flags: func(fs *pflag.FlagSet) {
			jobsFlag(fs, "parts of a file")
			progressFlag(fs)
			connFlags(fs)
		},
		run: runResume,
	})
}

// resolver is the command line's transfer.Resolver: a job's saved account
// through the vault, a job made with flags or the environment (account
// "") through the connection flags and environment of this run, key names
// through the vault. Each bucket and set of keys is resolved once per run.
type resolver struct {
	env *Env
	fs  *pflag.FlagSet
	v   *vault.Vault
	// restoring: the jobs are an earlier run's, and a key or an account
	// that is gone drops them (transfer.ErrDropRecord).
	restoring bool

	mu sync.Mutex
	// left counts the earlier run's jobs that could not be resolved now
	// and stay for a later run; leftErr is the first reason.
	left     int
	leftErr  error
	stores   map[[2]string]transfer.Store
	wrappers map[string][]envelope.Wrapper
}

func newResolver(env *Env, fs *pflag.FlagSet, v *vault.Vault) *resolver {
	return &resolver{env: env, fs: fs, v: v, stores: map[[2]string]transfer.Store{}, wrappers: map[string][]envelope.Wrapper{}}
}

// flagAccount is the account a job made now records: the saved account
// --account names, or "" for --endpoint and the environment.
func flagAccount(fs *pflag.FlagSet) string {
	a, _ := fs.GetString("account")
	return a
}

// seed records what the command already resolved for the jobs it queues.
func (r *resolver) seed(account, bucket string, st transfer.Store, keyName string, alsoFor []string, ws []envelope.Wrapper) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st != nil {
		r.stores[[2]string{account, bucket}] = st
	}
	if ws != nil {
		r.wrappers[fmt.Sprint(append([]string{keyName}, alsoFor...))] = ws
	}
}

func (r *resolver) Store(_ context.Context, account, bucket string) (transfer.Store, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := [2]string{account, bucket}
	if st, ok := r.stores[k]; ok {
		return st, nil
	}
	st, err := r.connect(account, bucket)
	if err != nil {
		return nil, r.gone(err)
	}
	r.stores[k] = st
	return st, nil
}

// connect opens bucket in the saved account, or with account "", where
// this run's flags and environment say.
func (r *resolver) connect(account, bucket string) (transfer.Store, error) {
	if account == "" {
		return bucketStore(r.env, r.fs, r.v, bucket)
	}
	c, local, err := app.AccountConn(r.v, account, localStoreError)
	if err != nil {
		return nil, err
	}
	if local {
		if c, err = localStoreConn(c); err != nil {
			return nil, err
		}
	}
	svc, err := osssdk.Connect(c)
	if err != nil {
		return nil, err
	}
	return svc.Bucket(bucket)
}

func (r *resolver) Wrappers(ctx context.Context, keyName string, alsoFor []string) ([]envelope.Wrapper, error) {
	names := append([]string{keyName}, alsoFor...)
	k := fmt.Sprint(names)
	r.mu.Lock()
	ws, ok := r.wrappers[k]
	r.mu.Unlock()
	if ok {
		return ws, nil
	}
	for _, name := range names {
		w, err := r.v.Wrapper(ctx, name)
		if err != nil {
			return nil, r.gone(err)
		}
		ws = append(ws, w)
	}
	r.mu.Lock()
	r.wrappers[k] = ws
	r.mu.Unlock()
	return ws, nil
}

// gone marks, for an earlier run's job, a key or an account that no longer
// exists: the job can never run. A keychain that cannot be reached now, or
// a connection that fails, leaves it for a later run.
func (r *resolver) gone(err error) error {
	if !r.restoring {
		return err
	}
	if errors.Is(err, vault.ErrKeyNotFound) || errors.Is(err, vault.ErrNoDefaultKey) || errors.Is(err, vault.ErrAccountNotFound) {
		return fmt.Errorf("%w: %w", transfer.ErrDropRecord, err)
	}
	r.left++
	if r.leftErr == nil {
		r.leftErr = err
	}
	return err
}

// cliQueue is the queue put, get and resume run their jobs in: kept in
// the journal of env's home as the command line's, so that an
// interrupted run is resumed by the same command or by resume.
func cliQueue(up *transfer.Uploader, down *transfer.Downloader, n int, journal *transfer.Journal, r *resolver) *transfer.Queue {
	q := transfer.NewQueue(up, down, min(n, 8))
	q.SetResolver(r)
	q.KeepInJournal(journal)
	return q
}

func runResume(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 0 {
		return usagef("resume takes no arguments")
	}
	n, err := jobs(fs)
	if err != nil {
		return err
	}
	journal, err := openJournal(env)
	if err != nil {
		return err
	}
	kept, err := keptJobs(journal)
	if err != nil {
		return err
	}
	if len(kept) == 0 {
		fmt.Fprintln(env.Err, "nothing to resume")
		return nil
	}
	v, err := openVault(env)
	if err != nil {
		return err
	}
	up, err := uploader(v, journal, nil, kept.partSize(), n)
	if err != nil {
		return err
	}
	down := &transfer.Downloader{Journal: journal, Keys: v, Parts: n, Policy: retryPolicy}
	r := newResolver(env, fs, v)
	q := cliQueue(up, down, n, journal, r)

	m := newMeter(env, fs, kept.size(), kept.verb()+"ing")
	defer q.Subscribe(m.event)()
	// Subscribed first, so that the meter sees the jobs start.
	r.restoring = true
	ids, err := q.RestoreJobs(ctx, journal, transfer.OriginCLI, r)
	r.restoring = false
	switch {
	case err != nil:
		return err
	case len(ids) == 0 && r.leftErr != nil:
		// Kept, but not reachable with this run's keychain, flags or
		// environment: say why rather than that there is nothing.
		return r.leftErr
	case len(ids) == 0:
		fmt.Fprintln(env.Err, "nothing to resume")
		return nil
	case r.leftErr != nil:
		fmt.Fprintf(env.Err, "ossvault: warning: %d transfers left for a later resume: %s\n", r.left, errorLine(r.leftErr))
	}
	for _, id := range ids {
		q.Resume(id) // one an older run recorded as paused
	}
	if err := waitQueue(ctx, q, m); err != nil {
		return err
	}
	warnDownloaded(env, q, descJobs(q, ids))
	return endQueue(env, q, kept.verb(), m)
}

// waitQueue waits for q's jobs; Ctrl-C stops them, keeping them in the
// journal for the next run.
func waitQueue(ctx context.Context, q *transfer.Queue, m *meter) error {
	stop := closeOnCancel(ctx, q)
	q.Wait()
	stop()
	if ctx.Err() != nil {
		m.abandon()
		return errors.New("interrupted; run the same command again to resume")
	}
	return nil
}

// descJobs are the downloads among q's jobs ids, as far as their names
// tell (for warnDownloaded).
func descJobs(q *transfer.Queue, ids []int) map[int]*transfer.DownloadJob {
	out := make(map[int]*transfer.DownloadJob, len(ids))
	for _, id := range ids {
		d, _ := q.JobDesc(id)
		if s, err := d.Resolve(context.Background(), namesOnly{}); err == nil && s.Download != nil {
			out[id] = s.Download
		}
	}
	return out
}

// namesOnly resolves a description without reaching anything: no store, no
// keys. What it returns serves to name a job, not to run it.
type namesOnly struct{}

func (namesOnly) Store(context.Context, string, string) (transfer.Store, error) { return nil, nil }

func (namesOnly) Wrappers(context.Context, string, []string) ([]envelope.Wrapper, error) {
	return nil, errors.New("no keys")
}

// kept are the command line's jobs in the journal, as resume finds them.
type kept []transfer.JobDesc

// keptJobs lists the command line's jobs in j, without resolving them.
func keptJobs(j *transfer.Journal) (kept, error) {
	recs, err := j.List()
	if err != nil {
		return nil, err
	}
	var out kept
	for _, r := range recs {
		if r.Kind != transfer.KindQueuedUpload && r.Kind != transfer.KindQueuedDownload {
			continue
		}
		var rec transfer.QueuedJob
		if ok, err := j.Load(r.ID, &rec); err != nil || !ok {
			continue
		}
		if d := rec.Desc(); d.Origin == transfer.OriginCLI {
			out = append(out, d)
		}
	}
	return out, nil
}

// verb words what the jobs do, as put's and get's messages do.
func (k kept) verb() string {
	up, down := false, false
	for _, d := range k {
		up, down = up || d.Kind == transfer.JobUpload, down || d.Kind == transfer.JobDownload
	}
	switch {
	case up && down:
		return "transfer"
	case down:
		return "download"
	}
	return "upload"
}

// size is the bytes of the files to upload (a download's size is known
// once it starts).
func (k kept) size() int64 {
	var n int64
	for _, d := range k {
		if fi, err := os.Stat(d.Local); err == nil && d.Kind == transfer.JobUpload {
			n += fi.Size()
		}
	}
	return n
}

// partSize is the part size the uploads not yet begun were asked for (an
// upload under way keeps its own); 0 for the default.
func (k kept) partSize() int64 {
	for _, d := range k {
		if d.Kind == transfer.JobUpload && d.PartSize > 0 {
			return d.PartSize
		}
	}
	return 0
}
