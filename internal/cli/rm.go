package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/transfer"
)

func init() {
	register(&command{
		name:    "rm",
		args:    "oss://BUCKET/KEY [-r]",
		summary: "Deletes an object; with -r, every object under a prefix.",
		flags: func(fs *pflag.FlagSet) {
			fs.BoolP("recursive", "r", false, "delete every object under the prefix")
			connFlags(fs)
		},
		run: runRm,
	})
}

func runRm(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("rm needs one oss://BUCKET/KEY")
	}
	u, err := parseOSSURL(args[0])
	if err != nil {
		return err
	}
	recursive, _ := fs.GetBool("recursive")
	if !recursive && (u.Key == "" || strings.HasSuffix(u.Key, "/")) {
		return usagef("%s is a folder; use -r to delete everything in it", u.shown())
	}
	store, err := bucketStore(env, fs, nil, u.Bucket)
	if err != nil {
		return err
	}
	if !recursive {
		// DeleteObject succeeds on a missing key; say so instead.
		if _, err := store.Head(ctx, u.Key); err != nil {
			return describe(u.String(), err)
		}
		if err := store.Delete(ctx, u.Key); err != nil {
			return describe(u.String(), err)
		}
		// A table left behind is harmless (transfer.DeleteLeaves).
		_ = transfer.DeleteLeaves(ctx, store, u.Key)
		return nil
	}
	var batch []string
	total := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		deleted, err := store.DeleteMany(ctx, batch)
		total += len(deleted)
		batch = batch[:0]
		return err
	}
	list := func(prefix string) error {
		return store.List(ctx, prefix, true, func(e transfer.Entry) error {
			batch = append(batch, e.Key)
			if len(batch) == 1000 {
				return flush()
			}
			return nil
		})
	}
	err = list(u.Key)
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("failed after deleting %d objects: %w", total, err)
	}
	if total == 0 {
		return fmt.Errorf("nothing found under %s", u.shown())
	}
	// The leaf tables of what was deleted, uncounted and best effort: a
	// table left behind is harmless (transfer.DeleteLeaves).
	if lp := transfer.LeavesPrefix(u.Key); lp != "" {
		if list(lp) == nil {
			_ = flush()
		}
	}
	return nil
}
