package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/internal/safetext"
	"github.com/ossvault/ossvault/transfer"
)

func init() {
	register(&command{
		name: "uploads",
		args: "oss://BUCKET [--abort]",
		summary: "Lists the bucket's unfinished multipart uploads that ossvault started, one a line, tab-separated: initiated (RFC 3339), upload id, object key; " +
			"--abort aborts them and says how many. OSS returns no metadata with unfinished uploads, so ossvault's are those this computer's transfer journal " +
			"(this OSSVAULT_HOME) started: interrupted uploads, and those it stopped tracking without managing to abort them. " +
			"Uploads started on another computer or by another client are not listed. An upload another ossvault process is sending is listed and not aborted.",
		flags: func(fs *pflag.FlagSet) {
			fs.Bool("abort", false, "abort the unfinished uploads listed")
			connFlags(fs)
		},
		run: runUploads,
	})
}

func runUploads(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("uploads needs one oss://BUCKET")
	}
	u, err := parseOSSURL(args[0])
	if err != nil {
		return err
	}
	if strings.Trim(u.Key, "/") != "" {
		return usagef("uploads takes a bucket, not an object: oss://%s", safetext.Name(u.Bucket))
	}
	abort, _ := fs.GetBool("abort")
	v, err := openVault(env)
	if err != nil {
		return err
	}
	store, err := bucketStore(env, fs, v, u.Bucket)
	if err != nil {
		return err
	}
	journal, err := openJournal(env)
	if err != nil {
		return err
	}
	own, err := journal.Own(ctx, u.Bucket, store)
	if err != nil {
		return fmt.Errorf("failed to list the unfinished uploads of %s: %w", safetext.Name(u.Bucket), err)
	}
	line := func(o transfer.OwnUpload) {
		fmt.Fprintf(env.Out, "%s\t%s\t%s\n", o.Initiated.UTC().Format(time.RFC3339), safetext.Name(o.UploadID), safetext.Name(o.Key))
	}
	if !abort {
		for _, o := range own {
			line(o)
		}
		return nil
	}
	policy := transfer.DefaultPolicy
	if retryPolicy != nil {
		policy = *retryPolicy
	}
	st := &transfer.Retrying{Store: store, Policy: policy}
	var failed []error
	aborted, running := 0, 0
	for _, o := range own {
		err := journal.AbortOwn(ctx, st, v.JobSecrets(), o)
		switch {
		case errors.Is(err, transfer.ErrRunningElsewhere):
			running++
		case err != nil:
			failed = append(failed, err)
		default:
			aborted++
			line(o)
		}
	}
	fmt.Fprintf(env.Err, "aborted %s\n", plural(aborted, "unfinished upload"))
	if running > 0 {
		fmt.Fprintf(env.Err, "ossvault: left %s alone: %v\n", plural(running, "upload"), transfer.ErrRunningElsewhere)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w (%d of %d unfinished uploads not aborted)", failed[0], len(failed), len(own))
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
