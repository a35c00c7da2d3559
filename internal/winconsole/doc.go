// Package winconsole lets the Windows build of ossvault, which is linked as a
// GUI program (-H=windowsgui) so that double-clicking it opens no console
// window, still print when it is run from a console: `ossvault --version`
// or `ossvault ls` typed in cmd.exe or PowerShell.
//
// Importing the package for its side effect is all it takes:
//
//	import _ "github.com/ossvault/ossvault/internal/winconsole"
//
// On Windows, its init attaches the process to its parent's console
// (AttachConsole(ATTACH_PARENT_PROCESS)) when standard output or standard
// error has no handle, and points os.Stdout / os.Stderr at that console.
// Handles that exist (output redirected to a file or a pipe) are left alone,
// and a process started from Explorer has no parent console, so nothing
// changes there. Standard input is never taken: the shell that started a GUI
// program does not wait for it and keeps reading the keyboard itself.
//
// On every other system the package does nothing.
package winconsole
