// What an analysis found, drawn from a job's summary and result rows (results.get): the QC
// verdict, dose-response curves with their IC50 in words, and the plate heatmap. Shared by the
// project's pages; needs page_common.js.

function wellPosition(well) {
  const match = /^([A-Z]{1,2})(\d+)$/.exec(well || "");
  if (!match) return null;
  const letters = match[1];
  const row = letters.length === 1 ? letters.charCodeAt(0) - 65 : (letters.charCodeAt(0) - 64) * 26 + letters.charCodeAt(1) - 65;
  return { row, col: Number(match[2]) - 1 };
}
function plateShape(wells) {
  let rows = 8, cols = 12;
  for (const well of wells) {
    const p = wellPosition(well);
    if (!p) continue;
    if (p.row >= 8 || p.col >= 12) { rows = 16; cols = 24; }
    if (p.row >= 16 || p.col >= 24) { rows = 32; cols = 48; }
  }
  return { rows, cols };
}
const rowName = (r) => r < 26 ? String.fromCharCode(65 + r) : "A" + String.fromCharCode(65 + r - 26);

// Dose-response: points, the 4-parameter logistic fit, the IC50 and its confidence interval.
function curveView(row, ic50) {
  const w = 300, h = 190, l = 40, r = 10, t = 10, b = 30;
  const pts = (row.points || []).filter((p) => p.conc_nM > 0 && isFinite(p.response));
  if (!pts.length) return null;
  const xs = pts.map((p) => Math.log10(p.conc_nM));
  const ys = pts.map((p) => p.response);
  let x0 = Math.min(...xs) - 0.3, x1 = Math.max(...xs) + 0.3;
  let y0 = Math.min(...ys, row.bottom ?? Infinity), y1 = Math.max(...ys, row.top ?? -Infinity);
  const pad = (y1 - y0) * 0.08 || 1; y0 -= pad; y1 += pad;
  const X = (x) => l + (x - x0) / (x1 - x0) * (w - l - r), Y = (y) => t + (1 - (y - y0) / (y1 - y0)) * (h - t - b);
  const svg = el("svg:svg", { width: w, height: h, class: "curve" });
  svg.append(el("svg:line", { x1: l, y1: h - b, x2: w - r, y2: h - b, stroke: "#98a2b3" }));
  svg.append(el("svg:line", { x1: l, y1: t, x2: l, y2: h - b, stroke: "#98a2b3" }));
  for (let d = Math.ceil(x0); d <= x1; ++d) svg.append(el("svg:text", { x: X(d) - 8, y: h - b + 13 }, `1e${d}`));
  svg.append(el("svg:text", { x: w / 2 - 20, y: h - 4 }, "conc (nM)"));
  svg.append(el("svg:text", { x: 2, y: Y(y1) + 8 }, fmt(y1, 3)));
  svg.append(el("svg:text", { x: 2, y: Y(y0) }, fmt(y0, 3)));
  if (ic50 && ic50.ci_low > 0 && ic50.ci_high > 0) {
    const a = X(Math.max(x0, Math.log10(ic50.ci_low))), z = X(Math.min(x1, Math.log10(ic50.ci_high)));
    svg.append(el("svg:rect", { x: a, y: t, width: Math.max(1, z - a), height: h - t - b, fill: "#fde68a", opacity: 0.6, class: "ci-band" }));
  }
  const fit = row.ic50 > 0 && [row.top, row.bottom, row.hill_slope].every((v) => v !== null && isFinite(v));
  if (fit) {
    const path = [];
    for (let i = 0; i <= 80; ++i) {
      const x = x0 + (x1 - x0) * i / 80;
      const y = row.bottom + (row.top - row.bottom) / (1 + Math.pow(10, (Math.log10(row.ic50) - x) * row.hill_slope));
      path.push(`${X(x).toFixed(1)},${Y(y).toFixed(1)}`);
    }
    svg.append(el("svg:polyline", { points: path.join(" "), fill: "none", stroke: "#b42318", "stroke-width": 1.5, class: "fit" }));
    svg.append(el("svg:line", { x1: X(Math.log10(row.ic50)), x2: X(Math.log10(row.ic50)), y1: t, y2: h - b, stroke: "#b42318", "stroke-dasharray": "3 3" }));
  }
  for (const p of pts) svg.append(el("svg:circle", { cx: X(Math.log10(p.conc_nM)), cy: Y(p.response), r: 2.5, fill: "#1d2330" }));
  return svg;
}

function ic50Words(name, ic50) {
  if (!ic50 || ic50.value === null || ic50.value === undefined) {
    return el("div", { class: "ic50 none" }, `${name}: no IC50`, ic50 && ic50.flags && ic50.flags.length ? ` (${ic50.flags.join(", ")})` : "");
  }
  const level = Math.round((ic50.confidence || 0.95) * 100);
  const ci = `${fmt(ic50.ci_low)} to ${fmt(ic50.ci_high)} ${ic50.unit || "nM"}`;
  return el("div", { class: "ic50", "data-compound": name, "data-ic50": ic50.value, "data-ci-low": ic50.ci_low, "data-ci-high": ic50.ci_high },
    el("b", {}, name), `: IC50 ${fmt(ic50.value)} ${ic50.unit || "nM"} (${level}% CI ${ic50.ci_method ? `(${ic50.ci_method}) ` : ""}${ci})`);
}

// A plate heatmap of the first per-well number the analysis gives.
function heatmapView(wellRows) {
  if (!wellRows.length) return null;
  const metric = ["percent_inhibition", "percent_response", "response", "colonies", "migrated_fraction", "value"]
    .find((name) => wellRows.some((row) => typeof row.value[name] === "number"));
  if (!metric) return null;
  const values = wellRows.map((row) => row.value[metric]).filter((v) => typeof v === "number");
  const lo = Math.min(...values), hi = Math.max(...values), span = hi - lo || 1;
  const { rows, cols } = plateShape(wellRows.map((row) => row.key));
  const cw = cols > 12 ? 18 : 28, left = 18, top = 12;
  const svg = el("svg:svg", { width: left + cols * cw, height: top + rows * cw, id: "heatmap", "data-metric": metric });
  for (let c = 0; c < cols; ++c) svg.append(el("svg:text", { x: left + c * cw + 4, y: 9 }, c + 1));
  for (let r = 0; r < rows; ++r) svg.append(el("svg:text", { x: 2, y: top + r * cw + cw / 2 + 3 }, rowName(r)));
  for (const row of wellRows) {
    const p = wellPosition(row.key), v = row.value[metric];
    if (!p || typeof v !== "number") continue;
    const f = (v - lo) / span;
    const colour = `rgb(${Math.round(255 - 200 * f)},${Math.round(245 - 120 * f)},${Math.round(235 - 40 * f)})`;
    svg.append(el("svg:rect", { x: left + p.col * cw + 1, y: top + p.row * cw + 1, width: cw - 2, height: cw - 2, fill: colour,
                                stroke: row.value.excluded ? "#b42318" : "none" },
      el("svg:title", {}, `${row.key}: ${metric} ${fmt(v)}${row.value.compound ? `, ${row.value.compound} ${row.value.conc_nM} nM` : ""}`)));
  }
  return el("div", {}, el("h3", {}, `Plate: ${metric} (${fmt(lo)} to ${fmt(hi)})`), svg);
}

// The QC verdict, the dose-response cards and the heatmap, those the results hold.
function analysisView(summary, rows) {
  const out = [];
  const qc = summary.qc;
  if (qc && qc.z_prime !== undefined) {
    out.push(el("div", { id: "qc" }, "QC: Z′ ", el("b", {}, fmt(qc.z_prime)), " ",
      el("span", { class: `verdict ${qc.pass ? "pass" : "fail"}`, "data-pass": String(qc.pass) }, qc.pass ? "pass" : "fail"),
      el("span", { class: "muted" }, ` (needs ≥ ${qc.threshold})`)));
  }
  const series = rows.filter((row) => row.kind === "series" && row.value && row.value.points);
  if (series.length) {
    out.push(el("h3", {}, "Dose-response"));
    out.push(el("div", { class: "cards" }, series.map((row) => {
      const name = row.value.compound || row.key;
      const ic50 = (summary.series && summary.series[name] && summary.series[name].ic50) ||
                   (summary.ic50 && summary.ic50[name] && summary.ic50[name].ic50) || null;
      return el("div", { class: "card" }, ic50Words(name, ic50), curveView(row.value, ic50));
    })));
  }
  const heat = heatmapView(rows.filter((row) => row.kind === "well"));
  if (heat) out.push(heat);
  return out;
}
