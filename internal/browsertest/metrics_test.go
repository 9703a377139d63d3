package browsertest

// "Measured" of issue 11: in the browser, navigation start → the slots
// visible, from the Performance API. Reported (t.Logf, and JSON in the
// file named by SLOTWISE_BROWSER_METRICS), never asserted: a time depends
// on the machine.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// EnvMetrics names the file the measurements are written to, as JSON.
const EnvMetrics = "SLOTWISE_BROWSER_METRICS"

// slotsVisible is one measurement of a page that lists free times. Times
// are in milliseconds from the navigation's start.
type slotsVisible struct {
	Test  string `json:"test"`
	Case  string `json:"case"`
	URL   string `json:"url"`
	Clock struct {
		ResponseStart           float64 `json:"responseStartMs"`
		ResponseEnd             float64 `json:"responseEndMs"`
		DOMContentLoaded        float64 `json:"domContentLoadedMs"`
		FirstContentfulPaint    float64 `json:"firstContentfulPaintMs"` // -1: not reported
		SlotsInDocument         float64 `json:"slotsInDocumentMs"`
		SlotsVisible            float64 `json:"slotsVisibleMs"`
		TransferBytes           float64 `json:"transferBytes"`
		DocumentTransferBytes   float64 `json:"documentTransferBytes"`
		ResourcesFromCache      float64 `json:"resourcesFromCache"`
		ResourcesOverTheNetwork float64 `json:"resourcesOverTheNetwork"`
	} `json:"measured"`
	At time.Time `json:"at"`
}

var metrics struct {
	sync.Mutex
	list []slotsVisible
}

// writeMetrics writes the measurements to $SLOTWISE_BROWSER_METRICS, when
// set and there are some.
func writeMetrics() error {
	path := os.Getenv(EnvMetrics)
	metrics.Lock()
	defer metrics.Unlock()
	if path == "" || len(metrics.list) == 0 {
		return nil
	}
	raw, err := json.MarshalIndent(map[string]any{
		"description":  "navigation start → free times visible on a service page, in headless chromium (Performance API); reported, not asserted",
		"slotsVisible": metrics.list,
	}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", EnvMetrics, err)
	}
	return nil
}

// slotTimer is run in every document before the page's own script
// (DevTools' scripts are not subject to the page's CSP). It notes when the
// first free time is in the document, the first frame after that, and
// the first contentful paint. The times are visible at the first
// contentful paint when they were in the document by then (rendering
// waits for the stylesheet), else at the first frame after they came.
const slotTimer = `(() => {
	const m = window.__swSlots = {inDOM: 0, frame: 0, fcp: 0};
	try {
		new PerformanceObserver(list => {
			for (const e of list.getEntries()) if (e.name === "first-contentful-paint") m.fcp = e.startTime;
		}).observe({type: "paint", buffered: true});
	} catch (e) {}
	const found = () => {
		if (!document.querySelector("#slots .slot")) return false;
		m.inDOM = performance.now();
		requestAnimationFrame(() => setTimeout(() => { m.frame = performance.now(); }, 0));
		return true;
	};
	if (found()) return;
	const mo = new MutationObserver(() => { if (found()) mo.disconnect(); });
	mo.observe(document, {childList: true, subtree: true});
})()`

// installSlotTimer runs slotTimer in every document this browser loads
// from now on (JavaScript on only).
func (b *browser) installSlotTimer() {
	b.t.Helper()
	if !b.js {
		b.t.Fatal("installSlotTimer: the browser has JavaScript off")
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: slotTimer}); err != nil {
		b.t.Fatalf("install the slot timer: %v", err)
	}
}

// measureSlotsVisible reads, on the page just loaded, the time from the
// navigation's start until its free times were visible, logs it and keeps
// it for EnvMetrics.
func (b *browser) measureSlotsVisible(name string) {
	b.t.Helper()
	b.waitJS("the free times in the page", 10*time.Second, `window.__swSlots !== undefined && window.__swSlots.frame > 0`)
	if !b.poll(5*time.Second, `window.__swSlots.fcp > 0`) {
		b.t.Logf("measured %s: no first contentful paint reported; the times are taken as visible at the first frame after they came", name)
	}
	m := slotsVisible{Test: b.t.Name(), Case: name, URL: b.location(), At: time.Now().UTC()}
	raw := value(b, "read the Performance API", chromedp.Evaluate[[]byte](`(() => {
		const n = performance.getEntriesByType("navigation")[0];
		const s = window.__swSlots;
		const res = performance.getEntriesByType("resource");
		const visible = s.fcp > 0 && s.fcp >= s.inDOM ? s.fcp : s.frame;
		return {
			responseStartMs: n.responseStart - n.startTime,
			responseEndMs: n.responseEnd - n.startTime,
			domContentLoadedMs: n.domContentLoadedEventEnd - n.startTime,
			firstContentfulPaintMs: s.fcp > 0 ? s.fcp - n.startTime : -1,
			slotsInDocumentMs: s.inDOM - n.startTime,
			slotsVisibleMs: visible - n.startTime,
			transferBytes: n.transferSize + res.reduce((sum, r) => sum + r.transferSize, 0),
			documentTransferBytes: n.transferSize,
			resourcesFromCache: res.filter(r => r.transferSize === 0).length,
			resourcesOverTheNetwork: res.filter(r => r.transferSize > 0).length,
		};
	})()`))
	if err := json.Unmarshal(raw, &m.Clock); err != nil {
		b.t.Fatalf("Performance API: %v: %s", err, raw)
	}
	b.t.Logf("measured %s: navigation start → free times visible %.1f ms (first byte %.1f ms, times in the document %.1f ms, first contentful paint %.1f ms, DOMContentLoaded %.1f ms; %.0f bytes transferred, %.0f resources from cache) on %s",
		name, m.Clock.SlotsVisible, m.Clock.ResponseStart, m.Clock.SlotsInDocument, m.Clock.FirstContentfulPaint, m.Clock.DOMContentLoaded,
		m.Clock.TransferBytes, m.Clock.ResourcesFromCache, m.URL)
	metrics.Lock()
	metrics.list = append(metrics.list, m)
	metrics.Unlock()
}
