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
// screenshots go; EnvBinary, when set, is a built slotwise to test instead
// of building cmd/slotwise.
const (
	EnvBrowser   = "SLOTWISE_BROWSER"
	EnvArtifacts = "SLOTWISE_BROWSER_ARTIFACTS"
	EnvBinary    = "SLOTWISE_BROWSER_BIN"
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
	stopChromium()
	if err := writeMetrics(); err != nil {
		fmt.Fprintln(os.Stderr, "browsertest:", err)
		if code == 0 {
			code = 1
		}
	}
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// binary builds cmd/slotwise once per test process (or returns
// $SLOTWISE_BROWSER_BIN).
func binary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(EnvBinary); p != "" {
		return p
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "slotwise-browser-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "slotwise")
		start := time.Now()
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/slotwise/slotwise/cmd/slotwise").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
			return
		}
		t.Logf("built cmd/slotwise in %s", time.Since(start).Round(time.Millisecond))
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
	js  bool   // JavaScript on
	tag string // names its screenshots ("" for a test's first browser)
}

// BrowserZone is the zone a new browser is in: the demo business's, so
// that the times a test reads do not depend on the host's zone (CI runs
// in UTC, a laptop anywhere). setZone changes it.
const BrowserZone = "Europe/Berlin"

// browsersStarted counts the browsers of each test, to name their
// screenshots apart.
var browsersStarted = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

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

// chromium is the suite's one chromium process, started by the first
// newBrowser and stopped by TestMain; each browser is a browser context
// in it (starting a chromium takes seconds, a browser context
// milliseconds).
var chromium struct {
	once   sync.Once
	ctx    context.Context // has the browser
	err    error
	cancel func()
}

// sharedChromium starts the suite's chromium when it is not running yet.
func sharedChromium(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	chromium.once.Do(func() {
		dir, err := os.MkdirTemp("", "slotwise-chromium-")
		if err != nil {
			chromium.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1280, 900),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
		)
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(actx)
		chromium.ctx = ctx
		chromium.cancel = func() {
			cancelCtx()
			cancelAlloc()
			_ = os.RemoveAll(dir)
		}
		// The first call starts the browser; it gets no timeout of its own
		// (a timeout there would stop the whole browser).
		if err := chromedp.Do(ctx); err != nil {
			chromium.err = fmt.Errorf("start chromium: %w", err)
		}
	})
	if chromium.err != nil {
		t.Fatal(chromium.err)
	}
	return chromium.ctx
}

// stopChromium stops the suite's chromium, if it was started.
func stopChromium() {
	if chromium.cancel != nil {
		chromium.cancel()
	}
}

// newBrowser opens a new browser context — its own cookies, storage and
// cache, as a person on another machine would have — in the suite's
// headless chromium, with one 1280×900 tab, JavaScript on or off, in
// BrowserZone. On failure it keeps screenshots at 360 px and 1280 px of
// the page it was on.
func newBrowser(t *testing.T, javaScript bool) *browser {
	t.Helper()
	ctx, cancelCtx := chromedp.NewContext(sharedChromium(t), chromedp.WithNewBrowserContext())
	b := &browser{t: t, ctx: ctx, js: javaScript}
	t.Cleanup(func() {
		if t.Failed() {
			b.keepScreenshots()
		}
		cancelCtx()
	})
	// The first call opens the tab.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !javaScript}); err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	b.setZone(BrowserZone)
	browsersStarted.Lock()
	browsersStarted.n[t.Name()]++
	if n := browsersStarted.n[t.Name()]; n > 1 {
		b.tag = fmt.Sprintf("-browser%d", n)
	}
	browsersStarted.Unlock()
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
			png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG; less is JPEG
		}
		if err != nil {
			b.t.Logf("screenshot at %d px: %v", width, err)
			continue
		}
		name := filepath.Join(dir, fmt.Sprintf("%s%s-%dpx.png", unsafeName.ReplaceAllString(b.t.Name(), "_"), b.tag, width))
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
//
// With JavaScript off, axe-core's timers and promises would never run, so
// script execution is turned on for the audit only: the page's own script
// was skipped when the page loaded and does not run later, so axe-core
// sees the page as a browser without JavaScript built it.
func (b *browser) audit(page string) {
	b.t.Helper()
	src, err := axeSource()
	if err != nil {
		b.t.Fatal(err)
	}
	if !b.js {
		b.scriptsDisabled(false)
		defer b.scriptsDisabled(true)
		page += " (no JavaScript)"
	}
	b.do("inject axe-core on "+page, chromedp.Evaluate[chromedp.Void](src))
	found := value(b, "axe-core on "+page, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
			.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => ({target: n.target}))})))`,
		chromedp.EvalAwaitPromise))
	var bad, minor []string
	for _, v := range found {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, fmt.Sprint(n.Target...))
		}
		line := fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, line)
		} else {
			minor = append(minor, line)
		}
	}
	if len(minor) > 0 {
		b.t.Logf("axe-core on %s: %d moderate/minor finding(s), not failing the test:\n  %s", page, len(minor), strings.Join(minor, "\n  "))
	}
	if len(bad) > 0 {
		b.t.Errorf("axe-core on %s: %d serious/critical violation(s):\n  %s", page, len(bad), strings.Join(bad, "\n  "))
	}
}

// scriptsDisabled turns the page's script execution off or on.
func (b *browser) scriptsDisabled(off bool) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off}); err != nil {
		b.t.Fatalf("script execution disabled=%v: %v", off, err)
	}
}

// setZone emulates the browser's time zone (an IANA name).
func (b *browser) setZone(zone string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone}); err != nil {
		b.t.Fatalf("browser zone %s: %v", zone, err)
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

// firstMatch returns re's first group in the first line of s that re
// matches ("" for none).
func firstMatch(s string, re *regexp.Regexp) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			return m[1]
		}
	}
	return ""
}
