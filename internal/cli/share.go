package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"
)

func init() {
	register(&command{
		name:    "share",
		args:    "oss://BUCKET/KEY [--expires DURATION]",
		summary: "Prints an expiring link, alone on stdout. Whoever holds the link and the right key opens it with \"ossvault get LINK DEST\", with no OSS account.",
		flags: func(fs *pflag.FlagSet) {
			fs.Duration("expires", 24*time.Hour, "how long the link works, e.g. 30m, 12h, 168h (at most 7 days)")
			connFlags(fs)
		},
		run: runShare,
	})
}

// maxShare is the longest a link may live; OSS caps V4 presigned URLs at
// seven days, and a shorter life limits what a leaked link exposes.
const maxShare = 7 * 24 * time.Hour

func runShare(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("share needs one oss://BUCKET/KEY")
	}
	u, err := parseOSSURL(args[0])
	if err != nil {
		return err
	}
	if u.Key == "" {
		return usagef("share needs an object, not a bucket")
	}
	expires, _ := fs.GetDuration("expires")
	if expires < time.Second || expires > maxShare {
		return usagef("--expires must be between 1s and %v, not %v", maxShare, expires)
	}
	store, err := bucketStore(env, fs, nil, u.Bucket)
	if err != nil {
		return err
	}
	// Signing needs no request; checking first that the object exists
	// spares the recipient a link that can only fail.
	if _, err := store.Head(ctx, u.Key); err != nil {
		return describe(u.String(), err)
	}
	link, err := store.ShareLink(ctx, u.Key, expires)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Out, link)
	return nil
}
