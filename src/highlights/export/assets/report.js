/* highlights review page: timeline, clip cards, decisions.  Plain JS, no network. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("hl-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var DECISIONS = ["accepted", "rejected", "undecided"];
  var clips = DATA.clips || [];
  var rows = DATA.timeline ? DATA.timeline.rows : [];
  var duration = Math.max(DATA.duration_s || 0, 1);
  clips.forEach(function (c) { duration = Math.max(duration, c.end_s); });
  rows.forEach(function (r) { duration = Math.max(duration, r.t0 + r.n * r.step); });

  // ------------------------------------------------------------------ helpers
  function h(tag, attrs, children) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.append(c); });
    return e;
  }
  function s(tag, attrs, children) {
    var e = document.createElementNS(SVGNS, tag);
    setAttrs(e, attrs);
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.append(c); });
    return e;
  }
  function setAttrs(e, attrs) {
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") e.textContent = v;
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    });
  }
  function pad2(n) { return (n < 10 ? "0" : "") + n; }
  function hms(t, fine) {
    var neg = t < 0;
    t = Math.abs(t);
    var tenths = Math.round(t * 10);
    var whole = fine ? Math.floor(tenths / 10) : Math.round(t);
    var out = Math.floor(whole / 3600) + ":" + pad2(Math.floor(whole / 60) % 60) + ":" +
      pad2(whole % 60);
    if (fine && tenths % 10) out += "." + (tenths % 10);
    return (neg ? "\u2212" : "") + out;
  }
  function seconds(d) {
    var v = Math.round(d * 10) / 10;
    return (v > 0 ? "+" : v < 0 ? "\u2212" : "\u00b1") + Math.abs(v) + " s";
  }
  function pct(v) {
    var p = Math.round(v * 100);
    return (p > 0 ? "+" : p < 0 ? "\u2212" : "") + Math.abs(p) + "%";
  }
  function clamp(v, lo, hi) { return Math.min(Math.max(v, lo), hi); }
  function r3(v) { return Math.round(v * 1000) / 1000; }
  function kbd(k) { return h("kbd", { text: k }); }
  var toastTimer = null;
  function toast(text) {
    var old = document.querySelector(".hl-toast");
    if (old) old.remove();
    var t = h("div", { class: "hl-toast", role: "status", text: text });
    document.body.append(t);
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.remove(); }, 2200);
  }

  // ------------------------------------------------------------------ state
  var state = clips.map(function (c) {
    return { decision: "undecided", start: c.start_s, end: c.end_s };
  });
  var history = [];
  var active = 0;
  var STORE = "highlights-review:" + DATA.page_id;

  function save() {
    try { window.localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* none */ }
  }
  (function restore() {
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(STORE) || "null"); } catch (e) { saved = null; }
    if (!Array.isArray(saved) || saved.length !== state.length) return;
    saved.forEach(function (x, i) {
      if (x && DECISIONS.indexOf(x.decision) >= 0 && isFinite(x.start) && isFinite(x.end) &&
          x.start >= 0 && x.start < x.end) {
        state[i] = { decision: x.decision, start: +x.start, end: +x.end };
      }
    });
  })();

  function same(a, b) { return a.decision === b.decision && a.start === b.start && a.end === b.end; }
  function change(i, next) {
    var prev = { decision: state[i].decision, start: state[i].start, end: state[i].end };
    if (same(prev, next)) return;
    history.push({ i: i, prev: prev });
    state[i] = next;
    save();
    update(i);
  }
  function decide(i, decision) {
    change(i, { decision: decision, start: state[i].start, end: state[i].end });
  }
  function nudge(i, edge, delta) {
    var st = state[i];
    var next = { decision: st.decision, start: st.start, end: st.end };
    if (edge === "start") next.start = r3(clamp(st.start + delta, 0, st.end - 1));
    else next.end = r3(clamp(st.end + delta, st.start + 1, duration));
    change(i, next);
  }
  function undo(i) {
    var k = history.length - 1;
    if (i !== undefined) while (k >= 0 && history[k].i !== i) k--;
    if (k < 0) { toast("Nothing to undo"); return; }
    var item = history.splice(k, 1)[0];
    state[item.i] = item.prev;
    save();
    update(item.i);
    setActive(item.i, false);
  }
  function counts() {
    var n = { accepted: 0, rejected: 0, undecided: 0 };
    state.forEach(function (st) { n[st.decision] += 1; });
    return n;
  }
  function reviewDoc() {
    return {
      schema: DATA.review_schema,
      schema_version: DATA.review_schema_version,
      library_version: DATA.library_version,
      page_id: DATA.page_id,
      saved_at: new Date().toISOString(),
      recording: DATA.recording,
      result: DATA.result,
      clips: clips.map(function (c, i) {
        return {
          rank: c.rank, start_s: c.start_s, end_s: c.end_s, peak_s: c.peak_s, score: c.score,
          decision: state[i].decision, edited_start_s: r3(state[i].start),
          edited_end_s: r3(state[i].end)
        };
      })
    };
  }
  function download() {
    var text = JSON.stringify(reviewDoc(), null, 2) + "\n";
    var url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    var a = h("a", { href: url, download: DATA.review_name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    var n = counts();
    toast("Saved " + DATA.review_name + ": " + n.accepted + " accepted, " + n.rejected +
          " rejected, " + n.undecided + " undecided");
  }

  // ------------------------------------------------------------------ header and info
  var summary = h("span", { class: "hl-summary", "aria-live": "polite" });
  function renderSummary() {
    var n = counts();
    summary.replaceChildren(
      h("span", { class: "n-accepted", text: n.accepted + " accepted" }),
      h("span", { class: "n-rejected", text: n.rejected + " rejected" }),
      h("span", { class: "n-undecided", text: n.undecided + " undecided" }));
  }
  (function header() {
    var head = document.getElementById("hl-header");
    head.append(
      h("h1", { text: DATA.title }),
      h("span", { class: "hl-sub", text: hms(DATA.duration_s) + " \u00b7 " + clips.length +
        (clips.length === 1 ? " clip" : " clips") }),
      summary,
      h("span", { class: "hl-spacer" }),
      h("button", { class: "hl-btn", type: "button", "data-action": "help", title: "Keys (?)",
        onclick: function () { toggleHelp(); } }, ["Keys ", kbd("?")]),
      h("button", { class: "hl-btn primary", type: "button", "data-action": "download",
        title: "Save your decisions as " + DATA.review_name, onclick: download },
        ["Download decisions"]));
    renderSummary();

    var info = document.getElementById("hl-info");
    var rec = DATA.recording || {};
    function item(label, value) { return h("span", null, [label + " ", h("b", { text: value })]); }
    info.append(
      item(rec.kind === "chat" ? "Chat log" : "Recording", rec.path || "\u2014"),
      item("Timelines", DATA.timelines_from));
    if (DATA.chat_lag) info.append(item("Chat lag", lagText()));
    info.append(item("Page made", DATA.generated_at + " by highlights " + DATA.library_version));
    (DATA.messages || []).forEach(function (m) {
      info.append(h("span", { class: "hl-message", text: m }));
    });
    var notes = DATA.notes || [];
    if (notes.length) {
      info.append(h("div", { class: "hl-notes", id: "hl-notes" }, [
        h("b", { text: "Data-quality notes" }),
        h("ul", null, notes.map(function (n) { return h("li", { text: n }); }))]));
    }
  })();
  function lagText() {
    var L = DATA.chat_lag;
    var conf = typeof L.confidence === "number" ? L.confidence.toFixed(2) : null;
    var how = L.method === "estimated" ? "estimated, confidence " + conf
      : L.method === "default" ? "default; the estimate was not confident" +
        (conf !== null ? " (" + conf + ")" : "")
      : L.method || "";
    return L.s.toFixed(1) + " s" + (how ? " (" + how + ")" : "");
  }

  // ------------------------------------------------------------------ timeline
  var tl = document.getElementById("hl-timeline");
  var AXIS_H = 24, SCORE_H = 112, SIGNAL_H = 40, COLLAPSED_H = 18, GUTTER = 176, RIGHT = 10;
  var v0 = 0, v1 = duration;
  var minSpan = Math.min(duration, Math.max(10, 20 * ((DATA.result && DATA.result.hop_s) || 0.5)));
  var hideSignals = false;
  var collapsed = {};
  rows.forEach(function (r) {
    collapsed[r.name] = r.kind !== "score" && (r.empty || r.flat || r.weight === 0);
  });
  var svg = s("svg", { id: "hl-timeline-svg", role: "img",
    "aria-label": "Fused score, signals and chosen clips over the stream" });
  var viewText = h("span", { class: "hl-view" });
  var hits = [];
  var plotW = 100, svgW = 100, svgH = 100;

  function xOf(t) { return GUTTER + (t - v0) / (v1 - v0) * plotW; }
  function tOf(x) { return v0 + (x - GUTTER) / plotW * (v1 - v0); }
  function setView(a, b) {
    var span = clamp(b - a, minSpan, duration);
    a = clamp(a, 0, duration - span);
    v0 = a; v1 = a + span;
    renderTimeline();
  }
  function zoom(f, at) {
    var t = at === undefined ? (v0 + v1) / 2 : at;
    setView(t - (t - v0) * f, t + (v1 - t) * f);
  }
  function pan(frac) { var d = (v1 - v0) * frac; setView(v0 + d, v1 + d); }
  function showClip(i) {
    var st = state[i], len = st.end - st.start;
    setView(st.start - len * 0.75, st.end + len * 0.75);
    document.getElementById("hl-timeline-panel").scrollIntoView({ block: "nearest" });
  }

  (function toolbar() {
    var tb = h("div", { class: "hl-toolbar" });
    function btn(label, title, fn, attrs) {
      var b = h("button", Object.assign({ class: "hl-btn", type: "button", title: title,
        onclick: fn }, attrs || {}), [label]);
      tb.append(b);
      return b;
    }
    btn("\u2212", "Zoom out", function () { zoom(1.6); }, { "data-zoom": "out" });
    btn("+", "Zoom in (or use the mouse wheel)", function () { zoom(1 / 1.6); }, { "data-zoom": "in" });
    btn("\u25c0", "Pan left (or drag)", function () { pan(-0.4); }, { "data-zoom": "left" });
    btn("\u25b6", "Pan right (or drag)", function () { pan(0.4); }, { "data-zoom": "right" });
    btn("Whole stream", "Show the whole stream", function () { setView(0, duration); },
        { "data-zoom": "all" });
    if (rows.some(function (r) { return r.kind === "signal"; })) {
      var sig = btn("Signals \u25be", "Show or hide the signal rows", function () {
        hideSignals = !hideSignals;
        sig.textContent = hideSignals ? "Signals \u25b8" : "Signals \u25be";
        sig.setAttribute("aria-expanded", String(!hideSignals));
        renderTimeline();
      }, { "data-toggle": "signals", "aria-expanded": "true" });
    }
    tb.append(viewText);
    if (DATA.chat_lag) {
      tb.append(h("span", { class: "hl-lag", text: "chat signals shifted back " +
        DATA.chat_lag.s.toFixed(1) + " s (the chat lag)" }));
    }
    tl.append(tb, svg);
    if (!rows.length) {
      tl.append(h("div", { class: "hl-no-timeline", text: "Timelines " + DATA.timelines_from +
        ". The clips are shown on the time axis only." }));
    }
  })();

  function visibleRows() {
    return rows.filter(function (r) { return r.kind === "score" || !hideSignals; });
  }
  function rowHeight(r) {
    if (r.kind === "score") return SCORE_H;
    return collapsed[r.name] ? COLLAPSED_H : SIGNAL_H;
  }

  function rowPaths(r, y0, hgt) {
    var i0 = Math.max(0, Math.floor((v0 - r.t0) / r.step) - 1);
    var i1 = Math.min(r.n, Math.ceil((v1 - r.t0) / r.step) + 1);
    var count = i1 - i0;
    if (count <= 0 || r.empty) return null;
    var mid = r.flat;
    function y(q) { return mid ? y0 + hgt / 2 : y0 + hgt - 2 - q / 1000 * (hgt - 4); }
    var lo = r.min || r.mean, hi = r.max || r.mean, mean = r.mean;
    var pts = [];
    var cols = Math.max(1, Math.floor(plotW));
    if (count > cols * 1.5) {
      for (var c = 0; c < cols; c++) {
        var ja = i0 + Math.floor(c * count / cols), jb = i0 + Math.floor((c + 1) * count / cols);
        var a = Infinity, b = -Infinity, sum = 0, k = 0;
        for (var j = ja; j < Math.max(jb, ja + 1); j++) {
          if (mean[j] === null || mean[j] === undefined) continue;
          a = Math.min(a, lo[j]); b = Math.max(b, hi[j]); sum += mean[j]; k += 1;
        }
        pts.push(k ? { x: GUTTER + c + 0.5, lo: a, hi: b, mean: sum / k } : null);
      }
    } else {
      for (var jj = i0; jj < i1; jj++) {
        var m = mean[jj];
        pts.push(m === null ? null : { x: xOf(r.t0 + (jj + 0.5) * r.step), lo: lo[jj], hi: hi[jj], mean: m });
      }
    }
    var line = "", band = "", seg = [];
    function flush() {
      if (!seg.length) return;
      line += "M" + seg.map(function (p) { return p.x.toFixed(1) + " " + y(p.mean).toFixed(1); }).join("L");
      if (r.min) {
        band += "M" + seg.map(function (p) { return p.x.toFixed(1) + " " + y(p.hi).toFixed(1); }).join("L") +
          "L" + seg.slice().reverse().map(function (p) { return p.x.toFixed(1) + " " + y(p.lo).toFixed(1); }).join("L") + "Z";
      }
      seg = [];
    }
    pts.forEach(function (p) { if (p === null) flush(); else seg.push(p); });
    flush();
    return { line: line, band: band };
  }

  function ticks() {
    var steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200];
    var step = steps[steps.length - 1];
    for (var k = 0; k < steps.length; k++) {
      if ((v1 - v0) / steps[k] <= plotW / 80) { step = steps[k]; break; }
    }
    var out = [];
    for (var t = Math.ceil(v0 / step) * step; t <= v1 + 1e-9; t += step) out.push(t);
    return out;
  }

  function renderTimeline() {
    svgW = Math.max(320, Math.floor(tl.clientWidth || 900));
    plotW = Math.max(50, svgW - GUTTER - RIGHT);
    var vis = visibleRows();
    svgH = AXIS_H + (vis.length ? vis.reduce(function (a, r) { return a + rowHeight(r) + 2; }, 0)
                                : 40) + 4;
    svg.setAttribute("width", svgW);
    svg.setAttribute("height", svgH);
    svg.setAttribute("viewBox", "0 0 " + svgW + " " + svgH);
    var kids = [];
    hits = [];
    kids.push(s("rect", { x: 0, y: 0, width: svgW, height: svgH, fill: "#ffffff" }));
    // axis and grid
    var axis = s("g", { class: "axis" });
    var lastRight = -Infinity;
    ticks().forEach(function (t) {
      var x = xOf(t), label = hms(t), w = 6.6 * label.length;
      axis.append(s("line", { x1: x, x2: x, y1: AXIS_H - 4, y2: svgH }));
      var right = x + 3 + w > svgW;            // the last label ends at its tick
      var left = right ? x - 3 - w : x + 3;
      if (left < lastRight + 8) return;        // no label over the previous one
      lastRight = left + w;
      axis.append(s("text", { x: right ? x - 3 : x + 3, y: 15,
        "text-anchor": right ? "end" : "start", text: label }));
    });
    kids.push(axis);
    // clips behind the curves
    var clipLayer = s("g", { class: "clips" });
    kids.push(clipLayer);
    var y = AXIS_H;
    vis.forEach(function (r) {
      var hgt = rowHeight(r);
      var g = s("g", { class: "row", "data-row": r.name });
      g.append(s("line", { x1: 0, x2: svgW, y1: y + hgt + 1, y2: y + hgt + 1, stroke: "#eceef1" }));
      var marker = r.kind === "score" ? "" : (collapsed[r.name] ? "\u25b8 " : "\u25be ");
      g.append(s("text", { class: "row-label", x: 6, y: y + 13,
        "font-weight": r.kind === "score" ? 700 : 400, text: marker + r.name }));
      var desc = [];
      if (r.kind === "signal") desc.push(r.weight === null ? "not weighted" : "weight " + r.weight);
      if (r.description && (r.kind === "score" || !collapsed[r.name])) desc.push(r.description);
      if (r.empty) desc.push("no data");
      if (desc.length && (hgt > COLLAPSED_H)) {
        g.append(s("text", { class: "row-desc", x: 6, y: y + 27, text: desc[0] }));
        if (desc[1] && hgt > 36) g.append(s("text", { class: "row-desc", x: 6, y: y + 39, text: desc[1] }));
      } else if (desc.length) {
        g.append(s("text", { class: "row-desc", x: GUTTER - 6, y: y + 13, "text-anchor": "end",
          text: desc[0] }));
      }
      if (!(r.kind === "signal" && collapsed[r.name])) {
        if (r.kind === "score" && !r.empty && r.lo < 0 && r.hi > 0) {
          var qz = (0 - r.lo) / (r.hi - r.lo) * 1000;
          var yz = y + hgt - 2 - qz / 1000 * (hgt - 4);
          g.append(s("line", { x1: GUTTER, x2: GUTTER + plotW, y1: yz, y2: yz, stroke: "#9aa0a8",
            "stroke-dasharray": "4 3" }));
          g.append(s("text", { class: "row-desc", x: GUTTER - 4, y: yz + 3, "text-anchor": "end", text: "0" }));
        }
        var p = rowPaths(r, y, hgt);
        if (p) {
          if (p.band) g.append(s("path", { d: p.band, fill: r.colour, "fill-opacity": 0.22, stroke: "none",
            "pointer-events": "none" }));
          g.append(s("path", { d: p.line, fill: "none", stroke: r.colour,
            "stroke-width": r.kind === "score" ? 1.6 : 1.1, "pointer-events": "none",
            "stroke-linejoin": "round" }));
        }
      }
      hits.push({ y0: y, y1: y + hgt, row: r });
      kids.push(g);
      y += hgt + 2;
    });
    if (!vis.length) {
      kids.push(s("text", { class: "empty-msg", x: GUTTER, y: AXIS_H + 24,
        text: "No timelines in this result: clips only." }));
    }
    // clip spans
    clips.forEach(function (c, i) {
      var st = state[i];
      var xs = xOf(st.start), xe = xOf(st.end);
      if (xe < GUTTER || xs > GUTTER + plotW) return;
      xs = Math.max(xs, GUTTER); xe = Math.min(xe, GUTTER + plotW);
      var g = s("g", { class: "clip " + st.decision + (i === active ? " active" : ""),
        "data-rank": c.rank });
      g.append(s("rect", { class: "span", x: xs, y: AXIS_H, width: Math.max(xe - xs, 1.5),
        height: svgH - AXIS_H - 2 }, [s("title", { text: "#" + c.rank + "  " + hms(st.start) +
        " \u2013 " + hms(st.end) + "  (" + st.decision + ")" })]));
      if (st.start !== c.start_s || st.end !== c.end_s) {
        var ox = clamp(xOf(c.start_s), GUTTER, GUTTER + plotW);
        var oe = clamp(xOf(c.end_s), GUTTER, GUTTER + plotW);
        g.append(s("rect", { class: "orig", x: ox, y: AXIS_H + 1, width: Math.max(oe - ox, 1),
          height: svgH - AXIS_H - 4 }));
      }
      if (xe - xs > 14) g.append(s("text", { x: xs + 3, y: AXIS_H + 12, text: "#" + c.rank }));
      clipLayer.append(g);
    });
    svg.replaceChildren.apply(svg, kids);
    viewText.textContent = hms(v0) + " \u2013 " + hms(v1) +
      (v1 - v0 < duration - 1e-6 ? "  (zoomed)" : "");
  }

  (function interaction() {
    var drag = null;
    function localX(e) { return e.clientX - svg.getBoundingClientRect().left; }
    function localY(e) { return e.clientY - svg.getBoundingClientRect().top; }
    svg.addEventListener("wheel", function (e) {
      var x = localX(e);
      if (x < GUTTER) return;
      e.preventDefault();
      zoom(e.deltaY > 0 ? 1.25 : 0.8, tOf(x));
    }, { passive: false });
    svg.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      drag = { x: localX(e), v0: v0, v1: v1, moved: false };
      svg.setPointerCapture(e.pointerId);
    });
    svg.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var dx = localX(e) - drag.x;
      if (Math.abs(dx) > 3) { drag.moved = true; svg.classList.add("dragging"); }
      if (drag.moved) {
        var dt = dx / plotW * (drag.v1 - drag.v0);
        setView(drag.v0 - dt, drag.v1 - dt);
      }
    });
    function end(e) {
      if (!drag) return;
      var wasDrag = drag.moved;
      drag = null;
      svg.classList.remove("dragging");
      if (wasDrag || e.type === "pointercancel") return;
      var x = localX(e), y = localY(e);
      if (x < GUTTER) {
        hits.forEach(function (hit) {
          if (y >= hit.y0 && y < hit.y1 && hit.row.kind === "signal") {
            collapsed[hit.row.name] = !collapsed[hit.row.name];
            renderTimeline();
          }
        });
        return;
      }
      var t = tOf(x);
      for (var i = 0; i < clips.length; i++) {
        if (t >= state[i].start && t <= state[i].end) { setActive(i, true); return; }
      }
    }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    window.addEventListener("resize", function () { renderTimeline(); });
  })();

  // ------------------------------------------------------------------ cards
  var cardsBox = document.getElementById("hl-cards");
  var cards = [];

  function sharesBar(contrib) {
    var names = Object.keys(contrib || {}).filter(function (k) { return contrib[k] !== 0; });
    var pos = names.filter(function (k) { return contrib[k] > 0; })
      .sort(function (a, b) { return contrib[b] - contrib[a]; });
    var neg = names.filter(function (k) { return contrib[k] < 0; })
      .sort(function (a, b) { return contrib[a] - contrib[b]; });
    var psum = pos.reduce(function (a, k) { return a + contrib[k]; }, 0);
    var nsum = neg.reduce(function (a, k) { return a - contrib[k]; }, 0);
    var total = psum + nsum;
    var box = h("div", { class: "hl-shares" });
    if (!total) {
      box.append(h("span", { class: "none", text: "No signal shares recorded." }));
      return box;
    }
    var W = 1000, x0 = nsum / total * W;
    var bar = s("svg", { viewBox: "0 0 1000 22", preserveAspectRatio: "none", role: "img",
      "aria-label": "Share of each signal in the clip's score" });
    bar.append(s("rect", { x: 0, y: 0, width: W, height: 22, fill: "#f1f3f6" }));
    var x = x0;
    pos.forEach(function (k) {
      var w = contrib[k] / total * W;
      bar.append(s("rect", { x: x, y: 2, width: w, height: 18, fill: DATA.colours[k] || "#888",
        "data-signal": k, "data-share": contrib[k] }, [s("title", { text: k + " " + pct(contrib[k]) })]));
      x += w;
    });
    x = x0;
    neg.forEach(function (k) {
      var w = -contrib[k] / total * W;
      x -= w;
      bar.append(s("rect", { x: x, y: 5, width: w, height: 12, fill: DATA.colours[k] || "#888",
        "fill-opacity": 0.6, stroke: "#c2362f", "stroke-width": 1.5, "vector-effect": "non-scaling-stroke",
        "data-signal": k, "data-share": contrib[k] }, [s("title", { text: k + " " + pct(contrib[k]) + " (pulled the score down)" })]));
    });
    bar.append(s("line", { x1: x0, x2: x0, y1: 0, y2: 22, stroke: "#111", "stroke-width": 2,
      "vector-effect": "non-scaling-stroke" }));
    var legend = h("div", { class: "hl-legend" });
    pos.concat(neg).slice(0, 8).forEach(function (k) {
      legend.append(h("span", { class: contrib[k] < 0 ? "neg" : "" }, [
        h("span", { class: "sw", style: "background:" + (DATA.colours[k] || "#888") }),
        k + " " + pct(contrib[k])]));
    });
    box.append(bar, legend);
    return box;
  }

  function button(label, action, i, attrs, keyName) {
    var kids = [label];
    if (keyName) kids.push(" ", kbd(keyName));
    return h("button", Object.assign({ class: "hl-btn " + action, type: "button",
      "data-action": action, "data-rank": clips[i].rank }, attrs || {}), kids);
  }

  clips.forEach(function (c, i) {
    var card = h("article", {
      class: "hl-card", id: "clip-" + c.rank, tabindex: "-1",
      "data-rank": c.rank, "data-start-s": c.start_s.toFixed(3), "data-end-s": c.end_s.toFixed(3),
      "data-decision": "undecided", "aria-label": "Clip " + c.rank
    });
    var spanText = h("span", { class: "hl-span", title: "Show on the timeline",
      onclick: function () { showClip(i); } });
    card.append(h("div", { class: "hl-card-head" }, [
      h("span", { class: "hl-rank", text: "#" + c.rank }), spanText,
      h("span", { class: "hl-score", text: "score " + c.score.toFixed(2) }),
      c.label ? h("span", { class: "hl-label", text: c.label }) : null,
      h("span", { class: "hl-badge", text: "undecided" })]));
    if (c.thumbs && c.thumbs.length) {
      card.append(h("div", { class: "hl-thumbs" }, c.thumbs.map(function (th) {
        return h("img", { src: th.src, alt: "frame at " + hms(th.t), title: hms(th.t, true) +
          " \u2014 click to preview from here", width: 160, loading: "lazy",
          onclick: function () { preview(i, th.t); } });
      })));
    }
    var kw = h("div", { class: "hl-kw", "aria-label": "Top chat words" });
    if (c.keywords && c.keywords.length) {
      c.keywords.forEach(function (k) { kw.append(h("span", { class: "kw", text: k })); });
    } else {
      kw.append(h("span", { class: "none", text: DATA.recording.kind === "chat" || rows.some(
        function (r) { return r.name.indexOf("chat_") === 0; }) ? "no chat words" : "no chat" }));
    }
    card.append(h("div", { class: "hl-card-body" }, [sharesBar(c.contributions), kw]));
    card.append(h("div", { class: "hl-edges" }));
    card.append(h("div", { class: "hl-controls" }, [
      button("\u2713 Accept", "accept", i, { title: "Accept this clip" }, "a"),
      button("\u2715 Reject", "reject", i, { title: "Reject this clip" }, "r"),
      h("span", { class: "sep" }),
      "start",
      button("\u22121 s", "nudge-start", i, { "data-delta": -1, title: "Start one second earlier" }, "["),
      button("+1 s", "nudge-start", i, { "data-delta": 1, title: "Start one second later" }, "]"),
      h("span", { class: "sep" }),
      "end",
      button("\u22121 s", "nudge-end", i, { "data-delta": -1, title: "End one second earlier" }, "{"),
      button("+1 s", "nudge-end", i, { "data-delta": 1, title: "End one second later" }, "}"),
      h("span", { class: "sep" }),
      button("\u21b6 Undo", "undo", i, { title: "Undo this clip's last change" }, "u"),
      button("\u25b6 Preview", "preview", i, DATA.preview || c.file ? { title: "Play the clip" }
        : { title: DATA.recording.kind === "chat" ? "A chat-only result has no recording to play"
            : "The recording is not available", disabled: true }, "p")]));
    card.append(h("div", { class: "hl-preview" }));
    card.addEventListener("pointerdown", function () { setActive(i, false); });
    card.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-action]");
      if (!b) return;
      var action = b.getAttribute("data-action");
      var delta = parseFloat(b.getAttribute("data-delta") || "0");
      setActive(i, false);
      if (action === "accept") decide(i, "accepted");
      else if (action === "reject") decide(i, "rejected");
      else if (action === "nudge-start") nudge(i, "start", delta);
      else if (action === "nudge-end") nudge(i, "end", delta);
      else if (action === "undo") undo(i);
      else if (action === "preview") preview(i);
    });
    cards.push(card);
    cardsBox.append(card);
  });
  if (!clips.length) {
    cardsBox.append(h("p", { class: "hl-no-timeline", text: "This result has no clips." }));
  }

  function update(i, quiet) {
    var card = cards[i], st = state[i], c = clips[i];
    DECISIONS.forEach(function (d) { card.classList.toggle(d, st.decision === d); });
    card.setAttribute("data-decision", st.decision);
    card.setAttribute("data-edited-start-s", st.start.toFixed(3));
    card.setAttribute("data-edited-end-s", st.end.toFixed(3));
    card.querySelector(".hl-badge").textContent = st.decision;
    card.querySelector(".hl-span").textContent = hms(st.start, true) + " \u2013 " +
      hms(st.end, true) + " \u00b7 " + (Math.round((st.end - st.start) * 10) / 10) + " s";
    card.querySelector("button.accept").setAttribute("aria-pressed", String(st.decision === "accepted"));
    card.querySelector("button.reject").setAttribute("aria-pressed", String(st.decision === "rejected"));
    var ds = st.start - c.start_s, de = st.end - c.end_s;
    var edges = card.querySelector(".hl-edges");
    if (Math.abs(ds) < 1e-6 && Math.abs(de) < 1e-6) {
      edges.replaceChildren("as chosen: " + hms(c.start_s, true) + " \u2013 " + hms(c.end_s, true) +
        ", peak " + hms(c.peak_s, true));
    } else {
      edges.replaceChildren("edited: start ", h("span", { class: Math.abs(ds) > 1e-6 ? "moved" : "",
        text: seconds(ds) }), ", end ", h("span", { class: Math.abs(de) > 1e-6 ? "moved" : "",
        text: seconds(de) }), " (chosen " + hms(c.start_s, true) + " \u2013 " + hms(c.end_s, true) + ")");
    }
    card.querySelector("button.undo").disabled = !history.some(function (x) { return x.i === i; });
    renderSummary();
    if (!quiet) renderTimeline();
  }

  function setActive(i, scroll) {
    if (!cards.length) return;
    i = clamp(i, 0, cards.length - 1);
    if (cards[active]) cards[active].classList.remove("active");
    active = i;
    cards[i].classList.add("active");
    if (scroll) {
      cards[i].scrollIntoView({ block: "center" });
      cards[i].focus({ preventScroll: true });
    }
    renderTimeline();
  }

  // ------------------------------------------------------------------ preview
  function preview(i, at) {
    var c = clips[i], st = state[i];
    var box = cards[i].querySelector(".hl-preview");
    if (!DATA.preview && !c.file) {
      box.replaceChildren(h("span", { class: "msg", text: DATA.recording.kind === "chat"
        ? "No preview: a chat-only result has no recording."
        : "No preview: the recording is not available." }));
      return;
    }
    var useFile = !!c.file;
    var media = box.querySelector("video, audio");
    if (!media) {
      media = document.createElement(useFile || DATA.preview.kind === "video" ? "video" : "audio");
      media.controls = true;
      media.preload = "metadata";
      media.setAttribute("playsinline", "");
      // Stop at the clip's end: checked every frame while playing (timeupdate alone
      // comes only every quarter second), and only when playback crosses the end, so
      // the producer can still play on past it after a pause.
      var last = 0;
      function check() {
        var stop = parseFloat(media.getAttribute("data-stop") || "NaN");
        if (isFinite(stop) && last < stop - 1e-3 && media.currentTime >= stop - 1e-3) {
          media.pause();
        }
        last = media.currentTime;
      }
      function watch() {
        check();
        if (!media.paused && !media.ended) window.requestAnimationFrame(watch);
      }
      media.addEventListener("timeupdate", check);
      media.addEventListener("play", function () { last = media.currentTime; watch(); });
      media.addEventListener("seeked", function () { last = media.currentTime; });
      media.addEventListener("error", function () {
        if (box.querySelector(".msg")) return;
        box.append(h("div", { class: "msg", text: "The recording could not be played from " +
          (media.currentSrc || media.getAttribute("src")) + " (moved, or a codec this browser " +
          "cannot play)." }));
      });
      box.replaceChildren(media);
    }
    var from = useFile ? 0 : (at === undefined ? st.start : clamp(at, st.start, st.end));
    var src = useFile ? c.file : DATA.preview.src + "#t=" + from.toFixed(2) + "," + st.end.toFixed(2);
    media.setAttribute("data-stop", useFile ? "" : st.end.toFixed(3));
    media.setAttribute("data-rank", c.rank);
    if (media.getAttribute("src") !== src) media.setAttribute("src", src);
    else media.currentTime = from;
    var played = media.play();
    if (played && played.catch) played.catch(function () { /* the user presses play */ });
  }

  // ------------------------------------------------------------------ keys
  var helpBox = document.getElementById("hl-help");
  (function help() {
    var keys = [["a", "accept the clip"], ["r", "reject the clip"], ["[  ]", "start \u22121 s / +1 s"],
      ["{  }", "end \u22121 s / +1 s"], ["u", "undo the last change"], ["j  k", "next / previous clip"],
      ["p", "preview the clip"], ["?", "show or hide these keys"]];
    helpBox.append(h("b", { text: "Keys" }), h("table", null, keys.map(function (k) {
      return h("tr", null, [h("td", null, [kbd(k[0])]), h("td", { text: k[1] })]);
    })));
  })();
  function toggleHelp(show) {
    helpBox.hidden = show === undefined ? !helpBox.hidden : !show;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
              t.isContentEditable)) return;
    if (e.key === "?") { toggleHelp(); e.preventDefault(); return; }
    if (e.key === "Escape") { toggleHelp(false); return; }
    if (!clips.length) return;
    var i = active;
    switch (e.key) {
      case "a": decide(i, "accepted"); break;
      case "r": decide(i, "rejected"); break;
      case "[": nudge(i, "start", -1); break;
      case "]": nudge(i, "start", 1); break;
      case "{": nudge(i, "end", -1); break;
      case "}": nudge(i, "end", 1); break;
      case "u": undo(); break;
      case "j": setActive(i + 1, true); break;
      case "k": setActive(i - 1, true); break;
      case "p": preview(i); break;
      default: return;
    }
    e.preventDefault();
  });

  // ------------------------------------------------------------------ start
  clips.forEach(function (c, i) { update(i, true); });
  setActive(0, false);
  renderTimeline();
  window.highlightsReview = {
    decisions: reviewDoc,
    state: function () { return JSON.parse(JSON.stringify(state)); }
  };
})();
