// The evaluation page of the RagService admin dashboard (#/evaluation): the runs in the runs folder (GET /v1/eval/runs,
// written by `rag eval` or by a run started here), a run's metrics table and ablation chart, its per-query drill-down,
// two runs side by side, and a form that starts a run on a BEIR folder on the server (POST /v1/eval/runs) with its
// progress read every second (GET /v1/eval/runs/active) until it ends.
// It uses app.js's helpers (el, api, table, show, hasRole, fixed, bytes, when, me); app.js routes here.
// The chart is SVG drawn here from the same numbers as the table (no chart library, nothing fetched at run time).
"use strict";

const EVAL_PAGE_SIZE = 25;
/** How often a running run's progress is read. */
const EVAL_POLL_MS = 1000;
let evalPollTimer = 0;
/** The metrics table's columns: a metric at a cutoff, as rag eval prints them. */
const EVAL_METRICS = [
  { label: "nDCG@10", k: 10, key: "ndcg" },
  { label: "MRR@10", k: 10, key: "mrr" },
  { label: "Recall@10", k: 10, key: "recall" },
  { label: "Recall@100", k: 100, key: "recall" },
  { label: "P@5", k: 5, key: "precision" },
  { label: "hit@1", k: 1, key: "hit" },
];

function evalMetric(mode, k, key) {
  const at = mode && mode.metrics.find(m => m.k === k);
  return at ? at[key] : null;
}

function evalScore(value) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(4);
}

function evalMs(value) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(value < 10 ? 1 : 0);
}

/** The page's address for a choice of run, compared run, mode, filter and page. */
function evalHref(choice) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(choice)) {
    if (value !== null && value !== undefined && value !== "" && value !== false && !(name === "offset" && Number(value) === 0)) query.set(name, value);
  }
  const text = query.toString();
  return `#/evaluation${text ? `?${text}` : ""}`;
}

function evalRunPath(name) {
  return `/v1/eval/runs/${encodeURIComponent(name)}`;
}

async function evaluationPage(params) {
  if (!hasRole("admin") || !me.system) {
    show(el("h1", {}, "Evaluation"), el("p", { class: "muted" }, "Only the system admin reads evaluation runs."));
    return;
  }
  clearTimeout(evalPollTimer);
  const name = params.get("run");
  const compare = params.get("compare");
  const list = await api("/v1/eval/runs");
  if (!name) {
    const active = await api("/v1/eval/runs/active");
    const runs = el("div", { id: "eval-runs" }, evalRunsTable(list.runs, null, null));
    show(el("h1", {}, "Evaluation"), evalIntro(list), evalStartForm(active, runs), el("h2", {}, "Runs"), runs);
    return;
  }
  const [run, other] = await Promise.all([api(evalRunPath(name)), compare ? api(evalRunPath(compare)) : Promise.resolve(null)]);
  const mode = run.modes.some(m => m.mode === params.get("mode")) ? params.get("mode") : run.modes[0]?.mode;
  const choice = { run: name, compare, mode, missed: params.get("missed") === "1" ? "1" : null, order: params.get("order") === "worst" ? "worst" : null,
    offset: Math.max(0, Number.parseInt(params.get("offset") || "0", 10) || 0) };
  const row = run.modes.find(m => m.mode === mode);
  const queries = row && row.perQuery
    ? await api(`${evalRunPath(name)}/queries?mode=${encodeURIComponent(mode)}&missed=${choice.missed ? "true" : "false"}&order=${choice.order || "run"}&offset=${choice.offset}&limit=${EVAL_PAGE_SIZE}`)
    : null;
  show(
    el("h1", {}, `Evaluation: ${run.dataset} (${run.split})`),
    el("p", {}, el("a", { href: "#/evaluation" }, "All runs")),
    evalRunCard(name, run),
    el("h2", {}, "Metrics"),
    evalMetricsTable(run, choice),
    el("h2", {}, "Ablation chart"),
    evalChart(run),
    other ? evalComparison(name, run, compare, other) : null,
    evalDrillDown(run, row, queries, choice),
    el("h2", {}, "Runs"),
    evalRunsTable(list.runs, name, compare));
}

function evalIntro(list) {
  return el("p", { class: "muted" },
    `Runs written by rag eval or started here, in ${list.directory} (Rag:Evaluation:RunsDirectory; rag eval --out DIR writes elsewhere). `,
    "Open a run for its metrics, ablation chart and per-query drill-down; with a run open, compare it with another.");
}

/** Describes a run's progress in words: its phase, the row being queried, the counts. */
function evalProgressText(p) {
  if (p.state === "succeeded") return `Run written: ${p.run}`;
  if (p.state === "failed") return `The run failed: ${p.error}`;
  if (p.state === "cancelled") return `The run was cancelled: ${p.error}`;
  const counted = p.total > 0 ? `${p.done} of ${p.total}` : `${p.done}`;
  switch (p.phase) {
    case "storing": return `Reading the corpus into index ${p.index}: ${counted} documents queued`;
    case "ingesting": return `Ingesting the corpus: ${counted} documents done`;
    case "querying": return `Querying (${p.row}): ${counted} queries`;
    case "writing": return "Writing the run";
    default: return p.phase;
  }
}

/**
 * The form that starts a run and the progress of the running (or last) run. While a run runs, its progress is read
 * every second into a progress bar and a polite live region; when it ends, the runs table is read again so the new run
 * is listed, and the form is offered again.
 */
function evalStartForm(active, runsHolder) {
  const error = el("p", { class: "error", role: "alert", id: "eval-start-error" });
  const bar = el("progress", { id: "eval-progress-bar", "aria-labelledby": "eval-progress-title", max: 1 });
  const status = el("p", { id: "eval-progress-status", role: "status", "aria-live": "polite" });
  const errors = el("ul", { id: "eval-progress-errors", class: "error" });
  const cancel = el("button", { type: "button", class: "secondary", id: "eval-cancel" }, "Cancel run");
  const progress = el("section", { class: "card", id: "eval-progress", "aria-labelledby": "eval-progress-title", hidden: true },
    el("h3", { id: "eval-progress-title" }, "Run in progress"), bar, status, errors, cancel);
  const start = el("button", { type: "submit", id: "eval-start" }, "Start run");
  const form = el("form", { class: "card", id: "eval-start-form", "aria-labelledby": "eval-start-title" },
    el("h2", { id: "eval-start-title" }, "Start a run"),
    el("p", { class: "muted" }, "A BEIR folder on the server (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) under a folder of ",
      el("span", { class: "mono" }, "Rag:Evaluation:DatasetRoots"), ". Its corpus is ingested into its own index (reused by the next run of the same folder), then its queries are searched."),
    el("div", { class: "form-grid" },
      el("div", {}, el("label", { for: "eval-dataset" }, "Dataset path"),
        el("input", { id: "eval-dataset", name: "dataset", required: true, autocomplete: "off", spellcheck: "false", placeholder: "/data/beir/scifact" })),
      el("div", {}, el("label", { for: "eval-split" }, "Split"), el("input", { id: "eval-split", name: "split", value: "test", required: true })),
      el("div", {}, el("label", { for: "eval-mode" }, "Mode"),
        el("select", { id: "eval-mode", name: "mode" }, [["hybrid", "hybrid"], ["bm25", "bm25"], ["dense", "dense"], ["all", "all three"], ["ablation", "ablation (every stage)"]]
          .map(([value, text]) => el("option", { value }, text)))),
      el("div", {}, el("label", { for: "eval-max-queries" }, "Max queries (optional)"),
        el("input", { id: "eval-max-queries", name: "maxQueries", type: "number", min: 1, step: 1, inputmode: "numeric" })),
      el("div", { class: "align-end" }, start)),
    error);

  let wasRunning = false;
  const render = p => {
    progress.hidden = !p;
    if (!p) return false;
    const running = p.state === "running";
    progress.querySelector("h3").textContent = running ? "Run in progress" : "Last run";
    const counted = running && p.total > 0 && (p.phase === "ingesting" || p.phase === "querying");
    if (counted) { bar.max = p.total; bar.value = p.done; } else if (running) bar.removeAttribute("value"); else { bar.max = 1; bar.value = 1; }
    status.replaceChildren(evalProgressText(p));
    if (p.state === "succeeded" && p.run) status.append(" · ", el("a", { href: evalHref({ run: p.run }) }, "Open it"));
    status.className = p.state === "failed" ? "error" : "";
    errors.replaceChildren(...(p.failedDocuments > 0 ? [el("li", {}, `${p.failedDocuments} documents failed to ingest`), ...p.errors.map(e => el("li", {}, e))] : []));
    cancel.hidden = !running;
    start.disabled = running;
    return running;
  };
  const poll = async () => {
    if (!progress.isConnected) return;
    try {
      const p = await api("/v1/eval/runs/active");
      if (!progress.isConnected) return;
      const running = render(p);
      if (running) { wasRunning = true; evalPollTimer = setTimeout(poll, EVAL_POLL_MS); return; }
      if (wasRunning) {
        wasRunning = false;
        const list = await api("/v1/eval/runs");
        if (runsHolder.isConnected) runsHolder.replaceChildren(evalRunsTable(list.runs, null, null));
      }
    } catch (e) {
      if (e.message !== "unauthorized" && progress.isConnected) { error.textContent = e.message; evalPollTimer = setTimeout(poll, EVAL_POLL_MS * 5); }
    }
  };

  form.addEventListener("submit", async event => {
    event.preventDefault();
    error.textContent = "";
    const maxQueries = form.querySelector("#eval-max-queries").value;
    start.disabled = true;
    try {
      const p = await api("/v1/eval/runs", { method: "POST", body: {
        dataset: form.querySelector("#eval-dataset").value.trim(), split: form.querySelector("#eval-split").value.trim() || "test",
        mode: form.querySelector("#eval-mode").value, maxQueries: maxQueries ? Number(maxQueries) : null } });
      wasRunning = render(p);
      clearTimeout(evalPollTimer);
      evalPollTimer = setTimeout(poll, EVAL_POLL_MS);
    } catch (e) {
      start.disabled = false;
      if (e.message !== "unauthorized") error.textContent = e.message;
    }
  });
  cancel.addEventListener("click", async () => {
    try { render(await api("/v1/eval/runs/active", { method: "DELETE" })); } catch (e) { if (e.message !== "unauthorized") error.textContent = e.message; }
  });

  if (render(active)) { wasRunning = true; evalPollTimer = setTimeout(poll, EVAL_POLL_MS); }
  return el("div", {}, form, progress);
}

function evalRunsTable(runs, open, compared) {
  if (runs.length === 0) return el("p", { class: "muted", id: "no-runs" }, "No runs yet: start one above, or rag eval --dataset PATH writes one here.");
  const rows = runs.map(r => el("tr", { "data-run": r.name, class: r.name === open ? "selected-row" : null },
    el("td", {}, r.error ? el("span", { class: "mono" }, r.name)
      : el("a", { href: evalHref({ run: r.name }), "aria-current": r.name === open ? "page" : null, class: "mono" }, r.name),
      r.error ? el("div", { class: "error" }, r.error) : null),
    el("td", {}, r.dataset ?? ""),
    el("td", {}, r.split ?? ""),
    el("td", { class: "num" }, r.error ? "" : r.queries),
    el("td", {}, r.embeddingModel ?? ""),
    el("td", { class: "num" }, r.error ? "" : r.modes),
    el("td", { class: "num" }, r.bestNdcg10 === null ? "" : evalScore(r.bestNdcg10)),
    el("td", {}, r.bestMode ?? ""),
    el("td", { class: "updated" }, r.at ? when(r.at) : ""),
    open ? el("td", {}, r.error || r.name === open ? ""
      : r.name === compared ? "compared"
      : el("a", { href: evalHref({ run: open, compare: r.name }), "aria-label": `Compare ${open} with ${r.name}` }, "Compare")) : null));
  return table("Evaluation runs", ["Run", "Dataset", "Split", { text: "Queries", num: 1 }, "Model", { text: "Rows", num: 1 },
    { text: "Best nDCG@10", num: 1 }, "Best row", "When", open ? "Compare" : null].filter(Boolean), rows);
}

function evalRunCard(name, run) {
  const item = (term, value) => [el("dt", {}, term), el("dd", {}, value)];
  return el("section", { class: "card", id: "run-card", "aria-label": "Run" },
    el("dl", { class: "facts" },
      item("Run", el("span", { class: "mono" }, name)),
      item("Dataset", `${run.dataset} · split ${run.split} · ${run.queries} queries`),
      item("Dataset path", el("span", { class: "mono" }, run.datasetPath)),
      item("Index", `${run.index} · ${run.embeddingModel} · chunks of ${run.chunkMaxTokens} tokens${run.contextualHeader ? " with header" : ""} · ${run.vectors} vectors · ${bytes(run.indexBytes)}`),
      item("Queries sent", run.transport),
      item("When", `${when(run.at)} · ${run.cores} cores`)));
}

function evalMetricsTable(run, choice) {
  const best = EVAL_METRICS.map(c => Math.max(...run.modes.map(m => evalMetric(m, c.k, c.key) ?? -1)));
  const rows = run.modes.map(m => el("tr", { "data-mode": m.mode },
    el("th", { scope: "row" }, m.perQuery
      ? el("a", { href: `${evalHref(Object.assign({}, choice, { mode: m.mode, offset: 0 }))}`, "aria-label": `Queries of ${m.mode}` }, m.mode)
      : m.mode),
    EVAL_METRICS.map((c, i) => {
      const value = evalMetric(m, c.k, c.key);
      return el("td", { class: value !== null && value === best[i] && run.modes.length > 1 ? "num best" : "num", "data-metric": c.label }, evalScore(value));
    }),
    el("td", { class: "num", "data-metric": "p50" }, evalMs(m.latency.p50Ms)),
    el("td", { class: "num", "data-metric": "p95" }, evalMs(m.latency.p95Ms)),
    el("td", { class: "num", "data-metric": "p99" }, evalMs(m.latency.p99Ms)),
    el("td", { class: "num" }, m.queryCount)));
  return table(`Metrics of ${run.dataset} (${run.split})`, [{ text: "Row" }, ...EVAL_METRICS.map(c => ({ text: c.label, num: 1 })),
    { text: "p50 ms", num: 1 }, { text: "p95 ms", num: 1 }, { text: "p99 ms", num: 1 }, { text: "Queries", num: 1 }], rows);
}

/** An SVG element with attributes (never HTML: text goes in as text nodes). */
/** Horizontal bars, two per row (nDCG@10 and Recall@10) on a 0–1 axis, in the table's order. */
function evalChart(run) {
  const labelWidth = 300, barArea = 600, rowHeight = 34, top = 34, width = labelWidth + barArea + 70;
  const height = top + run.modes.length * rowHeight + 24;
  const x = v => labelWidth + Math.max(0, Math.min(1, v)) * barArea;
  const series = [{ label: "nDCG@10", k: 10, key: "ndcg", cls: "bar-ndcg" }, { label: "Recall@10", k: 10, key: "recall", cls: "bar-recall" }];
  const grid = [0, 0.25, 0.5, 0.75, 1].map(v => svg("g", {},
    svg("line", { x1: x(v), x2: x(v), y1: top - 6, y2: height - 20, class: "grid" }),
    svg("text", { x: x(v), y: height - 6, "text-anchor": "middle", class: "axis" }, v.toFixed(2))));
  const legend = series.map((s, i) => svg("g", {},
    svg("rect", { x: labelWidth + i * 130, y: 6, width: 14, height: 14, class: s.cls }),
    svg("text", { x: labelWidth + i * 130 + 20, y: 18, class: "axis" }, s.label)));
  const bars = run.modes.map((m, row) => {
    const y = top + row * rowHeight;
    return svg("g", { "data-mode": m.mode },
      svg("text", { x: labelWidth - 8, y: y + 18, "text-anchor": "end", class: "label" }, m.mode.length > 42 ? `${m.mode.slice(0, 41)}…` : m.mode),
      series.map((s, i) => {
        const value = evalMetric(m, s.k, s.key) ?? 0;
        return svg("g", {},
          svg("rect", { x: labelWidth, y: y + 3 + i * 13, width: Math.max(1, x(value) - labelWidth), height: 12, class: s.cls, "data-value": value.toFixed(4) },
            svg("title", {}, `${m.mode}: ${s.label} ${value.toFixed(4)}`)),
          svg("text", { x: x(value) + 4, y: y + 13 + i * 13, class: "value" }, value.toFixed(3)));
      }));
  });
  return el("figure", { class: "card chart" },
    svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-caption", id: "ablation-chart", preserveAspectRatio: "xMinYMin meet" },
      grid, legend, bars),
    el("figcaption", { id: "chart-caption", class: "muted" },
      `nDCG@10 and Recall@10 of each row of ${run.dataset} (${run.split}); the metrics table above holds the same numbers.`));
}

/** Two runs side by side: each row (matched by name) with this run's value, the other's and the difference. */
function evalComparison(name, run, otherName, other) {
  const groups = [
    { label: "nDCG@10", value: m => evalMetric(m, 10, "ndcg"), higher: true, format: evalScore },
    { label: "MRR@10", value: m => evalMetric(m, 10, "mrr"), higher: true, format: evalScore },
    { label: "Recall@100", value: m => evalMetric(m, 100, "recall"), higher: true, format: evalScore },
    { label: "p50 ms", value: m => m.latency.p50Ms, higher: false, format: evalMs },
  ];
  const names = [...run.modes.map(m => m.mode), ...other.modes.map(m => m.mode).filter(n => !run.modes.some(m => m.mode === n))];
  const rows = names.map(mode => {
    const a = run.modes.find(m => m.mode === mode), b = other.modes.find(m => m.mode === mode);
    return el("tr", { "data-mode": mode },
      el("th", { scope: "row" }, mode),
      groups.map(g => {
        const va = a ? g.value(a) : null, vb = b ? g.value(b) : null;
        const delta = va !== null && vb !== null ? va - vb : null;
        const better = delta === null || Math.abs(delta) < 1e-12 ? "" : (delta > 0) === g.higher ? " better" : " worse";
        const text = delta === null ? "–" : `${delta > 0 ? "+" : delta < 0 ? "−" : "±"}${g.format(Math.abs(delta))}`;
        return [el("td", { class: "num" }, a ? g.format(va) : "–"), el("td", { class: "num" }, b ? g.format(vb) : "–"),
          el("td", { class: `num delta${better}`, "data-delta": g.label }, text)];
      }).flat());
  });
  const head = el("thead", {},
    el("tr", {}, el("th", { scope: "col", rowspan: 2 }, "Row"), groups.map(g => el("th", { scope: "colgroup", colspan: 3, class: "group" }, g.label))),
    el("tr", {}, groups.map(() => [el("th", { scope: "col", class: "num" }, "this"), el("th", { scope: "col", class: "num" }, "other"),
      el("th", { scope: "col", class: "num" }, "Δ")]).flat()));
  return el("section", { id: "comparison", "aria-labelledby": "comparison-title" },
    el("h2", { id: "comparison-title" }, "Compared with another run"),
    el("p", { class: "muted" }, "This run: ", el("span", { class: "mono" }, name), ` (${run.dataset}, ${run.split}, ${when(run.at)}); other: `,
      el("span", { class: "mono" }, otherName), ` (${other.dataset}, ${other.split}, ${when(other.at)}). Δ is this minus other; rows are matched by name. `,
      el("a", { href: evalHref({ run: name }) }, "Stop comparing")),
    el("div", { class: "table-wrap" }, el("table", { "aria-label": "Two runs compared" }, head, el("tbody", {}, rows))));
}

function evalDrillDown(run, row, page, choice) {
  const section = el("section", { id: "drill", "aria-labelledby": "drill-title" }, el("h2", { id: "drill-title" }, `Queries: ${row ? row.mode : ""}`));
  if (!row || !row.perQuery || !page) {
    section.append(el("p", { class: "muted" }, "This run has no per-query outcomes (written before rag eval recorded them): run it again for the drill-down."));
    return section;
  }
  const form = el("form", { class: "card form-grid drill-form", id: "drill-form" },
    el("div", {}, el("label", { for: "drill-mode" }, "Row"),
      el("select", { id: "drill-mode" }, run.modes.filter(m => m.perQuery).map(m => el("option", { value: m.mode, selected: m.mode === row.mode }, m.mode)))),
    el("div", {}, el("label", { for: "drill-order" }, "Order"),
      el("select", { id: "drill-order" }, el("option", { value: "run", selected: !choice.order }, "as run"),
        el("option", { value: "worst", selected: choice.order === "worst" }, "lowest nDCG@10 first"))),
    el("div", { class: "align-end" }, el("label", { class: "check", for: "drill-missed" },
      el("input", { id: "drill-missed", type: "checkbox", checked: Boolean(choice.missed) }), " Only queries that missed a relevant document in the top 10")),
    el("div", { class: "align-end" }, el("button", { type: "submit" }, "Show")));
  form.addEventListener("submit", event => {
    event.preventDefault();
    location.hash = evalHref({ run: choice.run, compare: choice.compare, mode: form.querySelector("#drill-mode").value,
      missed: form.querySelector("#drill-missed").checked ? "1" : null, order: form.querySelector("#drill-order").value === "worst" ? "worst" : null, offset: 0 });
  });
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = page.offset + page.queries.length;
  const go = offset => () => { location.hash = evalHref(Object.assign({}, choice, { offset })); };
  const rows = page.queries.map(q => el("tr", { "data-query": q.id, class: q.missed > 0 ? "missed-row" : null },
    el("td", {}, el("div", { class: "mono" }, q.id), q.text ? el("div", { class: "query-text" }, q.text) : null),
    el("td", { class: "num", "data-metric": "nDCG@10" }, evalScore(q.ndcg10)),
    el("td", { class: "num", "data-metric": "RR@10" }, evalScore(q.reciprocalRank10)),
    el("td", {}, el("ul", { class: "relevant" }, q.relevant.map(r => el("li", { "data-doc": r.documentId, class: r.missed ? "missed" : "found" },
      el("span", { class: "mono" }, r.documentId),
      r.grade > 1 ? ` (grade ${r.grade})` : "",
      " · ", r.rank === null ? `not retrieved (of ${q.retrieved})` : `rank ${r.rank}`,
      r.missed ? el("span", { class: "state state-failed" }, "missed") : null)))),
    el("td", {}, q.top.length === 0 ? el("span", { class: "muted" }, "nothing retrieved")
      : el("ol", { class: "top-docs" }, q.top.map(id => el("li", { class: q.relevant.some(r => r.documentId === id) ? "relevant-hit mono" : "mono" }, id))))));
  section.append(form,
    el("div", { class: "pager" },
      el("button", { type: "button", class: "secondary", disabled: page.offset === 0, onclick: go(Math.max(0, page.offset - EVAL_PAGE_SIZE)) }, "Previous"),
      el("span", { id: "query-range" }, `${first}–${last} of ${page.total}${choice.missed ? " with a miss" : ""}`),
      el("button", { type: "button", class: "secondary", disabled: last >= page.total, onclick: go(page.offset + EVAL_PAGE_SIZE) }, "Next")),
    table(`Queries of ${row.mode}`, ["Query", { text: "nDCG@10", num: 1 }, { text: "RR@10", num: 1 }, "Relevant documents and their ranks", "First retrieved"], rows));
  return section;
}
