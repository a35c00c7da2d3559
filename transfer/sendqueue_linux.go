package transfer

import (
	"net"

	"golang.org/x/sys/unix"
)

// unsentBytes returns how many bytes written to c the kernel has not yet
// had acknowledged by the peer (SIOCOUTQ).
func unsentBytes(c net.Conn) (int, bool) {
	return sockInt(c, func(fd int) (int, error) { return unix.IoctlGetInt(fd, unix.SIOCOUTQ) })
}
