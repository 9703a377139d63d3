// Package browsertest holds the browser suite of the web pages: the built
// binary runs as a user would start it (slotwise run --demo on port 0, a
// temporary data dir), e-mail goes to an SMTP server in the test process,
// and Debian's chromium, driven by chromedp, books, pays, reschedules and
// cancels through the pages, with JavaScript on and off. axe-core (npm,
// installed beside this file by .ci/run) audits every page.
//
// The suite runs only with SLOTWISE_BROWSER=1 (it needs chromium and
// node_modules/axe-core); .ci/run runs it as its own step. On a failure,
// screenshots at 360 px and 1280 px are kept in the directory named by
// SLOTWISE_BROWSER_ARTIFACTS (default: a temporary directory, printed).
package browsertest
