package app

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/ossvault/ossvault/transfer"
)

// A file system's error is never the network's, though a bare errno has
// a net.Error's methods; a folder inside a file is a folder that cannot be
// written.
func TestLocalErrorsAreNotTheNetwork(t *testing.T) {
	notDir := &os.PathError{Op: "stat", Path: "/home/a/notes.txt/Downloads", Err: syscall.ENOTDIR}
	for _, tc := range []struct {
		name string
		err  error
		want Cause
	}{
		{"a folder inside a file", InFolder("/home/a/notes.txt/Downloads", notDir), ReadOnlyFolder},
		{"an errno of the disk", fmt.Errorf("read: %w", &os.PathError{Op: "read", Path: "/x", Err: syscall.EIO}), Unknown},
		{"a bare errno", syscall.EIO, Unknown},
		{"a network's errno", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, Unreachable},
	} {
		if got := CauseOf(tc.err); got != tc.want {
			t.Errorf("%s: CauseOf(%v) = %d, want %d", tc.name, tc.err, got, tc.want)
		}
	}
}

// Retry is offered where it may help: not for a link the storage refused
// for its signature, which a new try meets the same way.
func TestRetryHelps(t *testing.T) {
	refused := &LinkError{Err: &transfer.RemoteError{Op: "GetObject", Status: 403, Code: "SignatureDoesNotMatch"}}
	if retryHelps(refused) {
		t.Errorf("Retry offered for a damaged link")
	}
	if retryHelps(&LinkError{Err: fmt.Errorf("%w", transfer.ErrLinkExpired)}) {
		t.Errorf("Retry offered for an expired link")
	}
	if !retryHelps(&LinkError{Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("timeout")}}) {
		t.Errorf("Retry not offered for a link the network failed")
	}
}
