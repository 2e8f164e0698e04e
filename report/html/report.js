"use strict";
(function () {
  var table = document.getElementById("findings");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody.finding"));
  var selects = Array.prototype.slice.call(document.querySelectorAll("#filters select"));
  var text = document.getElementById("f-text");
  var shown = document.getElementById("shown");

  function apply() {
    var want = {};
    selects.forEach(function (s) { want[s.dataset.key] = s.value; });
    var q = text.value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (r) {
      var ok = (!want.severity || r.dataset.severity === want.severity) &&
        (!want.category || r.dataset.category === want.category) &&
        (!want.state || r.dataset.state === want.state) &&
        (!want.tool || r.dataset.tool.split(" ").indexOf(want.tool) >= 0) &&
        (!q || (r.dataset.rule + " " + r.dataset.message + " " + r.dataset.where + " " + r.dataset.tool).toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = n + " of " + rows.length;
    document.body.dataset.shown = String(n);
    var h = [];
    selects.forEach(function (s) { if (s.value) { h.push(s.dataset.key + "=" + encodeURIComponent(s.value)); } });
    if (q) { h.push("text=" + encodeURIComponent(text.value.trim())); }
    rows.forEach(function (r) { if (r.classList.contains("open") && !r.hidden) { h.push("open=" + r.dataset.n); } });
    if (sortKey && (sortKey !== "sev" || sortDir !== -1)) { h.push("sort=" + (sortDir < 0 ? "-" : "") + sortKey); }
    var hash = h.length ? "#" + h.join("&") : "";
    if (location.hash !== hash && history.replaceState) {
      try { history.replaceState(null, "", hash || location.pathname + location.search); } catch (e) { /* a page opened from a file may refuse; the filters still apply */ }
    }
  }

  function fromHash() {
    var h = location.hash.replace(/^#/, "");
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i < 0) { return; }
      var k = kv.slice(0, i), v = decodeURIComponent(kv.slice(i + 1));
      if (k === "text") { text.value = v; return; }
      if (k === "sort") { sortFrom = v; return; }
      if (k === "open") {
        var r = document.getElementById("f" + v);
        if (r) { r.classList.add("open"); }
        return;
      }
      selects.forEach(function (s) {
        if (s.dataset.key === k) {
          var has = Array.prototype.some.call(s.options, function (o) { return o.value === v; });
          s.value = has ? v : "";
        }
      });
    });
  }

  var sortKey = "", sortDir = 1, sortFrom = "";
  var sortKeys = ["n", "sev", "state", "category", "tool", "rule", "where", "message"];
  function sortBy(key, dir) {
    sortDir = dir || (key === sortKey ? -sortDir : (key === "sev" ? -1 : 1));
    sortKey = key;
    var numeric = key === "n" || key === "sev";
    var sorted = rows.slice().sort(function (a, b) {
      var x = a.dataset[key], y = b.dataset[key], c;
      if (numeric) { c = Number(x) - Number(y); } else { c = x.localeCompare(y); }
      return c * sortDir || Number(a.dataset.n) - Number(b.dataset.n);
    });
    sorted.forEach(function (r) { table.appendChild(r); });
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      if (th.dataset.sort === key) { th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending"); }
      else { th.removeAttribute("aria-sort"); }
    });
  }

  table.querySelectorAll("th[data-sort]").forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th.dataset.sort); apply(); });
  });
  rows.forEach(function (r) {
    var s = r.querySelector("tr.summary");
    function toggle() { r.classList.toggle("open"); apply(); }
    s.addEventListener("click", toggle);
    s.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
  });
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  window.addEventListener("hashchange", function () { fromHash(); apply(); });
  fromHash();
  // sort=KEY ascending, sort=-KEY descending; by severity by default.
  var fk = sortFrom.replace(/^-/, "");
  if (sortKeys.indexOf(fk) >= 0) { sortBy(fk, sortFrom.charAt(0) === "-" ? -1 : 1); } else { sortBy("sev"); }
  apply();
  document.body.dataset.ready = String(rows.length);
})();
