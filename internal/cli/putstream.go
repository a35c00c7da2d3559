package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/transfer"
)

// stdinSource is the PATH that names standard input.
const stdinSource = "-"

// runPutStream is `put - oss://BUCKET/KEY`: standard input, read once,
// encrypted and sent as it arrives, its size unknown until it ends. Parts
// are DefaultStreamPartSize unless --part-size says otherwise, and the
// part size bounds the stream (transfer.MaxStreamSize). There is no
// resume: an interrupted stream is aborted on the server and must be
// sent again; a killed one is listed by `ossvault uploads`.
func runPutStream(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 2 {
		return usagef("- (standard input) must be the only PATH")
	}
	if r, _ := fs.GetBool("recursive"); r {
		return usagef("-r does not apply to standard input")
	}
	target, err := parseOSSURL(args[1])
	if err != nil {
		return err
	}
	if target.Key == "" || strings.HasSuffix(target.Key, "/") {
		return usagef("standard input needs an object name, not the folder %s", target.shown())
	}
	partSize := int64(transfer.DefaultStreamPartSize)
	if fs.Changed("part-size") {
		partSize, _ = fs.GetInt64("part-size")
	}
	if err := transfer.CheckPartSize(partSize); err != nil {
		return usagef("--part-size: %v", err)
	}
	n, err := jobs(fs)
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
	store, err := bucketStore(env, fs, v, target.Bucket)
	if err != nil {
		return err
	}
	// Standard input is not read at all when its target is skipped.
	if items, err := skipExisting(ctx, env, fs, store, target.Bucket, []putItem{{src: stdinSource, key: target.Key}}); err != nil || len(items) == 0 {
		return err
	}
	signer, err := v.SigningKey()
	if err != nil {
		return err
	}
	// Nothing could resume a stream: the upload aborts its own multipart
	// upload when it fails. The journal only notes that upload while it
	// runs, so that `ossvault uploads` lists it if this process is killed.
	journal, err := openJournal(env)
	if err != nil {
		return err
	}
	up := &transfer.Uploader{Store: store, Journal: journal, PartSize: partSize, Parts: n, Policy: retryPolicy, Signer: signer}
	m := newMeter(env, fs, -1, "uploading")
	job := transfer.UploadJob{Source: "standard input", Bucket: target.Bucket, Key: target.Key, Wrappers: wrappers}
	err = up.UploadStream(ctx, env.In, job, func(done, _ int64) { m.set(0, done, 0) })
	if err != nil {
		m.abandon()
		if ctx.Err() != nil && errors.Is(err, transfer.ErrStreamNotStored) {
			return fmt.Errorf("interrupted: the upload of standard input was abandoned and %w", transfer.ErrStreamNotStored)
		}
		return err
	}
	m.finish()
	return nil
}
