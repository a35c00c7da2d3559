package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"time"

	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/internal/osslocal"
)

func init() {
	register(&command{
		name:    "serve-local",
		args:    "--dir DIR [--addr HOST:PORT] [--allow-remote]",
		summary: "Runs the OSS-compatible endpoint in the foreground, storing in DIR.",
		flags: func(fs *pflag.FlagSet) {
			fs.String("dir", "", "store buckets and objects in `DIR`")
			fs.String("addr", "127.0.0.1:0", "listen on `HOST:PORT` (port 0 picks a free one); only loopback addresses unless --allow-remote")
			fs.Bool("allow-remote", false, "allow an --addr beyond this computer (every interface, a LAN address): the endpoint speaks plain http")
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
	allowRemote, _ := fs.GetBool("allow-remote")
	// An address that is plainly not loopback is refused before anything
	// listens on it; a host name is checked once it is bound, below.
	if err := checkLoopbackAddr(addr, allowRemote); err != nil {
		return err
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
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("failed to listen on %s: %w", addr, err)
	}
	// What was bound decides, whatever the address said: a host name can
	// resolve to a LAN address. Nothing has been served on it yet.
	if bound, ok := ln.Addr().(*net.TCPAddr); !ok || !bound.IP.IsLoopback() {
		if !allowRemote {
			ln.Close()
			return remoteRefused(addr)
		}
		fmt.Fprintf(env.Err, "ossvault: warning: serving plain http on %s, beyond this computer (--allow-remote): anyone on the network can read the requests, their signatures and the objects with their envelopes\n", ln.Addr())
	}
	url, err := srv.StartOn(ln)
	if err != nil {
		ln.Close()
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

// checkLoopbackAddr refuses, unless allowRemote, an address whose host is
// empty (every interface, as in ":8080") or an IP literal that is not
// loopback (0.0.0.0, [::], a LAN address). The endpoint speaks plain http,
// so anyone who can reach it reads every request and object. Host names
// ("localhost") pass here and are judged by the address they bind.
func checkLoopbackAddr(addr string, allowRemote bool) error {
	if allowRemote {
		return nil
	}
	if addr == "" {
		return remoteRefused(`""`) // net.Listen takes it for every interface
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil // not an address: listening fails and says so, as it always did
	}
	if host == "" {
		return remoteRefused(addr)
	}
	if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() {
		return remoteRefused(addr)
	}
	return nil
}

func remoteRefused(addr string) error {
	return usagef("serve-local: %s is reachable beyond this computer and the endpoint speaks plain http, so it listens there only with --allow-remote", addr)
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
