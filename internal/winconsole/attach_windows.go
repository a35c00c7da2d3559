//go:build windows

package winconsole

import (
	"os"
	"syscall"
)

// attachParentProcess is ATTACH_PARENT_PROCESS, (DWORD)-1.
const attachParentProcess = ^uint32(0)

var procAttachConsole = syscall.NewLazyDLL("kernel32.dll").NewProc("AttachConsole")

// The attachment has to happen before anything writes, and the command line
// takes os.Stdout and os.Stderr when main starts, hence init.
func init() {
	outOK := hasHandle(syscall.STD_OUTPUT_HANDLE)
	errOK := hasHandle(syscall.STD_ERROR_HANDLE)
	if outOK && errOK {
		return
	}
	if r, _, _ := procAttachConsole.Call(uintptr(attachParentProcess)); r == 0 {
		// No parent console (started from Explorer or a service): stay silent
		// as a GUI program should.
		return
	}
	con, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	if !outOK {
		os.Stdout = con
	}
	if !errOK {
		os.Stderr = con
	}
}

// hasHandle reports whether the standard handle std refers to something: a
// GUI program started from a console gets none (0), one whose output was
// redirected gets the file or pipe.
func hasHandle(std int) bool {
	h, err := syscall.GetStdHandle(std)
	return err == nil && h != 0 && h != syscall.InvalidHandle
}
