"use strict";
(function () {
  document.documentElement.classList.add("js");
  var picker = document.getElementById("picker");
  function show(index) {
    var panels = document.querySelectorAll(".panel");
    for (var i = 0; i < panels.length; i++) {
      panels[i].classList.toggle("active", panels[i].getAttribute("data-index") === String(index));
    }
    if (picker && picker.value !== String(index)) { picker.value = String(index); }
  }
  function fromHash() {
    var match = /^#report-(\d+)$/.exec(window.location.hash);
    if (match && document.getElementById("report-" + match[1])) { show(match[1]); return true; }
    return false;
  }
  if (picker) {
    picker.addEventListener("change", function () {
      window.location.hash = "report-" + picker.value;
      show(picker.value);
    });
    if (!fromHash()) { show(picker.value); }
    window.addEventListener("hashchange", fromHash);
  }
  function clear(panel) {
    var marked = panel.querySelectorAll(".hl, .sel");
    for (var i = 0; i < marked.length; i++) { marked[i].classList.remove("hl", "sel"); }
  }
  function select(seg) {
    var panel = seg.closest(".panel");
    clear(panel);
    seg.classList.add("sel");
    var ref = seg.getAttribute("data-ref");
    if (!ref) { return; }
    var rs = Number(seg.getAttribute("data-rs")), re = Number(seg.getAttribute("data-re"));
    var pane = panel.querySelector('.reference[data-ref="' + CSS.escape(ref) + '"]');
    if (!pane) { return; }
    var chunks = pane.querySelectorAll(".src"), first = null;
    for (var i = 0; i < chunks.length; i++) {
      var s = Number(chunks[i].getAttribute("data-s")), e = Number(chunks[i].getAttribute("data-e"));
      if (s < re && rs < e) { chunks[i].classList.add("hl"); first = first || chunks[i]; }
    }
    if (first) { first.scrollIntoView({block: "center", behavior: "auto"}); }
  }
  document.addEventListener("click", function (event) {
    var seg = event.target.closest ? event.target.closest(".seg") : null;
    if (seg) { select(seg); }
  });
  document.addEventListener("keydown", function (event) {
    var seg = event.target.closest ? event.target.closest(".seg") : null;
    if (seg && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); select(seg); }
  });
})();
