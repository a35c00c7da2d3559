package cli

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

func init() {
	register(&command{
		name:    "get",
		args:    "SOURCE DEST [--range START-END [--verify]] [--verified-only] [--jobs N]",
		summary: "Downloads and decrypts oss://BUCKET/KEY, or a link printed by share, into DEST (a file or a folder). Resumes after an interruption. An object that is not encrypted is saved as-is with a warning.",
		flags: func(fs *pflag.FlagSet) {
			fs.String("range", "", "write only plaintext bytes `START-END` (inclusive; -N: the last N bytes)")
			fs.Bool("verify", false, "with --range: check the object's integrity, reading the whole object")
			fs.Bool("verified-only", false, "refuse (exit 4, nothing written) anything that does not verify, plaintext and other clients' objects included")
			jobsFlag(fs, "ranges of a file")
			progressFlag(fs)
			connFlags(fs)
		},
		run: runGet,
	})
}

func runGet(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 2 {
		return usagef("get needs SOURCE and DEST")
	}
	src, dest := args[0], args[1]
	rng, err := parseRange(fs)
	if err != nil {
		return err
	}
	n, err := jobs(fs)
	if err != nil {
		return err
	}
	v, err := openVault(env)
	if err != nil {
		return err
	}
	journal, err := openJournal(env)
	if err != nil {
		return err
	}
	verify, _ := fs.GetBool("verify")
	verifiedOnly, _ := fs.GetBool("verified-only")
	if verify && rng == nil {
		return usagef("--verify goes with --range (a whole object is always checked)")
	}
	down := &transfer.Downloader{Journal: journal, Keys: v, Parts: n, RequireVerified: verifiedOnly}
	up := &transfer.Uploader{Journal: journal, Secrets: v.JobSecrets()}
	specs, err := planGet(ctx, env, fs, v, src, dest, rng, verify)
	if err != nil {
		return err
	}
	r := newResolver(env, fs, v)
	q := cliQueue(up, down, n, journal, r)
	for _, s := range specs {
		if st, ok := s.Source.(transfer.Store); ok {
			r.seed(flagAccount(fs), bucketOf(s), st, "", nil, nil)
		}
	}

	m := newMeter(env, fs, 0, "downloading")
	defer q.Subscribe(m.event)()
	byID := make(map[int]*transfer.DownloadJob, len(specs))
	for _, s := range specs {
		id, err := q.AddJob(ctx, getDesc(fs, src, s, verifiedOnly))
		if err != nil {
			q.Close()
			return err
		}
		byID[id] = s
	}
	if err := waitQueue(ctx, q, m); err != nil {
		return err
	}
	warnDownloaded(env, q, byID)
	return queueErrors(env, q, "download", m, nil)
}

// getDesc describes download s of SOURCE src by names.
func getDesc(fs *pflag.FlagSet, src string, s *transfer.DownloadJob, verifiedOnly bool) transfer.JobDesc {
	d := transfer.JobDesc{Kind: transfer.JobDownload, Local: s.Dest, Root: s.Root, RequireVerified: verifiedOnly,
		Range: s.Range, VerifyRange: s.VerifyRange, Origin: transfer.OriginCLI}
	if _, ok := s.Source.(*transfer.Link); ok {
		d.Link = src
		return d
	}
	d.Account, d.Bucket, d.Key = flagAccount(fs), bucketOf(s), s.Key
	return d
}

// bucketOf is the bucket of a download from oss://BUCKET/KEY.
func bucketOf(s *transfer.DownloadJob) string {
	b, _, _ := strings.Cut(strings.TrimPrefix(s.SourceID, "oss://"), "/")
	return b
}

// planGet turns SOURCE (a shared link, an object or a folder) into the
// downloads that write it under DEST.
func planGet(ctx context.Context, env *Env, fs *pflag.FlagSet, v *vault.Vault, src, dest string, rng *transfer.ByteRange, verify bool) ([]*transfer.DownloadJob, error) {
	if strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://") {
		link, err := transfer.ParseLink(src)
		if err != nil {
			return nil, usagef("%v", err)
		}
		if err := transfer.CheckEndpoint(link.URL.Scheme + "://" + link.URL.Host); err != nil {
			return nil, err
		}
		d, err := destFile(dest, link.ObjectName())
		if err != nil {
			return nil, err
		}
		return []*transfer.DownloadJob{{Source: link, SourceID: link.ID(), Dest: d, Range: rng, VerifyRange: verify}}, nil
	}
	u, err := parseOSSURL(src)
	if err != nil {
		return nil, err
	}
	store, err := bucketStore(env, fs, v, u.Bucket)
	if err != nil {
		return nil, err
	}
	if u.Key == "" || strings.HasSuffix(u.Key, "/") {
		if rng != nil {
			return nil, usagef("--range needs a single object, not a folder")
		}
		return planPrefix(ctx, store, u, dest)
	}
	d, err := destFile(dest, path.Base(u.Key))
	if err != nil {
		return nil, err
	}
	return []*transfer.DownloadJob{{Source: store, SourceID: u.String(), Key: u.Key, Dest: d, Range: rng, VerifyRange: verify}}, nil
}

// warnDownloaded tells, for each finished download, what it could not
// vouch for: plaintext saved as-is, a range not checked, another client's
// object without a MAC, a signed object read under another name than its
// writer bound.
func warnDownloaded(env *Env, q *transfer.Queue, byID map[int]*transfer.DownloadJob) {
	for _, e := range q.Jobs() {
		if e.State != transfer.Done || e.Result == nil {
			continue
		}
		switch {
		case !e.Result.Encrypted():
			fmt.Fprintf(env.Err, "ossvault: warning: %s was not encrypted by a client; saved as-is\n", safetext.Path(e.Name))
		case e.Result.RangeUnchecked:
			fmt.Fprintf(env.Err, "ossvault: warning: range not verified: %s %s; use --verify to check the whole object\n", safetext.Path(byID[e.Job].SourceID), e.Result.RangeWhy)
		case e.Result.Integrity == envelope.Unverified:
			fmt.Fprintf(env.Err, "ossvault: warning: %s was written by another client and carries no integrity check\n", safetext.Path(e.Name))
		}
		renamedWarning(env, byID[e.Job], e.Result)
	}
}

// destFile resolves DEST: an existing folder, or a path ending in a
// separator, receives the object under its own name.
func destFile(dest, name string) (string, error) {
	if strings.HasSuffix(dest, "/") || strings.HasSuffix(dest, string(filepath.Separator)) {
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return "", fmt.Errorf("failed to create the folder %s: %w", safetext.Path(dest), err)
		}
		return filepath.Join(dest, name), nil
	}
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		return filepath.Join(dest, name), nil
	}
	return dest, nil
}

// planPrefix lists every object under a folder and maps it into dest,
// refusing the whole folder if any object name is unsafe as a file name.
func planPrefix(ctx context.Context, store transfer.Bucket, u ossURL, dest string) ([]*transfer.DownloadJob, error) {
	files, err := transfer.PlanFolder(ctx, store, u.Key, dest)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("nothing found under %s", u.shown())
	}
	// DEST itself is the user's to name, a link included; every folder
	// below it is made by the download, confined to DEST (Root).
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, fmt.Errorf("failed to create the folder %s: %w", dest, err)
	}
	specs := make([]*transfer.DownloadJob, 0, len(files))
	for _, f := range files {
		specs = append(specs, &transfer.DownloadJob{Source: store, SourceID: "oss://" + store.Name() + "/" + f.Key, Key: f.Key, Dest: f.Local, Root: dest})
	}
	return specs, nil
}

// parseRange reads --range: START-END, START- or -N.
func parseRange(fs *pflag.FlagSet) (*transfer.ByteRange, error) {
	s, _ := fs.GetString("range")
	if s == "" {
		return nil, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return nil, usagef("--range %q: use START-END, START- or -N", s)
	}
	num := func(x string) (int64, error) {
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil || n < 0 {
			return 0, usagef("--range %q: %q is not a byte offset", s, x)
		}
		return n, nil
	}
	if a == "" {
		n, err := num(b)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, usagef("--range %q selects no bytes", s)
		}
		return &transfer.ByteRange{Suffix: n}, nil
	}
	start, err := num(a)
	if err != nil {
		return nil, err
	}
	if b == "" {
		return &transfer.ByteRange{Start: start, End: -1}, nil
	}
	end, err := num(b)
	if err != nil {
		return nil, err
	}
	if end < start {
		return nil, usagef("--range %q ends before it starts", s)
	}
	return &transfer.ByteRange{Start: start, End: end}, nil
}
