package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// fileState is what tells whether a file changed: its size, its
// modification time and a hash of a few sampled blocks (which catches an
// in-place rewrite that restored the modification time).
type fileState struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	Sample  string `json:"sample"`
}

const (
	sampleBlocks    = 8
	sampleBlockSize = 4096
)

// statFile reads f's state.
func statFile(f *os.File) (fileState, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileState{}, fmt.Errorf("failed to read the file's details: %w", err)
	}
	st := fileState{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	h := sha256.New()
	buf := make([]byte, sampleBlockSize)
	for i := int64(0); i < sampleBlocks; i++ {
		var off int64
		if st.Size > sampleBlockSize {
			off = (st.Size - sampleBlockSize) * i / (sampleBlocks - 1)
		}
		n, err := f.ReadAt(buf, off)
		if err != nil && err != io.EOF {
			return fileState{}, fmt.Errorf("failed to read the file: %w", err)
		}
		h.Write(buf[:n])
	}
	st.Sample = hex.EncodeToString(h.Sum(nil))
	return st, nil
}

// unchanged returns ErrSourceChanged if f no longer has state st.
func unchanged(f *os.File, st fileState) error {
	now, err := statFile(f)
	if err != nil {
		return err
	}
	if now != st {
		return ErrSourceChanged
	}
	return nil
}

// quickUnchanged is unchanged without the sample: cheap enough to run
// before every part.
func quickUnchanged(f *os.File, st fileState) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("failed to read the file's details: %w", err)
	}
	if fi.Size() != st.Size || fi.ModTime().UnixNano() != st.ModTime {
		return ErrSourceChanged
	}
	return nil
}
