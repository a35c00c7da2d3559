package ui

import (
	"os"
	"sync"
)

// readyFileEnv names a file the app creates once its window shows a folder
// and so takes dropped files. A test driving the real window waits for it
// rather than guessing how long start-up takes. Unset, nothing is written.
const readyFileEnv = "OSSVAULT_READY_FILE"

var readyOnce sync.Once

// signalReady creates the ready file, the first time only.
func signalReady() {
	readyOnce.Do(func() {
		if p := os.Getenv(readyFileEnv); p != "" {
			_ = os.WriteFile(p, nil, 0o600) // the test that asked sees it missing
		}
	})
}
