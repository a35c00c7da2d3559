package ui

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ossvault/ossvault/internal/atomicfile"
	"github.com/ossvault/ossvault/internal/filelock"
)

// One app per OSSVAULT_HOME: two would move the local store's port under
// each other and write the same settings and transfer journal.
//
// The first app to start on a home holds an OS lock on instanceLockName
// (flock, LockFileEx) for as long as it runs, and answers on a loopback TCP
// port that instanceFileName (0600) names together with a random token. A
// second start finds the lock taken, reads that file and asks the first to
// bring its window forward, then exits. The OS drops the lock when a process
// dies, so a crash never blocks the next start, and the file the crashed app
// left is overwritten by the next one to hold the lock. Only the lock holder
// writes the file. The command line does not take the lock: it may run while
// the app is open.
const (
	instanceLockName = "app.lock"
	instanceFileName = "app.instance"
	// instanceWait is how long a second start keeps trying to reach the
	// first, which may be between taking the lock and writing its address,
	// or closing (then the lock frees and the second start becomes the app).
	instanceWait = 15 * time.Second
	// showRequest is the one thing a second start can ask.
	showRequest = "show"
	showAnswer  = "ok"
)

// errInstanceHeld: another process holds the app's lock on this home.
var errInstanceHeld = errors.New("another ossvault app holds this folder")

// errOtherInstanceSilent: another app holds the lock but did not answer.
var errOtherInstanceSilent = errors.New("ossvault is already open for this folder but did not answer; close it (or end it in the task manager) and try again")

// instanceInfo is the content of instanceFileName.
type instanceInfo struct {
	Addr  string `json:"addr"`
	Token string `json:"token"`
}

// instance is the lock and listener of the app that owns a home.
type instance struct {
	home  string
	lock  *os.File
	ln    net.Listener
	token string

	mu     sync.Mutex
	onShow func()

	done chan struct{}
	wg   sync.WaitGroup
}

// claimInstance makes this process the app for home, or returns
// errInstanceHeld when another process already is.
func claimInstance(home string) (*instance, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("failed to create the app's folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(home, instanceLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("failed to open the app's lock file: %w", err)
	}
	held, err := filelock.TryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("failed to lock the app's folder: %w", err)
	}
	if !held {
		f.Close()
		return nil, errInstanceHeld
	}
	in := &instance{home: home, lock: f, done: make(chan struct{})}
	if err := in.listen(); err != nil {
		in.release()
		return nil, err
	}
	return in, nil
}

func (in *instance) listen() error {
	var tok [32]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return fmt.Errorf("failed to make the app's token: %w", err)
	}
	in.token = hex.EncodeToString(tok[:])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("failed to listen for other starts of the app: %w", err)
	}
	data, err := json.Marshal(instanceInfo{Addr: ln.Addr().String(), Token: in.token})
	if err != nil {
		ln.Close()
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(in.home, instanceFileName), data); err != nil {
		ln.Close()
		return fmt.Errorf("failed to save the app's address: %w", err)
	}
	in.ln = ln
	in.wg.Add(1)
	go in.serve()
	return nil
}

// setOnShow sets what a second start's request runs (nil: nothing, while
// the window is not there to show). It waits for a request being handled.
func (in *instance) setOnShow(f func()) {
	in.mu.Lock()
	in.onShow = f
	in.mu.Unlock()
}

func (in *instance) serve() {
	defer in.wg.Done()
	for {
		c, err := in.ln.Accept()
		if err != nil {
			select {
			case <-in.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			time.Sleep(50 * time.Millisecond) // e.g. out of file descriptors
			continue
		}
		in.wg.Add(1)
		go func() {
			defer in.wg.Done()
			in.answer(c)
		}()
	}
}

// answer serves one connection: "<token> show\n" is answered "ok\n" once
// the window has been asked to come forward; anything else gets no answer.
func (in *instance) answer(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(io.LimitReader(c, 256)).ReadString('\n')
	if err != nil {
		return
	}
	tok, req, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
	if !ok || req != showRequest || subtle.ConstantTimeCompare([]byte(tok), []byte(in.token)) != 1 {
		return
	}
	in.mu.Lock()
	if in.onShow != nil {
		in.onShow()
	}
	in.mu.Unlock()
	io.WriteString(c, showAnswer+"\n")
}

// close stops answering, removes the address file and frees the lock, in
// that order, so that a start that finds the lock free finds no live
// address of ours either.
func (in *instance) close() {
	in.setOnShow(nil)
	close(in.done)
	in.ln.Close()
	in.wg.Wait()
	os.Remove(filepath.Join(in.home, instanceFileName))
	in.release()
}

func (in *instance) release() {
	_ = filelock.Unlock(in.lock)
	in.lock.Close()
}

// askToShow asks the app holding home's lock to bring its window forward.
func askToShow(home string) error {
	data, err := os.ReadFile(filepath.Join(home, instanceFileName))
	if err != nil {
		return err
	}
	var info instanceInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return err
	}
	if host, _, err := net.SplitHostPort(info.Addr); err != nil || host != "127.0.0.1" {
		return fmt.Errorf("the address %q is not on this computer", info.Addr)
	}
	c, err := net.DialTimeout("tcp", info.Addr, 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, info.Token+" "+showRequest+"\n"); err != nil {
		return err
	}
	line, err := bufio.NewReader(io.LimitReader(c, 64)).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != showAnswer {
		return errors.New("unexpected answer")
	}
	return nil
}

// claimOrShow makes this process the app for home and returns its instance,
// or, when another app already is, asks that one to show its window and
// returns nil, nil. It keeps trying for up to wait: the other app may not
// have written its address yet, or may be closing, freeing the lock. It
// gives up, returning nil, nil, as soon as stop (if not nil) reports true.
func claimOrShow(home string, wait time.Duration, stop func() bool) (*instance, error) {
	deadline := time.Now().Add(wait)
	for {
		in, err := claimInstance(home)
		if !errors.Is(err, errInstanceHeld) {
			return in, err
		}
		if askToShow(home) == nil || (stop != nil && stop()) {
			return nil, nil
		}
		if time.Now().After(deadline) {
			return nil, errOtherInstanceSilent
		}
		time.Sleep(100 * time.Millisecond)
	}
}
