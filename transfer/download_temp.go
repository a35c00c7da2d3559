package transfer

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// openTemp resumes the journaled download id if it is still valid, or
// starts a new temporary file in dd (creating the folders on the way to it
// when dd is confined). A record that fails its checks is set aside and
// its temporary file left alone: it may name a file of the user's. A valid
// one for another version or range of the object, or cut into ranges
// another way, is discarded with its temporary file.
func (d *Downloader) openTemp(id string, job DownloadJob, p *prepared, dd *destDir) (*downloadRecord, *os.File, error) {
	var rec downloadRecord
	if d.Journal != nil {
		ok, err := d.Journal.Load(id, &rec)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			if reason := rec.check(id, job); reason != "" {
				if err := d.Journal.setAside(id, reason); !errors.Is(err, ErrBadRecord) {
					return nil, nil, err
				}
			} else {
				valid := rec.ETag == p.info.ETag && rec.Size == p.info.Size && rec.Start == p.start && rec.End == p.end && rec.onPlan(p)
				if valid {
					f, err := dd.openFile(rec.Temp, os.O_RDWR, 0)
					if err == nil {
						return &rec, f, nil
					}
				}
				dd.remove(rec.Temp)
			}
		}
	}
	if err := dd.mkdirAll(); err != nil {
		return nil, nil, fmt.Errorf("failed to create the folder of %s: %w", job.Dest, err)
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, nil, err
	}
	rec = downloadRecord{
		Record: Record{ID: id, Kind: "download", Source: job.SourceID, Dest: job.Dest, Created: d.now().UTC()},
		ETag:   p.info.ETag, Size: p.info.Size, Start: p.start, End: p.end,
		Temp: ".ossvault-" + hex.EncodeToString(rnd[:]) + ".part",
	}
	f, err := dd.openFile(rec.Temp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to create the download file: %w", err)
	}
	if d.Journal != nil {
		if err := d.Journal.Save(id, &rec); err != nil {
			f.Close()
			dd.remove(rec.Temp)
			return nil, nil, err
		}
	}
	return &rec, f, nil
}

// offsetWriter writes object offset off at file offset off-base, and turns
// a full disk into ErrDiskFull.
type offsetWriter struct {
	f    *os.File
	base int64
	need int64
}

func (w offsetWriter) WriteAt(p []byte, off int64) (int, error) {
	n, err := w.f.WriteAt(p, off-w.base)
	if err != nil {
		return n, diskError(err, w.need)
	}
	return n, nil
}

// windowWriter passes on only the bytes of object offsets start..end
// (inclusive) and drops the rest, which were read only for the MAC.
type windowWriter struct {
	w          io.WriterAt
	start, end int64
}

func (w windowWriter) WriteAt(p []byte, off int64) (int, error) {
	lo, hi := max(off, w.start), min(off+int64(len(p)), w.end+1)
	if lo < hi {
		if _, err := w.w.WriteAt(p[lo-off:hi-off], lo); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func diskError(err error, need int64) error {
	if errors.Is(err, syscall.ENOSPC) {
		return Permanent(fmt.Errorf("%w: %d bytes needed", ErrDiskFull, need))
	}
	return err
}
