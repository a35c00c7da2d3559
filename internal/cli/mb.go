package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/internal/safetext"
)

func init() {
	register(&command{
		name:    "mb",
		args:    "oss://BUCKET",
		summary: "Creates a bucket.",
		flags:   connFlags,
		run:     runMb,
	})
}

func runMb(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("mb needs one oss://BUCKET")
	}
	u, err := parseOSSURL(args[0])
	if err != nil {
		return err
	}
	if strings.Trim(u.Key, "/") != "" {
		return usagef("mb takes a bucket, not an object: oss://%s", safetext.Name(u.Bucket))
	}
	svc, err := connect(env, fs, nil)
	if err != nil {
		return err
	}
	if err := svc.CreateBucket(ctx, u.Bucket); err != nil {
		return fmt.Errorf("failed to create the bucket %s: %w", safetext.Name(u.Bucket), err)
	}
	return nil
}
