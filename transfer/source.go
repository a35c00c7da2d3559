package transfer

import (
	"fmt"
	"io/fs"
)

// fileState is what tells whether a file changed: its size and its
// modification time. Sample is a hash of sampled blocks that records of
// earlier versions carry; those versions read the file twice, and a
// record with a sample no longer matches, so its upload starts over.
type fileState struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	Sample  string `json:"sample,omitempty"`
}

// statUpload reads f's state. It reads none of the content: an upload
// reads each byte of the file once, and what it sends is what it
// authenticated, so sampled blocks read ahead would buy nothing.
func statUpload(f interface{ Stat() (fs.FileInfo, error) }) (fileState, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileState{}, fmt.Errorf("failed to read the file's details: %w", err)
	}
	return fileState{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}, nil
}

// quickUnchanged returns ErrSourceChanged if f no longer has the size and
// modification time of st: cheap enough to run before every part.
func quickUnchanged(f interface{ Stat() (fs.FileInfo, error) }, st fileState) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("failed to read the file's details: %w", err)
	}
	if fi.Size() != st.Size || fi.ModTime().UnixNano() != st.ModTime {
		return ErrSourceChanged
	}
	return nil
}
