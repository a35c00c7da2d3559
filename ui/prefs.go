package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ossvault/ossvault/internal/atomicfile"
)

// prefsFile is the app's settings file inside OSSVAULT_HOME, so that two
// homes never share settings (Fyne's own preferences live per app ID).
const prefsFile = "app-settings.json"

// Prefs are the desktop app's settings. Keys and accounts are not here: they
// belong to the vault.
type Prefs struct {
	// Language is "" to follow the system, "en" or "zh".
	Language string `json:"language,omitempty"`
	// Parallel is how many transfers run at once (1..8).
	Parallel int `json:"parallel,omitempty"`
	// DownloadDir is where downloads go; "" means the user's Downloads.
	DownloadDir string `json:"download_dir,omitempty"`
	// SetupDone is set when the first-run screens were completed.
	SetupDone bool `json:"setup_done,omitempty"`
	// KeysBackedUp is set when a backup of the keys was saved or restored,
	// and cleared when a key of mine is created or imported after it.
	KeysBackedUp bool `json:"keys_backed_up,omitempty"`
	// CopiesAsked is when the user was last asked to remove the copies
	// made for sharing whose link had expired: only copies expired since
	// are asked about again.
	CopiesAsked time.Time `json:"copies_asked,omitzero"`
	// Groups are saved sets of people to lock files for ("Finance
	// team"), by key name, for "Also for…".
	Groups map[string][]string `json:"groups,omitempty"`
	// ColumnWidths are the file list's column widths the user dragged
	// (every column but the name); nil for the defaults.
	ColumnWidths []float32 `json:"column_widths,omitempty"`
}

const (
	defaultParallel = 3
	maxParallel     = 8
)

func (p Prefs) parallel() int {
	if p.Parallel < 1 || p.Parallel > maxParallel {
		return defaultParallel
	}
	return p.Parallel
}

func (p Prefs) downloadDir() string {
	if p.DownloadDir != "" {
		return p.DownloadDir
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, "Downloads")
	}
	return os.TempDir()
}

// loadPrefs reads the settings; a missing file gives the defaults.
func loadPrefs(home string) (Prefs, error) {
	var p Prefs
	b, err := os.ReadFile(filepath.Join(home, prefsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("failed to read the app settings: %w", err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return Prefs{}, fmt.Errorf("failed to read the app settings in %s: %w", prefsFile, err)
	}
	return p, nil
}

// save writes the settings atomically, so a crash never leaves half a file.
func (p Prefs) save(home string) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("failed to encode the app settings: %w", err)
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return fmt.Errorf("failed to create the settings folder: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(home, prefsFile), append(b, '\n')); err != nil {
		return fmt.Errorf("failed to save the app settings: %w", err)
	}
	return nil
}

// checkWritable tries what a download will do in dir: create a file (then
// remove it). A folder not made yet is checked in its nearest existing
// parent, where the download would make it, so that a mistyped name leaves
// no folder behind.
func checkWritable(dir string) error {
	at := filepath.Clean(dir)
	for {
		fi, err := os.Stat(at)
		if err == nil && fi.IsDir() {
			break
		}
		if err == nil {
			// A file where the folder, or one on its way, would be.
			return inFolder(dir, &fs.PathError{Op: "mkdir", Path: at, Err: syscall.ENOTDIR})
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(at) == at {
			return inFolder(dir, err)
		}
		at = filepath.Dir(at)
	}
	f, err := os.CreateTemp(at, ".ossvault-check-*")
	if err != nil {
		return inFolder(dir, err)
	}
	name := f.Name()
	f.Close()
	return inFolder(dir, os.Remove(name))
}
