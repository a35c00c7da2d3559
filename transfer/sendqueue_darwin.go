package transfer

import (
	"net"

	"golang.org/x/sys/unix"
)

// unsentBytes returns how many bytes written to c are still in the
// kernel's send buffer (SO_NWRITE).
func unsentBytes(c net.Conn) (int, bool) {
	return sockInt(c, func(fd int) (int, error) { return unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NWRITE) })
}
