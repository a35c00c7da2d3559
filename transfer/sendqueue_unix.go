//go:build linux || darwin

package transfer

import (
	"net"
	"syscall"
)

// sockInt reads an integer about c's socket with get (an ioctl or a
// getsockopt), or reports false when c has no socket or get fails.
func sockInt(c net.Conn, get func(fd int) (int, error)) (int, bool) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var q int
	var qerr error
	if err := rc.Control(func(fd uintptr) { q, qerr = get(int(fd)) }); err != nil || qerr != nil {
		return 0, false
	}
	return q, true
}
