package osslocal

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// LogEntry is one line of the access log. Its JSON form is fixed by the
// command-line contract:
//
//	{"op":"UploadPart","bucket":"b","key":"k","part":3,"status":200,"in":N,"out":M}
//
// op is the OSS API name (the Op* constants); part appears only for
// UploadPart; in and out are request and response body bytes.
type LogEntry struct {
	Op     string `json:"op"`
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Part   int    `json:"part,omitempty"`
	Status int    `json:"status"`
	In     int64  `json:"in"`
	Out    int64  `json:"out"`

	// Not part of the JSON line.
	RequestID string        `json:"-"`
	Method    string        `json:"-"`
	Time      time.Time     `json:"-"`
	Duration  time.Duration `json:"-"`
	// Fault names the injected fault that shaped this response, if any.
	Fault string `json:"-"`
}

// Logger receives one entry per request, after the response is finished.
// It is called from many goroutines at once.
type Logger interface {
	Log(LogEntry)
}

// LoggerFunc adapts a function to Logger.
type LoggerFunc func(LogEntry)

func (f LoggerFunc) Log(e LogEntry) { f(e) }

// JSONLogger writes each entry as one JSON line to w.
func JSONLogger(w io.Writer) Logger {
	var mu sync.Mutex
	return LoggerFunc(func(e LogEntry) {
		raw, _ := json.Marshal(e)
		raw = append(raw, '\n')
		mu.Lock()
		defer mu.Unlock()
		w.Write(raw)
	})
}
