package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/transfer"
)

// skipExisting drops, with --no-clobber, the items whose object already
// exists, with a line each on standard error. The check is a HEAD per
// target just before the upload; an object another client writes in
// between is not replaced either, since the uploads then ask the server
// not to (transfer.UploadJob.NoOverwrite), and skipTakenMeanwhile says so.
func skipExisting(ctx context.Context, env *Env, fs *pflag.FlagSet, st transfer.Reader, bucket string, items []putItem) ([]putItem, error) {
	if on, _ := fs.GetBool("no-clobber"); !on {
		return items, nil
	}
	kept := items[:0]
	for _, it := range items {
		exists, err := objectExists(ctx, st, it.key)
		if err != nil {
			return nil, err
		}
		if exists {
			fmt.Fprintf(env.Err, "ossvault: skipped %s: it already exists\n", ossURL{Bucket: bucket, Key: it.key}.shown())
			continue
		}
		kept = append(kept, it)
	}
	return kept, nil
}

// objectExists asks whether key is stored, retrying as uploads do.
func objectExists(ctx context.Context, st transfer.Reader, key string) (bool, error) {
	p := transfer.DefaultPolicy
	if retryPolicy != nil {
		p = *retryPolicy
	}
	err := p.Do(ctx, func() error {
		_, err := st.Head(ctx, key)
		return err
	})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, transfer.ErrNoSuchObject):
		return false, nil
	}
	return false, fmt.Errorf("failed to check whether %s exists: %w", key, err)
}

// skipTakenMeanwhile reports, a line each, the uploads the server refused
// because their name was taken after skipExisting looked (--no-clobber),
// and returns them, so that queueErrors does not count them.
func skipTakenMeanwhile(env *Env, q *transfer.Queue) map[int]bool {
	skipped := map[int]bool{}
	for _, e := range q.Jobs() {
		if e.State == transfer.Failed && errors.Is(e.Err, transfer.ErrExists) {
			d, _ := q.JobDesc(e.Job)
			fmt.Fprintf(env.Err, "ossvault: skipped %s: it already exists\n", ossURL{Bucket: d.Bucket, Key: d.Key}.shown())
			skipped[e.Job] = true
		}
	}
	return skipped
}
