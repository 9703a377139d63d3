// Package browsertest holds the browser suite of the web pages: the built
// binary runs as a user would start it (slotwise run --demo on port 0, a
// temporary data dir), e-mail goes to an SMTP server in the test process,
// and Debian's chromium, driven by chromedp, books, pays, reschedules and
// cancels through the pages, with JavaScript on and off. axe-core (npm,
// installed beside this file by .ci/run) audits every page.
//
// Each test starts its own site; every browser of a test is a browser
// context of its own (cookies, storage, cache) in the one chromium the
// suite starts. A browser is in the demo business's zone (Europe/Berlin)
// unless a test changes it, so that the times read do not depend on the
// host. The tests find elements as a person does where the pages allow
// it: links and buttons by their text, fields by their labels, days and
// times by their accessible names.
//
//   - booking_test.go: a guest books the free service with JavaScript on
//     (focus and live region after choosing a day) and off (every step a
//     real URL, the form posts and redirects); a paid booking with a
//     declined card, then a good one.
//   - manage_test.go: the manage link from the e-mail, reschedule, cancel.
//   - race_test.go: two guests send the same time; one booking.
//   - zone_test.go: a late time moves to the next day in another zone,
//     chosen (no JavaScript) or detected from the browser.
//   - a11y_test.go: axe-core on every page, JavaScript on and off.
//
// The suite runs only with SLOTWISE_BROWSER=1 (it needs chromium and
// node_modules/axe-core); .ci/run runs it as its own step. On a failure,
// screenshots at 360 px and 1280 px are kept in the directory named by
// SLOTWISE_BROWSER_ARTIFACTS (default: a temporary directory, printed).
// SLOTWISE_BROWSER_METRICS names a file for the measured time from
// navigation start to the free times visible (JSON; reported, never
// asserted); SLOTWISE_BROWSER_BIN, a built slotwise to test instead of
// building cmd/slotwise.
package browsertest
