// SlotWise pages: progressive enhancement only. Every link and form works
// without this script; with it, the picker (month, day, zone, staff) is
// swapped in place from an HTML fragment and the back button still works.
(function () {
  "use strict";
  var FRAGMENT_HEADER = "SW-Fragment";
  var doc = document;
  doc.documentElement.classList.add("js");

  // Show times in the visitor's zone: a page that shows times in a zone
  // (data-tz) and has no tz in its URL is reloaded with the browser's.
  function detectZone() {
    var el = doc.querySelector("[data-tz]");
    if (!el || !window.Intl || !window.URL) return;
    var url = new URL(location.href);
    if (url.searchParams.has("tz")) return;
    var tz;
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!tz || tz === el.getAttribute("data-tz")) return;
    url.searchParams.set("tz", tz);
    location.replace(url.toString());
  }

  function announce(text) {
    var live = doc.getElementById("live");
    if (!live || !text) return;
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 50);
  }

  var pending = null;

  // swap fetches url's fragment and replaces the element with id target.
  function swap(url, target, opts) {
    var el = doc.getElementById(target);
    if (!el || !window.fetch) { location.assign(url); return; }
    if (pending) pending.abort();
    var ctrl = window.AbortController ? new AbortController() : null;
    pending = ctrl;
    // The id of the focused control inside the region ("" for one without
    // an id), or null when focus is elsewhere.
    var active = doc.activeElement && el.contains(doc.activeElement) ? doc.activeElement.id : null;
    el.setAttribute("aria-busy", "true");
    var headers = {};
    headers[FRAGMENT_HEADER] = "1";
    fetch(url, { headers: headers, credentials: "same-origin", signal: ctrl ? ctrl.signal : undefined })
      .then(function (res) {
        var type = res.headers.get("Content-Type") || "";
        if (!res.ok || type.indexOf("text/html") !== 0) throw new Error("status " + res.status);
        return res.text();
      })
      .then(function (html) {
        var tpl = doc.createElement("template");
        tpl.innerHTML = html;
        var fresh = tpl.content.getElementById(target);
        if (!fresh) throw new Error("no #" + target);
        el.replaceWith(fresh);
        if (opts.push) history.pushState({ swap: target }, "", url);
        placeFocus(opts.focus, active);
        announce(fresh.getAttribute("data-announce"));
      })
      .catch(function (err) {
        if (err && err.name === "AbortError") return;
        location.assign(url);
      })
      .then(function () { if (pending === ctrl) pending = null; });
  }

  // placeFocus moves focus to the slot list after a day was chosen, else
  // back to the control that had it (found again by its id), else to the
  // month's heading, so that focus is never lost to the page's start.
  function placeFocus(focusID, activeID) {
    var el = focusID && doc.getElementById(focusID);
    if (!el && activeID) el = doc.getElementById(activeID);
    if (!el && activeID !== null) el = doc.getElementById("month-heading");
    if (el) el.focus();
  }

  doc.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var a = e.target.closest && e.target.closest("a[data-swap]");
    if (!a || a.origin !== location.origin) return;
    e.preventDefault();
    swap(a.href, a.getAttribute("data-swap"), { push: true, focus: a.getAttribute("data-focus") });
  });

  doc.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.hasAttribute("data-once")) {
      var buttons = form.querySelectorAll("button[type=submit]");
      setTimeout(function () {
        for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
      }, 0);
      return;
    }
    if (!form.hasAttribute("data-swap") || (form.method || "get").toLowerCase() !== "get") return;
    e.preventDefault();
    var url = new URL(form.action, location.href);
    url.search = new URLSearchParams(new FormData(form)).toString();
    swap(url.toString(), form.getAttribute("data-swap"), { push: true });
  });

  doc.addEventListener("change", function (e) {
    var el = e.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      if (el.form.requestSubmit) el.form.requestSubmit();
      else el.form.submit();
    }
  });

  window.addEventListener("popstate", function (e) {
    if (e.state && e.state.swap) swap(location.href, e.state.swap, { push: false });
  });

  // A page restored from the back-forward cache must not keep its
  // buttons disabled.
  window.addEventListener("pageshow", function () {
    var buttons = doc.querySelectorAll("form[data-once] button[disabled]");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
  });

  // Inside a business's frame (the embed layout), tell the page around it
  // how tall this one is, so that its embed script sizes the frame. The
  // message holds nothing but the height, so any parent may read it.
  function postHeight() {
    if (window.parent === window || !doc.body.classList.contains("embed")) return;
    var last = 0;
    function post(load) {
      var h = Math.ceil(doc.documentElement.getBoundingClientRect().height);
      if (h === last && !load) return;
      last = h;
      window.parent.postMessage({ slotwise: "height", height: h, load: load === true }, "*");
    }
    post(true);
    if (window.ResizeObserver) new ResizeObserver(function () { post(false); }).observe(doc.body);
    else window.addEventListener("resize", function () { post(false); });
    window.addEventListener("load", function () { post(false); });
  }

  var picker = doc.getElementById("picker");
  if (picker && history.replaceState) history.replaceState({ swap: "picker" }, "", location.href);
  detectZone();
  postHeight();
})();
