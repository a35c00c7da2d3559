package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/internal/osslocal"
)

func init() {
	register(&command{
		name:    "serve-local",
		args:    "--dir DIR [--addr HOST:PORT]",
		summary: "Runs the OSS-compatible endpoint in the foreground, storing in DIR.",
		flags: func(fs *pflag.FlagSet) {
			fs.String("dir", "", "store buckets and objects in `DIR`")
			fs.String("addr", "127.0.0.1:0", "listen on `HOST:PORT` (port 0 picks a free one)")
		},
		run: runServeLocal,
	})
}

// shutdownGrace is how long requests in flight may take to finish after
// SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

func runServeLocal(ctx context.Context, env *Env, fs *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("serve-local: unexpected argument %q", args[0])
	}
	dir, _ := fs.GetString("dir")
	addr, _ := fs.GetString("addr")
	if dir == "" {
		return usagef("serve-local: --dir is required")
	}
	cred, generated, err := serveLocalCredential(env)
	if err != nil {
		return err
	}
	store, err := osslocal.NewDiskStore(dir)
	if err != nil {
		return fmt.Errorf("failed to open the store: %w", err)
	}
	srv, err := osslocal.New(osslocal.Options{
		Store:       store,
		Credentials: []osslocal.Credential{cred},
		Logger:      osslocal.JSONLogger(env.Err),
	})
	if err != nil {
		return err
	}
	url, err := srv.Start(addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "listening on %s\n", url)
	if generated {
		fmt.Fprintf(env.Out, "access-key-id: %s\naccess-key-secret: %s\n", cred.AccessKeyID, cred.AccessKeySecret)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("failed to shut down cleanly: %w", err)
	}
	return nil
}

// serveLocalCredential takes the key from OSS_ACCESS_KEY_ID and
// OSS_ACCESS_KEY_SECRET, or makes a random one.
func serveLocalCredential(env *Env) (osslocal.Credential, bool, error) {
	id, secret := env.Getenv("OSS_ACCESS_KEY_ID"), env.Getenv("OSS_ACCESS_KEY_SECRET")
	switch {
	case id != "" && secret != "":
		return osslocal.Credential{AccessKeyID: id, AccessKeySecret: secret}, false, nil
	case id != "" || secret != "":
		return osslocal.Credential{}, false, usagef("serve-local: set both OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET, or neither")
	}
	return osslocal.Credential{AccessKeyID: "LTAI" + randomToken(16), AccessKeySecret: randomToken(30)}, true, nil
}

// randomToken returns n random characters from [A-Za-z0-9].
func randomToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, n)
	buf := make([]byte, 1)
	for i := 0; i < n; {
		rand.Read(buf)
		// Rejection sampling keeps every character equally likely.
		if int(buf[0]) < 256-256%len(alphabet) {
			out[i] = alphabet[int(buf[0])%len(alphabet)]
			i++
		}
	}
	return string(out)
}
