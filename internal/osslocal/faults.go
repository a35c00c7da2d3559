package osslocal

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Faults injects failures into a Server's responses for reliability tests.
// Add rules at any time, also while requests are in flight; a Faults is safe
// for concurrent use. Every rule that matches a request and triggers applies
// to it: latencies add up; of the other actions the first rule added wins.
//
//	f := osslocal.NewFaults(1)
//	f.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Nth: 3, Action: osslocal.FailWith(503)})
//	f.Add(osslocal.Fault{Op: osslocal.OpGetObject, Probability: 0.2, Action: osslocal.ResetResponseAfter(64 << 10)})
type Faults struct {
	mu    sync.Mutex
	rng   *rand.Rand
	rules []*FaultRule

	// rate is the per-connection limit set by Throttle (bytes per second,
	// 0: none); clock, when set, replaces real time for pacing in tests.
	rate  atomic.Int64
	clock *clock
}

// NewFaults returns an empty set of rules whose probabilities draw from a
// generator seeded with seed, so a failing run can be replayed.
func NewFaults(seed uint64) *Faults {
	return &Faults{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Fault is a rule: which requests it matches, when it triggers, and what it
// does.
type Fault struct {
	// Op matches the OSS API name (Op* constants); "" matches any.
	Op string
	// Bucket and Key, when set, must equal the request's.
	Bucket, Key string
	// Part, when set, must equal UploadPart's part number.
	Part int

	// Nth triggers on the Nth matching request only (1-based).
	Nth int
	// Probability triggers on each matching request with this probability
	// (used when Nth is 0). With neither set the rule triggers every time.
	Probability float64
	// Times caps how often the rule triggers (0: no cap).
	Times int

	Action Action
}

// FaultRule is an added rule; its counters tell a test what happened.
type FaultRule struct {
	Fault
	matched, fired int
}

// Fired returns how many requests the rule has acted on.
func (r *FaultRule) Fired() int {
	faultsMu.Lock()
	defer faultsMu.Unlock()
	return r.fired
}

// Matched returns how many requests the rule has matched.
func (r *FaultRule) Matched() int {
	faultsMu.Lock()
	defer faultsMu.Unlock()
	return r.matched
}

// faultsMu guards rule counters, which are read outside any one Faults.
var faultsMu sync.Mutex

type actionKind int

const (
	actNone actionKind = iota
	actError
	actResetRequest
	actResetResponse
	actTruncateResponse
	actLatency
	actHang
)

// Action is what a triggered rule does.
type Action struct {
	kind   actionKind
	status int
	code   string
	bytes  int64
	delay  time.Duration
}

// FailWith answers with an OSS error of the given status (500, 503, ...)
// and the matching code (InternalError, ServiceUnavailable, ...) instead of
// performing the operation. The request body is read and discarded first,
// so the client sees the response rather than a broken pipe.
func FailWith(status int) Action {
	code := "InternalError"
	switch status {
	case http.StatusServiceUnavailable:
		code = "ServiceUnavailable"
	case http.StatusTooManyRequests:
		code = "Throttling"
	case http.StatusBadGateway:
		code = "BadGateway"
	}
	return Action{kind: actError, status: status, code: code}
}

// FailWithCode is FailWith with an explicit OSS error code.
func FailWithCode(status int, code string) Action {
	return Action{kind: actError, status: status, code: code}
}

// ResetRequestAfter lets the operation read n bytes of the request body,
// then resets the connection (TCP RST) without answering. Nothing the
// request was writing is stored.
func ResetRequestAfter(n int64) Action { return Action{kind: actResetRequest, bytes: n} }

// ResetResponseAfter sends the status line, headers and n bytes of the
// response body, then resets the connection.
func ResetResponseAfter(n int64) Action { return Action{kind: actResetResponse, bytes: n} }

// TruncateResponseAfter sends headers announcing the full length but only n
// bytes of body, then closes the connection normally (FIN).
func TruncateResponseAfter(n int64) Action { return Action{kind: actTruncateResponse, bytes: n} }

// Latency delays the response by d before the operation runs.
func Latency(d time.Duration) Action { return Action{kind: actLatency, delay: d} }

func (a Action) String() string {
	switch a.kind {
	case actError:
		return fmt.Sprintf("error %d %s", a.status, a.code)
	case actResetRequest:
		return fmt.Sprintf("reset request after %d bytes", a.bytes)
	case actResetResponse:
		return fmt.Sprintf("reset response after %d bytes", a.bytes)
	case actTruncateResponse:
		return fmt.Sprintf("truncate response after %d bytes", a.bytes)
	case actLatency:
		return fmt.Sprintf("latency %s", a.delay)
	case actHang:
		return "hang"
	}
	return "none"
}

// Add installs a rule and returns it.
func (f *Faults) Add(fault Fault) *FaultRule {
	r := &FaultRule{Fault: fault}
	f.mu.Lock()
	f.rules = append(f.rules, r)
	f.mu.Unlock()
	return r
}

// Remove uninstalls a rule.
func (f *Faults) Remove(r *FaultRule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.rules {
		if x == r {
			f.rules = append(f.rules[:i], f.rules[i+1:]...)
			return
		}
	}
}

// Clear removes every rule.
func (f *Faults) Clear() {
	f.mu.Lock()
	f.rules = nil
	f.mu.Unlock()
}

// plan is what happens to one request.
type plan struct {
	delay  time.Duration
	action Action // the first non-latency action, if any
	names  string
}

func (f *Faults) decide(rt route) plan {
	var p plan
	if f == nil {
		return p
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	faultsMu.Lock()
	defer faultsMu.Unlock()
	for _, r := range f.rules {
		if (r.Op != "" && r.Op != rt.op) || (r.Bucket != "" && r.Bucket != rt.bucket) ||
			(r.Key != "" && r.Key != rt.key) || (r.Part != 0 && r.Part != rt.part) {
			continue
		}
		r.matched++
		if r.Times > 0 && r.fired >= r.Times {
			continue
		}
		switch {
		case r.Nth > 0:
			if r.matched != r.Nth {
				continue
			}
		case r.Probability > 0:
			if f.rng.Float64() >= r.Probability {
				continue
			}
		}
		r.fired++
		if p.names != "" {
			p.names += "; "
		}
		p.names += r.Action.String()
		if r.Action.kind == actLatency {
			p.delay += r.Action.delay
		} else if p.action.kind == actNone {
			p.action = r.Action
		}
	}
	return p
}

// errInjected is what a fault-wrapped body returns once its budget is used.
var errInjected = errors.New("connection reset by injected fault")
