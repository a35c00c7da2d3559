package transfer

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ossvault/ossvault/envelope"
)

// The checks below read a journal record as untrusted input: it is a
// file on disk that a crash, a bug of another version, a disk error or
// another program may have changed, and the engines act on it (they
// delete the file it names, send parts of the size it says, abort the
// upload it names). Each returns "" for a record that may be used, or the
// reason, in plain words, why it may not.

// Bounds of the strings a record holds: far above anything ossvault
// writes, low enough that a record cannot smuggle in a megabyte of text.
const (
	maxRecordText = 4096 // a path, a key or a URL
	maxRecordID   = 256  // an upload id or an ETag
	maxPartSize   = 5 << 30
)

// badText says why s cannot be a field of a record, or "".
func badText(field, s string, max int) string {
	if len(s) > max {
		return fmt.Sprintf("its %s is %d bytes long", field, len(s))
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Sprintf("its %s holds a control character", field)
		}
	}
	return ""
}

// checkRecord checks the fields every record shares, for record id of the
// given kind.
func checkRecord(r Record, id, kind string) string {
	switch {
	case r.ID != id:
		return fmt.Sprintf("its id %q is not its file name", r.ID)
	case r.Kind != kind:
		return fmt.Sprintf("it is a %q record where a %q one was expected", r.Kind, kind)
	}
	return firstOf(badText("source", r.Source, maxRecordText), badText("destination", r.Dest, maxRecordText))
}

func firstOf(reasons ...string) string {
	for _, r := range reasons {
		if r != "" {
			return r
		}
	}
	return ""
}

// checkPartSize says why an upload of size bytes cannot be cut into parts
// of partSize, by OSS's limits and client-side encryption's, or "".
func checkPartSize(size, partSize int64) string {
	switch {
	case partSize <= 0 || partSize%16 != 0:
		return fmt.Sprintf("its part size %d is not a positive multiple of 16 bytes", partSize)
	case partSize > maxPartSize:
		return fmt.Sprintf("its part size %d is above OSS's limit of 5 GiB", partSize)
	}
	parts := (size + partSize - 1) / partSize
	switch {
	case parts > MaxParts:
		return fmt.Sprintf("its part size %d cuts %d bytes into more than %d parts", partSize, size, MaxParts)
	case parts > 1 && partSize < MinPartSize:
		return fmt.Sprintf("its part size %d is below OSS's minimum of %d bytes", partSize, MinPartSize)
	}
	return ""
}

// check says why rec cannot be the upload record id of job, or "".
func (rec *uploadRecord) check(id string, job UploadJob) string {
	if r := checkRecord(rec.Record, id, "upload"); r != "" {
		return r
	}
	size := rec.State.Size
	switch {
	case rec.Bucket != job.Bucket || rec.Key != job.Key:
		return "it names another object than its upload's"
	case rec.Dest != "oss://"+rec.Bucket+"/"+rec.Key:
		return "its destination is not its object"
	case size <= 0 || size > MaxObjectSize:
		return fmt.Sprintf("its file size %d is out of range", size)
	case rec.UploadID == "" || len(rec.UploadID) > maxRecordID:
		return "its upload id is empty or too long"
	case strings.IndexFunc(rec.UploadID, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0:
		return "its upload id holds a character that is not printable"
	}
	if r := firstOf(badText("file sample", rec.State.Sample, maxRecordText), checkPartSize(size, rec.PartSize)); r != "" {
		return r
	}
	env, err := envelope.ParseMeta(rec.Meta)
	if err != nil {
		return "its envelope cannot be read (" + err.Error() + ")"
	}
	// The object's headers were fixed when the upload began: parts of
	// another size, or a file of another size, would not match them.
	switch {
	case env.PartSize != rec.PartSize || env.DataSize != size:
		return fmt.Sprintf("its part size %d and file size %d differ from its envelope's %d and %d", rec.PartSize, size, env.PartSize, env.DataSize)
	case env.UnencryptedLength >= 0 && env.UnencryptedLength != size:
		return fmt.Sprintf("its file size %d differs from its envelope's %d", size, env.UnencryptedLength)
	case env.Integrity != nil && env.Integrity.Size != size:
		return fmt.Sprintf("its file size %d differs from its integrity check's %d", size, env.Integrity.Size)
	}
	plan := splitParts(size, rec.PartSize)
	seen := make(map[int]bool, len(rec.Parts))
	for _, p := range rec.Parts {
		switch {
		case p.Number < 1 || p.Number > len(plan) || seen[p.Number]:
			return fmt.Sprintf("its part number %d is out of range or repeated", p.Number)
		case p.Size != plan[p.Number-1].Len:
			return fmt.Sprintf("its part %d has %d bytes where %d were expected", p.Number, p.Size, plan[p.Number-1].Len)
		}
		if r := badText("part ETag", p.ETag, maxRecordID); r != "" {
			return r
		}
		seen[p.Number] = true
	}
	if r := rec.checkSealed(); r != "" {
		return r
	}
	for k, v := range rec.Trailers {
		if !envelope.IsTrailer(k) {
			return fmt.Sprintf("its trailer %q is not one that ossvault writes", k)
		}
		if r := badText("trailer "+k, v, maxRecordID); r != "" {
			return r
		}
	}
	return ""
}

// checkSealed checks the integrity leaves rec holds (rec.allSealed), once
// the rest of rec has passed check: one entry per part of the plan, each
// of the length the part's chunks need.
func (rec *uploadRecord) checkSealed() string {
	env, err := envelope.ParseMeta(rec.Meta)
	if err != nil {
		return "its envelope cannot be read (" + err.Error() + ")"
	}
	plan := splitParts(rec.State.Size, rec.PartSize)
	seen := make(map[int]bool)
	for _, sp := range rec.allSealed() {
		switch {
		case sp.Number < 1 || sp.Number > len(plan) || seen[sp.Number]:
			return fmt.Sprintf("its read part number %d is out of range or repeated", sp.Number)
		case env.Integrity == nil || env.Integrity.ChunkSize <= 0:
			return "it holds integrity leaves but its envelope no integrity check"
		}
		p, cs := plan[sp.Number-1], env.Integrity.ChunkSize
		if want := ((p.Off+p.Len+cs-1)/cs - p.Off/cs) * 32; int64(len(sp.Leaves)) != want {
			return fmt.Sprintf("its part %d has %d bytes of integrity leaves where %d were expected", sp.Number, len(sp.Leaves), want)
		}
		seen[sp.Number] = true
	}
	return ""
}

// isTempName reports whether name is one of the downloader's own temporary
// files: ".ossvault-", 16 hex digits, ".part", and nothing else.
func isTempName(name string) bool {
	hex, ok := strings.CutPrefix(name, ".ossvault-")
	if !ok {
		return false
	}
	hex, ok = strings.CutSuffix(hex, ".part")
	if !ok || len(hex) != 16 {
		return false
	}
	return strings.IndexFunc(hex, func(r rune) bool { return !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') }) < 0
}

// check says why rec cannot be the download record id of job, or "".
func (rec *downloadRecord) check(id string, job DownloadJob) string {
	if r := checkRecord(rec.Record, id, "download"); r != "" {
		return r
	}
	switch {
	case rec.Source != job.SourceID:
		return "it names another object than its download's"
	case !isTempName(rec.Temp):
		// Anything else could name a file of the user's, which a stale
		// record's clean-up would delete.
		return fmt.Sprintf("its temporary file %q is not one that ossvault makes", rec.Temp)
	case rec.Size < 0 || rec.Size > MaxObjectSize:
		return fmt.Sprintf("its object size %d is out of range", rec.Size)
	case rec.Start < 0 || rec.End < -1 || rec.End >= max(rec.Size, 1):
		return fmt.Sprintf("its range %d-%d does not fit an object of %d bytes", rec.Start, rec.End, rec.Size)
	}
	if r := badText("ETag", rec.ETag, maxRecordID); r != "" {
		return r
	}
	done := slices.Clone(rec.Done)
	slices.SortFunc(done, func(a, b span) int { return cmp.Compare(a.Off, b.Off) })
	next := rec.Start
	for _, sp := range done {
		switch {
		case sp.Len <= 0 || sp.Off < rec.Start || sp.Off > rec.End || sp.Len > rec.End-sp.Off+1:
			return fmt.Sprintf("its finished range at %d of %d bytes lies outside %d-%d", sp.Off, sp.Len, rec.Start, rec.End)
		case sp.Off < next:
			return fmt.Sprintf("its finished ranges overlap at byte %d", sp.Off)
		}
		next = sp.Off + sp.Len
	}
	return ""
}

// onPlan reports whether every finished range of rec is one of the ranges
// this download fetches (as fetch cuts them), so that resuming skips
// exactly what is there. Ranges cut another way (a record of another
// chunk size) are not aligned, and the download starts over.
func (rec *downloadRecord) onPlan(p *prepared) bool {
	if len(rec.Done) == 0 {
		return true
	}
	plan := make(map[span]bool)
	for _, sp := range splitRange(p.start, p.end, p.chunk) {
		plan[sp] = true
	}
	for _, sp := range rec.Done {
		if !plan[sp] {
			return false
		}
	}
	return true
}

// check says why rec cannot be the queued job record id, or "".
func (rec *QueuedJob) check(id string) string {
	var kind string
	switch rec.Kind {
	case KindQueuedUpload, KindQueuedDownload:
		kind = rec.Kind
	default:
		return fmt.Sprintf("its kind %q is not a queued job's", rec.Kind)
	}
	if r := checkRecord(rec.Record, id, kind); r != "" {
		return r
	}
	n := rec.Note
	if r := firstOf(badText("bucket", rec.Bucket, 63), badText("object name", rec.Key, 1023), badText("source id", rec.SourceID, maxRecordText),
		badText("key name", n.KeyName, maxRecordText), badText("account", n.Account, maxRecordText), badText("link", n.Link, maxRecordText),
		badText("folder", rec.Root, maxRecordText)); r != "" {
		return r
	}
	if n.LinkRef != nil {
		if r := badText("link", n.LinkRef.Object, maxRecordText); r != "" {
			return r
		}
	}
	if r := rec.checkJob(); r != "" {
		return r
	}
	switch kind {
	case KindQueuedUpload:
		switch {
		case rec.Bucket == "" || rec.Key == "" || rec.Dest != "oss://"+rec.Bucket+"/"+rec.Key:
			return "it does not name the object it uploads to"
		case rec.Root != "":
			return "an upload has no destination folder"
		}
	case KindQueuedDownload:
		switch {
		case rec.SourceID == "" || rec.Source != rec.SourceID:
			return "it does not name the object it downloads"
		case rec.Root != "" && !within(rec.Root, rec.Dest):
			return "its destination is not inside its folder"
		}
	}
	return ""
}

// checkJob says why rec's description (Job) cannot be the transfer rec
// names, or "".
func (rec *QueuedJob) checkJob() string {
	d := rec.Job
	if d == nil {
		return ""
	}
	if r := firstOf(badText("origin", d.Origin, 32), badText("group", d.Group, maxRecordText), badText("group name", d.GroupName, maxRecordText)); r != "" {
		return r
	}
	if d.PartSize < 0 {
		return "its part size is negative"
	}
	upload := rec.Kind == KindQueuedUpload
	switch {
	case upload && (d.Kind != JobUpload || d.Local != rec.Source || d.Bucket != rec.Bucket):
		return "its description is not of the upload it names"
	case !upload && (d.Kind != JobDownload || d.Local != rec.Dest || d.Root != rec.Root):
		return "its description is not of the download it names"
	case d.Key != rec.Key:
		return "its description names another object"
	}
	return ""
}

// within reports whether path lies strictly inside the folder root, by
// name.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
