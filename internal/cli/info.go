package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
	"github.com/ossvault/ossvault/transfer"
)

func init() {
	register(&command{
		name:    "info",
		args:    "oss://BUCKET/KEY",
		summary: "Reads the object through and checks it. Prints key: value lines: encrypted, wrap-alg, matdesc, opened-by, size, integrity, signed-by, uploaded-as, uploaded-at, and one recipient line per key the object is locked for.",
		flags: func(fs *pflag.FlagSet) {
			jobsFlag(fs, "ranges")
			connFlags(fs)
		},
		run: runInfo,
	})
}

func runInfo(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("info needs one oss://BUCKET/KEY")
	}
	u, err := parseOSSURL(args[0])
	if err != nil {
		return err
	}
	if u.Key == "" {
		return usagef("info needs an object, not a bucket")
	}
	n, err := jobs(fs)
	if err != nil {
		return err
	}
	v, err := openVault(env)
	if err != nil {
		return err
	}
	store, err := bucketStore(env, fs, v, u.Bucket)
	if err != nil {
		return err
	}
	keys := &keyTracker{v: v}
	down := &transfer.Downloader{Keys: keys, Parts: n}
	res, err := down.Check(ctx, store, u.Key, nil)
	if err != nil && res == nil {
		// Say what is known before the failure (no key: the matdesc).
		if info, herr := store.Head(ctx, u.Key); herr == nil {
			if e, perr := envelope.ParseHeader(info.Header); perr == nil {
				printInfo(env.Out, e, "none", info.Size, "")
				printRecipients(env.Out, v, e)
			}
		}
		return err
	}
	status := res.Integrity.String()
	if errors.Is(err, envelope.ErrIntegrity) {
		status = envelope.Failed.String()
	}
	opened := keys.opened
	if res.Envelope == nil {
		opened = "none"
	}
	printInfo(env.Out, res.Envelope, opened, res.Info.Size, status)
	printSigned(env.Out, v, res.Envelope, err == nil && res.Integrity == envelope.Verified)
	printRecipients(env.Out, v, res.Envelope)
	return err
}

func printInfo(w io.Writer, e *envelope.Envelope, openedBy string, size int64, integrity string) {
	if e == nil {
		fmt.Fprintf(w, "encrypted: no\nwrap-alg: -\nmatdesc: -\nopened-by: none\nsize: %d\n", size)
	} else {
		// The matdesc is JSON as its writer sent it: its own escapes stay
		// as they are (safetext.Line), a raw control character does not.
		md := safetext.Line(e.RawMatDesc)
		if md == "" {
			md = "-"
		}
		if openedBy == "" {
			openedBy = "none"
		}
		fmt.Fprintf(w, "encrypted: yes\nwrap-alg: %s\nmatdesc: %s\nopened-by: %s\nsize: %d\n", safetext.Line(e.WrapAlg), md, openedBy, size)
	}
	if integrity != "" {
		fmt.Fprintf(w, "integrity: %s\n", integrity)
	}
}
