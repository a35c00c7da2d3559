package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

func init() {
	register(&command{
		name:    "ls",
		args:    "oss://BUCKET[/PREFIX]",
		summary: "Lists objects, one a line, tab-separated: size, modified (RFC 3339), the key name that opens it (- if not encrypted, none if no local key does), object key. Folders end in /.",
		flags:   connFlags,
		run:     runLs,
	})
}

// lsPage is how many entries are described (one HEAD each) at once.
const lsPage = 200

func runLs(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("ls needs one oss://BUCKET[/PREFIX]")
	}
	u, err := parseOSSURL(args[0])
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
	var page []transfer.Entry
	flush := func() error {
		lines, err := describeEntries(ctx, store, v, page)
		if err != nil {
			return err
		}
		for _, l := range lines {
			fmt.Fprintln(env.Out, l)
		}
		page = page[:0]
		return nil
	}
	err = store.List(ctx, u.Key, false, func(e transfer.Entry) error {
		if transfer.IsInternalKey(e.Key) {
			return nil // ossvault's own leaf tables, not the user's
		}
		page = append(page, e)
		if len(page) == lsPage {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// describeEntries formats entries, reading each object's envelope (HEAD,
// eight at once) to name the key that opens it.
func describeEntries(ctx context.Context, store transfer.Bucket, v *vault.Vault, entries []transfer.Entry) ([]string, error) {
	lines := make([]string, len(entries))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, e := range entries {
		if e.Folder {
			lines[i] = "-\t-\t-\t" + safetext.Name(e.Key)
			continue
		}
		g.Go(func() error {
			keyName := "-"
			info, err := store.Head(gctx, e.Key)
			if err != nil {
				switch {
				case errors.Is(err, transfer.ErrNoSuchObject):
					keyName = "?" // deleted since the listing
				case errors.Is(err, transfer.ErrDamaged):
					// A local store's copy that cannot be read: shown,
					// so that it is not taken for gone.
					keyName = "damaged"
				default:
					return err
				}
			} else if env, err := envelope.ParseHeader(info.Header); err == nil {
				keyName = "none"
				if k, ok := v.KeyFor(env); ok {
					keyName = k.Name
				}
			} else if !errors.Is(err, envelope.ErrNotEncrypted) {
				keyName = "none"
			}
			// Escaped, a key holds no tab or line break: one entry, one line
			// of four columns.
			lines[i] = strconv.FormatInt(e.Size, 10) + "\t" + e.LastModified.UTC().Format(time.RFC3339) + "\t" + safetext.Name(keyName) + "\t" + safetext.Name(e.Key)
			return nil
		})
	}
	return lines, g.Wait()
}
