package browsertest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/slotwise/slotwise/internal/notification/smtptest"
)

// EnvBrowser turns the suite on; EnvArtifacts names where failure
// screenshots go.
const (
	EnvBrowser   = "SLOTWISE_BROWSER"
	EnvArtifacts = "SLOTWISE_BROWSER_ARTIFACTS"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	if os.Getenv(EnvBrowser) != "1" {
		fmt.Println("browsertest: skipped (set SLOTWISE_BROWSER=1; needs chromium and npm's axe-core)")
		os.Exit(0)
	}
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// binary builds cmd/slotwise once per test process.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "slotwise-browser-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "slotwise")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/slotwise/slotwise/cmd/slotwise").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// site is a running slotwise with the demo business, and the SMTP server
// its e-mail goes to.
type site struct {
	Base    string // http://127.0.0.1:port
	Mail    *smtptest.Server
	DataDir string
	Stdout  *lockedBuffer
}

// startSite runs `slotwise run --demo` on port 0 with e-mail to an
// in-test SMTP server, and waits until the demo booking page answers.
func startSite(t *testing.T, extra ...string) *site {
	t.Helper()
	mail := smtptest.Start(t)
	dir := t.TempDir()
	args := append([]string{"run", "--demo", "--http", "127.0.0.1:0", "--data-dir", dir,
		"--smtp-url", mail.URL(), "--log-level", "warn"}, extra...)
	cmd := exec.Command(binary(t), args...)
	cmd.Env = cleanEnv()
	out := &lockedBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("slotwise output:\n%s", out.String())
		}
	})
	s := &site{Mail: mail, DataDir: dir, Stdout: out}
	waitFor(t, "the HTTP address file", 60*time.Second, func() bool {
		raw, err := os.ReadFile(filepath.Join(dir, "http.addr"))
		if err != nil {
			return false
		}
		s.Base = "http://" + strings.TrimSpace(string(raw))
		return true
	})
	waitFor(t, "the demo booking page", 60*time.Second, func() bool {
		resp, err := http.Get(s.Base + "/b/demo")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return s
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLOTWISE_") {
			env = append(env, kv)
		}
	}
	return env
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lockedBuffer collects a process's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// browser is one browser context (its own cookies and storage), as a
// second person on another machine would have.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// chromiumPath finds Debian's chromium.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SLOTWISE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH (apt-get install chromium, or set SLOTWISE_CHROMIUM)")
	return ""
}

// newBrowser starts a headless chromium with its own profile, 1280×900,
// JavaScript on or off. On failure it keeps screenshots at 360 px and
// 1280 px of the page it was on.
func newBrowser(t *testing.T, javaScript bool) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// The first call starts the browser; it gets no timeout of its own (a
	// timeout there would stop the whole browser).
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !javaScript}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &browser{t: t, ctx: ctx}
	t.Cleanup(func() {
		if t.Failed() {
			b.keepScreenshots()
		}
		cancelCtx()
		cancelAlloc()
	})
	return b
}

// stepTimeout bounds one step of a test in the browser.
const stepTimeout = 30 * time.Second

// do runs chromedp steps, failing the test with what was attempted.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// value runs one chromedp action and returns its value.
func value[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// keepScreenshots saves the current page at 360 px and 1280 px wide.
func (b *browser) keepScreenshots() {
	dir := os.Getenv(EnvArtifacts)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "slotwise-browser-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("screenshots: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	url, _ := chromedp.Run(ctx, chromedp.Location())
	for _, width := range []int64{360, 1280} {
		err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900))
		var png []byte
		if err == nil {
			png, err = chromedp.Run(ctx, chromedp.FullScreenshot(90))
		}
		if err != nil {
			b.t.Logf("screenshot at %d px: %v", width, err)
			continue
		}
		name := filepath.Join(dir, fmt.Sprintf("%s-%dpx.png", unsafeName.ReplaceAllString(b.t.Name(), "_"), width))
		if err := os.WriteFile(name, png, 0o644); err != nil {
			b.t.Logf("screenshot: %v", err)
			continue
		}
		b.t.Logf("screenshot of %s at %d px: %s", url, width, name)
	}
}

// axeSource is axe-core's browser build, read once.
var axeSource = sync.OnceValues(func() (string, error) {
	raw, err := os.ReadFile(filepath.Join("node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		return "", fmt.Errorf("axe-core (npm install in internal/browsertest): %w", err)
	}
	return string(raw), nil
})

// axeViolation is the part of an axe-core violation the test reports.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// audit injects axe-core into the current page and fails the test on
// any serious or critical violation of WCAG 2.x A/AA or best practice.
// DevTools evaluation is not subject to the page's CSP, so the page
// itself keeps forbidding inline and foreign script.
func (b *browser) audit(page string) {
	b.t.Helper()
	src, err := axeSource()
	if err != nil {
		b.t.Fatal(err)
	}
	b.do("inject axe-core on "+page, chromedp.Evaluate[chromedp.Void](src))
	found := value(b, "axe-core on "+page, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
			.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => ({target: n.target}))})))`,
		chromedp.EvalAwaitPromise))
	var bad []string
	for _, v := range found {
		if v.Impact == "serious" || v.Impact == "critical" {
			var targets []string
			for _, n := range v.Nodes {
				targets = append(targets, fmt.Sprint(n.Target...))
			}
			bad = append(bad, fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(targets, ", ")))
		}
	}
	if len(bad) > 0 {
		b.t.Errorf("axe-core on %s: %d serious/critical violation(s):\n  %s", page, len(bad), strings.Join(bad, "\n  "))
	}
}

// get fetches a URL outside the browser.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// firstLine returns the first line of s matching re's first group.
func firstMatch(s string, re *regexp.Regexp) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			return m[1]
		}
	}
	return ""
}
