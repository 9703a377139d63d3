// SlotWise embed script. A business pastes, where its booking page should
// appear on its own site:
//   <script src="https://SLOTWISE/embed.js" data-slotwise="SUBDOMAIN" async></script>
// It inserts a frame of /b/SUBDOMAIN/embed right after that tag and keeps
// the frame as tall as the page inside it: those pages post their height,
// and only messages from this frame and from the SlotWise origin (the one
// this script came from) are heard. Optional: data-title names the frame
// for screen readers.
(function () {
  "use strict";
  var doc = document;
  var MAX_HEIGHT = 20000;

  function mount(script) {
    var sub = script.getAttribute("data-slotwise");
    if (!sub || !script.parentNode || script.hasAttribute("data-slotwise-mounted") || !window.URL) return;
    script.setAttribute("data-slotwise-mounted", "");
    var origin = new URL(script.src, location.href).origin;
    var frame = doc.createElement("iframe");
    frame.src = origin + "/b/" + encodeURIComponent(sub) + "/embed";
    frame.title = script.getAttribute("data-title") || "Book an appointment";
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.height = "600px";
    frame.style.border = "0";
    script.parentNode.insertBefore(frame, script.nextSibling);

    var pages = 0;
    window.addEventListener("message", function (e) {
      if (e.origin !== origin || e.source !== frame.contentWindow) return;
      var d = e.data;
      if (!d || d.slotwise !== "height" || typeof d.height !== "number" || !(d.height > 0)) return;
      frame.style.height = Math.min(Math.ceil(d.height), MAX_HEIGHT) + "px";
      // A step of the booking opens at its top: bring that into view when
      // the visitor had scrolled past it.
      if (d.load && pages++ > 0 && frame.getBoundingClientRect().top < 0) frame.scrollIntoView();
    });
  }

  if (doc.currentScript) {
    mount(doc.currentScript);
    return;
  }
  var all = doc.querySelectorAll("script[data-slotwise]");
  for (var i = 0; i < all.length; i++) mount(all[i]);
})();
