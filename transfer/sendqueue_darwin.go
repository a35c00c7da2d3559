package transfer

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// unsentBytes returns how many bytes written to c are still in the
// kernel's send buffer (SO_NWRITE).
func unsentBytes(c net.Conn) (int, bool) {
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
	if err := rc.Control(func(fd uintptr) { q, qerr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_NWRITE) }); err != nil || qerr != nil {
		return 0, false
	}
	return q, true
}
