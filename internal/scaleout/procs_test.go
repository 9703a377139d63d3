package scaleout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end run starts every part as an OS process: the slotwise
// binary (`slotwise serve`, one service each) and the NATS nodes (the
// natsnode helper, nats-server from the Go module), so that any of them can
// be killed with SIGKILL.

// binaries are the two programs the run builds.
type binaries struct {
	slotwise string
	natsnode string
}

// buildBinaries builds cmd/slotwise and the natsnode helper into a
// temporary directory.
func buildBinaries(t *testing.T) binaries {
	t.Helper()
	dir := t.TempDir()
	b := binaries{slotwise: filepath.Join(dir, "slotwise"), natsnode: filepath.Join(dir, "natsnode")}
	for out, pkg := range map[string]string{
		b.slotwise: "github.com/slotwise/slotwise/cmd/slotwise",
		b.natsnode: "github.com/slotwise/slotwise/internal/scaleout/natsnode",
	} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
		}
	}
	return b
}

// proc is one OS process of the run; it can be started again after it
// exited or was killed. Its stdout and stderr are appended to logPath.
type proc struct {
	name    string
	bin     string
	args    []string
	env     []string
	logPath string

	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
	stdout *lineBuffer
}

// start starts the process; it fails when it is already running.
func (p *proc) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return fmt.Errorf("%s: already running", p.name)
	}
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "==== %s start %s\n", time.Now().Format(time.RFC3339Nano), p.name)
	out := &lineBuffer{}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = p.env
	cmd.Stdout = &teeWriter{a: logf, b: out}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = logf.Close()
		close(done)
	}()
	p.cmd, p.done, p.stdout = cmd, done, out
	return nil
}

// running returns the process's exit channel, or nil when not started.
func (p *proc) running() (*exec.Cmd, chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd, p.done
}

// kill9 kills the process with SIGKILL and waits until it is gone.
func (p *proc) kill9() error {
	return p.signalAndWait(syscall.SIGKILL, 10*time.Second)
}

// stop asks the process to shut down (SIGTERM) and kills it when it has
// not exited within grace.
func (p *proc) stop(grace time.Duration) error {
	if err := p.signalAndWait(syscall.SIGTERM, grace); err != nil {
		return errors.Join(err, p.kill9())
	}
	return nil
}

func (p *proc) signalAndWait(sig syscall.Signal, d time.Duration) error {
	cmd, done := p.running()
	if cmd == nil {
		return nil
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("%s: signal %v: %w", p.name, sig, err)
	}
	select {
	case <-done:
	case <-time.After(d):
		return fmt.Errorf("%s: still running %s after %v", p.name, d, sig)
	}
	p.mu.Lock()
	p.cmd, p.done = nil, nil
	p.mu.Unlock()
	return nil
}

// exited reports whether the started process has exited on its own.
func (p *proc) exited() bool {
	_, done := p.running()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// printedLine reports whether the process printed line on stdout.
func (p *proc) printedLine(line string) bool {
	p.mu.Lock()
	out := p.stdout
	p.mu.Unlock()
	return out != nil && out.has(line)
}

// logTail returns the last n lines of the process's log.
func (p *proc) logTail(n int) string {
	raw, err := os.ReadFile(p.logPath)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lineBuffer collects a process's stdout lines.
type lineBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines []string
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	for {
		i := bytes.IndexByte(b.buf.Bytes(), '\n')
		if i < 0 {
			return len(p), nil
		}
		b.lines = append(b.lines, string(b.buf.Next(i + 1)[:i]))
	}
}

func (b *lineBuffer) has(line string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.lines {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}

// teeWriter writes to both writers (the log file and the line buffer).
type teeWriter struct {
	a *os.File
	b *lineBuffer
}

func (w *teeWriter) Write(p []byte) (int, error) {
	if _, err := w.b.Write(p); err != nil {
		return 0, err
	}
	return w.a.Write(p)
}

// cleanEnv is the test's environment without SLOTWISE_* and NATS_*
// variables (serve reads SLOTWISE_<FLAG>; the nodes read NATS_PASSWORD_*),
// plus extra.
func cleanEnv(extra map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLOTWISE_") && !strings.HasPrefix(kv, "NATS_") {
			out = append(out, kv)
		}
	}
	for k, v := range extra {
		out = append(out, k+"="+v)
	}
	return out
}

// waitReady polls url until it answers 200, failing early when p exits.
func waitReady(ctx context.Context, p *proc, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		if p.exited() {
			return fmt.Errorf("%s exited before it was ready:\n%s", p.name, p.logTail(30))
		}
		if resp, err := client.Get(url); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s: %w\n%s", p.name, url, ctx.Err(), p.logTail(30))
		case <-time.After(100 * time.Millisecond):
		}
	}
}
