package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/transfer"
)

// localStoreConn makes c, the connection to the desktop app's own store
// (vault.Account.IsLocalStore), safe against another program on its saved
// port: the app's store must prove it holds the access key before anything
// is sent, once now for a plain answer and then on every connection the
// SDK opens, since the app may quit and the port change hands while a
// command runs.
func localStoreConn(c transfer.Conn) (transfer.Conn, error) {
	d := osslocal.HelloDialer{AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret}
	host := c.Endpoint
	if u, err := url.Parse(c.Endpoint); err == nil {
		host = u.Host
	}
	conn, err := d.DialContext(context.Background(), "tcp", host)
	if err != nil {
		return transfer.Conn{}, localStoreError(host, err)
	}
	conn.Close()
	c.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if errors.Is(err, osslocal.ErrImpostor) {
			return nil, transfer.Permanent(localStoreError(addr, err))
		}
		return conn, err
	}
	return c, nil
}

// localStoreError words a failed hello with the app's store at addr.
func localStoreError(addr string, err error) error {
	switch {
	case errors.Is(err, osslocal.ErrImpostor):
		return fmt.Errorf("another program is answering on This computer's address (%s) instead of the ossvault app, so nothing was sent to it; opening the app moves This computer to a free address: %w", addr, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("nothing answers on This computer's address (%s): open the ossvault app, which keeps that storage, and try again: %w", addr, err)
	}
	return fmt.Errorf("failed to reach This computer's storage at %s: %w", addr, err)
}
