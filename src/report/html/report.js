// The report's charts: drawn on canvases from the data embedded above, with
// a shared time axis (wheel to zoom, drag to pan, double-click to reset)
// and hover values. No libraries: the file must open offline.
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("data").textContent);
  const GREEN = "#1a7f37", RED = "#c62828", BLUE = "#2f5fd0", GREY = "#9aa3b5";
  const fmt = (x, d) => (x === null || x === undefined || !isFinite(x)) ? "—" : x.toFixed(d === undefined ? 2 : d);
  const day = (t) => new Date(t).toISOString().replace("T", " ").slice(0, 16);

  // Series per time chart.
  const equity = D.equity.map((p) => ({ t: p[0], v: p[1] }));
  const drawdown = D.drawdown.map((p) => ({ t: p[0], v: p[1] }));
  const trades = D.trades;
  let tMin = Infinity, tMax = -Infinity;
  for (const s of [D.candles.map((c) => c.t), equity.map((p) => p.t)]) {
    for (const t of s) { if (t < tMin) tMin = t; if (t > tMax) tMax = t; }
  }
  if (!isFinite(tMin)) { tMin = 0; tMax = 1; }
  if (tMax === tMin) tMax = tMin + 1;
  const view = { x0: tMin, x1: tMax };

  function setup(id, height) {
    const box = document.getElementById(id);
    const canvas = box.querySelector("canvas");
    const tip = box.querySelector(".tip");
    const ratio = window.devicePixelRatio || 1;
    const w = box.clientWidth || 900;
    canvas.width = w * ratio; canvas.height = height * ratio;
    canvas.style.height = height + "px";
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { box, canvas, tip, ctx, w, h: height, pad: { l: 64, r: 12, t: 8, b: 22 } };
  }

  const xOf = (c, t) => c.pad.l + (t - view.x0) / (view.x1 - view.x0) * (c.w - c.pad.l - c.pad.r);
  const tOf = (c, x) => view.x0 + (x - c.pad.l) / (c.w - c.pad.l - c.pad.r) * (view.x1 - view.x0);
  const visible = (arr) => arr.filter((p) => p.t >= view.x0 && p.t <= view.x1);

  function yScale(c, lo, hi) {
    if (!(hi > lo)) { hi = lo + 1; lo = lo - 1; }
    const span = hi - lo; lo -= span * 0.05; hi += span * 0.05;
    const top = c.pad.t, bottom = c.h - c.pad.b;
    return { lo, hi, y: (v) => bottom - (v - lo) / (hi - lo) * (bottom - top) };
  }

  function axes(c, s, digits) {
    const g = c.ctx;
    g.clearRect(0, 0, c.w, c.h);
    g.strokeStyle = "#eceef2"; g.fillStyle = "#7a8397"; g.font = "11px system-ui, sans-serif"; g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const v = s.lo + (s.hi - s.lo) * i / 4, y = s.y(v);
      g.beginPath(); g.moveTo(c.pad.l, y); g.lineTo(c.w - c.pad.r, y); g.stroke();
      g.fillText(fmt(v, digits), 4, y + 4);
    }
    for (let i = 0; i <= 4; i++) {
      const t = view.x0 + (view.x1 - view.x0) * i / 4;
      const label = day(t);
      g.fillText(label, Math.min(Math.max(xOf(c, t) - 45, c.pad.l), c.w - 100), c.h - 6);
    }
  }

  function line(c, s, pts, color, fill) {
    const g = c.ctx;
    if (!pts.length) return;
    g.beginPath();
    pts.forEach((p, i) => { const x = xOf(c, p.t), y = s.y(p.v); if (i) g.lineTo(x, y); else g.moveTo(x, y); });
    if (fill) {
      g.lineTo(xOf(c, pts[pts.length - 1].t), s.y(fill.base)); g.lineTo(xOf(c, pts[0].t), s.y(fill.base));
      g.closePath(); g.fillStyle = fill.color; g.fill();
    } else { g.strokeStyle = color; g.lineWidth = 1.3; g.stroke(); }
  }

  const charts = {};

  charts.price = { c: setup("price", 340), draw() {
    const c = this.c, g = c.ctx, cs = visible(D.candles);
    let lo = Infinity, hi = -Infinity;
    for (const k of cs) { if (k.l < lo) lo = k.l; if (k.h > hi) hi = k.h; }
    const s = yScale(c, lo, hi); axes(c, s, 2);
    const width = Math.max(1, (c.w - c.pad.l - c.pad.r) / Math.max(cs.length, 1) * 0.7);
    for (const k of cs) {
      const x = xOf(c, k.t), up = k.c >= k.o;
      g.strokeStyle = g.fillStyle = up ? GREEN : RED;
      g.beginPath(); g.moveTo(x, s.y(k.h)); g.lineTo(x, s.y(k.l)); g.stroke();
      const y0 = s.y(Math.max(k.o, k.c)), y1 = s.y(Math.min(k.o, k.c));
      g.fillRect(x - width / 2, y0, width, Math.max(1, y1 - y0));
    }
    // Indicator overlays: one value per candle.
    const PALETTE = ["#e67e22", "#8e44ad", "#16a085", "#d35400", "#2c3e50", "#c0392b"];
    D.overlays.forEach((o, k) => {
      g.strokeStyle = PALETTE[k % PALETTE.length]; g.lineWidth = 1.2; g.beginPath();
      let pen = false;
      D.candles.forEach((candle, i) => {
        const v = o.values[i];
        if (v === null || candle.t < view.x0 || candle.t > view.x1) { pen = false; return; }
        const x = xOf(c, candle.t), y = s.y(v);
        if (pen) g.lineTo(x, y); else g.moveTo(x, y);
        pen = true;
      });
      g.stroke();
      g.fillStyle = PALETTE[k % PALETTE.length]; g.font = "11px system-ui, sans-serif";
      g.fillText(o.name, c.pad.l + 8 + k * 90, c.pad.t + 12);
    });
    c.box.dataset.overlays = String(D.overlays.length);
    let markers = 0;
    for (const tr of trades) {
      const ends = [[tr.entry_t, tr.entry_px, tr.long ? "▲" : "▼", tr.long ? BLUE : "#8e44ad"]];
      if (tr.exit_t !== null) ends.push([tr.exit_t, tr.exit_px, "✕", tr.pnl >= 0 ? GREEN : RED]);
      for (const [t, px, glyph, color] of ends) {
        if (t < view.x0 || t > view.x1) continue;
        g.fillStyle = color; g.font = "11px system-ui, sans-serif";
        g.fillText(glyph, xOf(c, t) - 4, s.y(px) + 4);
      }
      markers++;
    }
    c.box.dataset.markers = String(markers);
    this.s = s;
  }, hover(t) {
    let best = null;
    for (const k of D.candles) { if (!best || Math.abs(k.t - t) < Math.abs(best.t - t)) best = k; }
    return best && `${day(best.t)}\nO ${fmt(best.o)}  H ${fmt(best.h)}\nL ${fmt(best.l)}  C ${fmt(best.c)}`;
  } };

  charts.equity = { c: setup("equity", 220), draw() {
    const c = this.c, pts = visible(equity);
    let lo = Infinity, hi = -Infinity;
    for (const p of pts) { if (p.v < lo) lo = p.v; if (p.v > hi) hi = p.v; }
    const s = yScale(c, lo, hi); axes(c, s, 0);
    // Drawdown shading: the area between the running peak and the equity.
    let peak = -Infinity; const g = c.ctx; g.fillStyle = "rgba(198,40,40,.15)";
    for (let i = 1; i < pts.length; i++) {
      peak = Math.max(peak, pts[i - 1].v);
      const x0 = xOf(c, pts[i - 1].t), x1 = xOf(c, pts[i].t);
      if (pts[i].v < peak) g.fillRect(x0, s.y(peak), Math.max(1, x1 - x0), s.y(pts[i].v) - s.y(peak));
    }
    line(c, s, pts, BLUE);
  }, hover(t) { return nearest(equity, t, (p) => `${day(p.t)}\nEquity ${fmt(p.v)}`); } };

  charts.drawdown = { c: setup("drawdown", 150), draw() {
    const c = this.c, pts = visible(drawdown);
    let lo = 0; for (const p of pts) if (p.v < lo) lo = p.v;
    const s = yScale(c, lo, 0); axes(c, s, 1);
    line(c, s, pts, RED, { base: 0, color: "rgba(198,40,40,.35)" });
  }, hover(t) { return nearest(drawdown, t, (p) => `${day(p.t)}\nDrawdown ${fmt(p.v)} %`); } };

  const scatter = trades.filter((t) => t.exit_t !== null).map((t) => ({ t: t.exit_t, v: t.ret }));
  charts.pnl = { c: setup("pnl", 170), draw() {
    const c = this.c, g = c.ctx, pts = visible(scatter);
    let lo = 0, hi = 0;
    for (const p of pts) { if (p.v < lo) lo = p.v; if (p.v > hi) hi = p.v; }
    const s = yScale(c, lo, hi); axes(c, s, 2);
    g.strokeStyle = GREY; g.beginPath(); g.moveTo(c.pad.l, s.y(0)); g.lineTo(c.w - c.pad.r, s.y(0)); g.stroke();
    for (const p of pts) {
      g.fillStyle = p.v >= 0 ? GREEN : RED;
      g.beginPath(); g.arc(xOf(c, p.t), s.y(p.v), 2.5, 0, 2 * Math.PI); g.fill();
    }
  }, hover(t) { return nearest(scatter, t, (p) => `${day(p.t)}\nTrade ${fmt(p.v)} %`); } };

  function nearest(arr, t, text) {
    let best = null;
    for (const p of arr) { if (!best || Math.abs(p.t - t) < Math.abs(best.t - t)) best = p; }
    return best ? text(best) : null;
  }

  const drawAll = () => { for (const k in charts) charts[k].draw(); };

  for (const k in charts) {
    const ch = charts[k], c = ch.c;
    let drag = null;
    c.canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      const t = tOf(c, e.offsetX), f = e.deltaY > 0 ? 1.25 : 0.8;
      const x0 = t - (t - view.x0) * f, x1 = t + (view.x1 - t) * f;
      view.x0 = Math.max(tMin, x0); view.x1 = Math.min(tMax, x1);
      if (view.x1 - view.x0 < 1000) view.x1 = view.x0 + 1000;
      drawAll();
    }, { passive: false });
    c.canvas.addEventListener("mousedown", (e) => { drag = { x: e.offsetX, x0: view.x0, x1: view.x1 }; });
    window.addEventListener("mouseup", () => { drag = null; });
    c.canvas.addEventListener("mousemove", (e) => {
      if (drag) {
        const dt = (tOf(c, drag.x) - tOf(c, e.offsetX));
        const span = drag.x1 - drag.x0;
        view.x0 = Math.min(Math.max(tMin, drag.x0 + dt), tMax - span); view.x1 = view.x0 + span;
        drawAll();
      }
      const text = ch.hover(tOf(c, e.offsetX));
      if (text) {
        c.tip.textContent = text; c.tip.style.display = "block";
        c.tip.style.left = Math.min(e.offsetX + 12, c.w - 170) + "px"; c.tip.style.top = (e.offsetY + 10) + "px";
      }
    });
    c.canvas.addEventListener("mouseleave", () => { c.tip.style.display = "none"; });
    c.canvas.addEventListener("dblclick", () => { view.x0 = tMin; view.x1 = tMax; drawAll(); });
  }
  drawAll();

  // Monthly returns heatmap.
  const heat = document.getElementById("heatmap");
  const years = [...new Set(D.months.map((m) => m.year))];
  let html = "<tr><th>Year</th>" + ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"].map((m) => `<th>${m}</th>`).join("") + "</tr>";
  const worst = Math.max(1e-9, ...D.months.map((m) => Math.abs(m.return_pct)));
  for (const y of years) {
    html += `<tr><td>${y}</td>`;
    for (let m = 1; m <= 12; m++) {
      const r = D.months.find((x) => x.year === y && x.month === m);
      if (!r) { html += "<td></td>"; continue; }
      const a = Math.min(1, Math.abs(r.return_pct) / worst) * 0.75 + 0.08;
      const bg = r.return_pct >= 0 ? `rgba(26,127,55,${a})` : `rgba(198,40,40,${a})`;
      html += `<td style="background:${bg}" title="${y}-${m}: ${fmt(r.return_pct)} %">${fmt(r.return_pct, 1)}</td>`;
    }
    html += "</tr>";
  }
  heat.innerHTML = html;

  // Sortable trades table.
  const table = document.getElementById("trades");
  const cols = [["#", (t, i) => i + 1], ["Side", (t) => t.long ? "LONG" : "SHORT"], ["Size", (t) => t.size],
    ["Entry", (t) => day(t.entry_t)], ["Entry price", (t) => t.entry_px], ["Exit", (t) => t.exit_t === null ? "open" : day(t.exit_t)],
    ["Exit price", (t) => t.exit_px], ["PnL", (t) => t.pnl], ["Return %", (t) => t.ret], ["MAE %", (t) => t.mae], ["MFE %", (t) => t.mfe]];
  let rows = trades.map((t, i) => cols.map(([, f]) => f(t, i)));
  let sortCol = 0, asc = true;
  function render() {
    const head = "<tr>" + cols.map(([name], i) => `<th data-i="${i}">${name}${i === sortCol ? (asc ? " ▲" : " ▼") : ""}</th>`).join("") + "</tr>";
    const body = rows.map((r) => "<tr>" + r.map((v, i) => {
      const cls = (i === 7 || i === 8) && typeof v === "number" ? (v >= 0 ? "pos" : "neg") : "";
      return `<td class="${cls}">${typeof v === "number" ? fmt(v, i === 0 || i === 2 ? 0 : 2) : v}</td>`;
    }).join("") + "</tr>").join("");
    table.innerHTML = head + body;
    table.querySelectorAll("th").forEach((th) => th.addEventListener("click", () => {
      const i = Number(th.dataset.i); asc = i === sortCol ? !asc : true; sortCol = i;
      rows.sort((a, b) => (a[i] < b[i] ? -1 : a[i] > b[i] ? 1 : 0) * (asc ? 1 : -1)); render();
    }));
  }
  render();
  document.body.dataset.ready = "true";
})();
