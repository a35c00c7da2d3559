package transfer

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/ossvault/ossvault/envelope"
)

// ErrPartialChanged is wrapped by the error of a download whose temporary
// file no longer held the bytes that were checked when it was about to be
// renamed into place: another program wrote to it or put another file
// under its name. It wraps envelope.ErrIntegrity, so that the command line
// exits 4 and nothing is saved, as for an altered object.
var ErrPartialChanged = fmt.Errorf("the partial download was changed by another program: %w", envelope.ErrIntegrity)

type partialChangedError struct{ detail string }

func (e partialChangedError) Error() string {
	return "the partial download was changed by another program before it was moved into place (" + e.detail + "), so nothing was saved"
}

func (e partialChangedError) Unwrap() error { return ErrPartialChanged }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// writtenSums remembers a CRC-32C of every run of bytes a download wrote to
// (or, for ranges of an earlier run, re-read from) its temporary file, so
// that the finished file can be read once more and compared before it gets
// its name. The bytes were checked against the object's MAC as they went
// by; what the check at the end guards against is another program of the
// user (a sync client, an indexer, an editor) writing to the hidden file in
// the meantime. A CRC, not the MAC again, because the MAC would have to
// re-encrypt and re-hash the whole file (about 0.65 s of CPU per GiB here,
// against 0.05 s for CRC-32C with the SSE4.2 instruction), and a writer
// that forges a CRC on purpose could as well replace the finished file.
//
// Pieces of one span arrive in order, so a write that starts where a run
// ends extends that run: a span costs one entry, whatever its piece size.
type writtenSums struct {
	mu   sync.Mutex
	runs map[int64]*sumRun // keyed by the object offset just past the run
}

type sumRun struct {
	start, end int64 // object offsets, end exclusive
	crc        uint32
}

func newWrittenSums() *writtenSums { return &writtenSums{runs: make(map[int64]*sumRun)} }

// add records p, written at object offset off.
func (s *writtenSums) add(off int64, p []byte) {
	if len(p) == 0 {
		return
	}
	s.mu.Lock()
	r := s.runs[off]
	if r != nil {
		delete(s.runs, off)
	} else {
		r = &sumRun{start: off, end: off}
	}
	s.mu.Unlock()
	// The CRC of a run is only ever extended by the one goroutine writing
	// its span, so it is computed outside the lock.
	r.crc = crc32.Update(r.crc, castagnoli, p)
	r.end = off + int64(len(p))
	s.mu.Lock()
	s.runs[r.end] = r
	s.mu.Unlock()
}

// size is how many bytes check reads.
func (s *writtenSums) size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, r := range s.runs {
		n += r.end - r.start
	}
	return n
}

// check reads every recorded run from f, whose byte 0 is object offset
// base, and fails with ErrPartialChanged if one no longer matches. It
// counts what it read in m.
func (s *writtenSums) check(f io.ReaderAt, base int64, m *phaseMeter) error {
	s.mu.Lock()
	runs := make([]*sumRun, 0, len(s.runs))
	for _, r := range s.runs {
		runs = append(runs, r)
	}
	s.mu.Unlock()
	sort.Slice(runs, func(i, j int) bool { return runs[i].start < runs[j].start })
	bp := getPiece(1 << 20)
	defer piecePool.Put(bp)
	buf := *bp
	for _, r := range runs {
		var crc uint32
		for off := r.start; off < r.end; {
			n := min(int64(len(buf)), r.end-off)
			if _, err := f.ReadAt(buf[:n], off-base); err != nil {
				if errors.Is(err, io.EOF) {
					return partialChangedError{"it is shorter than what was written"}
				}
				return fmt.Errorf("failed to re-read the finished download: %w", err)
			}
			crc = crc32.Update(crc, castagnoli, buf[:n])
			off += n
			m.add(n)
		}
		if crc != r.crc {
			return partialChangedError{fmt.Sprintf("bytes %d to %d differ from what was checked", r.start, r.end-1)}
		}
	}
	return nil
}

// sumWriter records what goes through it in sums.
type sumWriter struct {
	w    io.WriterAt
	sums *writtenSums
}

func (w sumWriter) WriteAt(p []byte, off int64) (int, error) {
	n, err := w.w.WriteAt(p, off)
	if err == nil {
		w.sums.add(off, p)
	}
	return n, err
}

// recheckTemp re-reads the temporary file name in dd, as it will be
// renamed, and compares it with what was written through f. A different
// file under that name (same size or not) or changed bytes fail with
// ErrPartialChanged. What it reads is counted in m.
func recheckTemp(dd *destDir, name string, f *os.File, sums *writtenSums, base, size int64, m *phaseMeter) error {
	g, err := dd.openFile(name, os.O_RDONLY, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return partialChangedError{"it was removed"}
		}
		return fmt.Errorf("failed to re-open the finished download: %w", err)
	}
	defer g.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("failed to re-read the finished download: %w", err)
	}
	gi, err := g.Stat()
	if err != nil {
		return fmt.Errorf("failed to re-read the finished download: %w", err)
	}
	if !os.SameFile(fi, gi) {
		return partialChangedError{"another file was put under its name"}
	}
	if gi.Size() != size {
		return partialChangedError{fmt.Sprintf("it holds %d bytes, not %d", gi.Size(), size)}
	}
	return sums.check(g, base, m)
}

// testHookBeforeRecheck, when set by a test, runs in Download with the
// temporary file's path after the last write and sync, before the file is
// re-read and renamed.
var testHookBeforeRecheck func(path string)

// TestHookChecking, when set by a test (of this package or of the
// window), runs in Download once the check of the finished file has been
// reported as started, before it reads the file: a test that holds it
// there sees the check on screen however fast the disk.
var TestHookChecking func()
