// Retrieval stages in the dashboard (uses el(), api(), table(), fixed() and show() of app.js): the playground's stage
// switches, the settings page's per-index stage defaults, and a search's results with its trace as a table and a
// rank-movement chart (inline SVG drawn here; no chart library, nothing fetched). Data is rendered as text only.
"use strict";

/** Every member of a search's `stages` (SearchStages in the API), grouped in the order the pipeline runs them. */
const STAGE_SWITCHES = [
  { group: "Query", name: "queryUnderstanding", label: "Understanding (phrases, sections, dates)", kind: "bool" },
  { group: "Query", name: "dateHints", label: "Date hints", kind: "bool" },
  { group: "Query", name: "dateHintMode", label: "Date hints as", kind: "choice", choices: ["auto", "boost", "filter"] },
  { group: "Query", name: "routing", label: "Intent routing", kind: "bool" },
  { group: "Query", name: "pseudoRelevanceFeedback", label: "Pseudo-relevance feedback", kind: "bool" },
  { group: "Rewriting (LLM)", name: "rewrite", label: "Rewrite", kind: "bool" },
  { group: "Rewriting (LLM)", name: "multiQuery", label: "Paraphrases", kind: "bool" },
  { group: "Rewriting (LLM)", name: "decompose", label: "Decompose", kind: "bool" },
  { group: "Rewriting (LLM)", name: "stepBack", label: "Step-back", kind: "bool" },
  { group: "Rewriting (LLM)", name: "hyde", label: "HyDE", kind: "bool" },
  { group: "Fusion", name: "fusion", label: "Fusion", kind: "choice", choices: ["rrf", "weighted", "zscore"] },
  { group: "Fusion", name: "rrfK", label: "RRF k", kind: "number", min: 0, step: 1 },
  { group: "Fusion", name: "bm25Weight", label: "BM25 weight", kind: "number", min: 0, step: 0.1 },
  { group: "Fusion", name: "denseWeight", label: "Dense weight", kind: "number", min: 0, step: 0.1 },
  { group: "Fusion", name: "rareTermAnchor", label: "Rare-term anchor", kind: "bool" },
  { group: "Rescoring", name: "secondStage", label: "Second stage", kind: "bool" },
  { group: "Rescoring", name: "rerank", label: "Cross-encoder rerank", kind: "bool" },
  { group: "Rescoring", name: "llmRerank", label: "LLM rerank", kind: "bool" },
  { group: "Hygiene", name: "deduplicate", label: "Near-duplicate suppression", kind: "bool" },
  { group: "Hygiene", name: "mmr", label: "MMR", kind: "bool" },
  { group: "Hygiene", name: "mmrLambda", label: "MMR λ", kind: "number", min: 0, max: 1, step: 0.05 },
];

function stageValueText(value) {
  return value === true ? "on" : value === false ? "off" : value === null || value === undefined ? "–" : String(value);
}

/** An input's value as a stage switch: a boolean, a choice, a number, or null for an empty number field. */
function readSwitch(spec, input) {
  if (spec.kind === "bool") return input.checked;
  if (spec.kind === "choice") return input.value;
  return input.value === "" ? null : Number(input.value);
}

/**
 * The playground's stage switches: every switch shows the value a search of the index runs with (its
 * `effectiveStages`: the index's defaults over the service's settings); the request carries only the ones changed.
 */
function stagePanel(effective, unavailable) {
  effective = effective || {};
  const missing = new Set(unavailable || []);
  const inputs = [];
  const summary = el("span", { id: "stages-summary" });
  const update = () => {
    const changed = Object.entries(value() || {});
    summary.textContent = changed.length === 0 ? "Stages: the index's defaults"
      : `Stages: ${changed.length} changed (${changed.map(([name, v]) => `${name} ${stageValueText(v)}`).join(", ")})`;
  };
  const groups = [...new Set(STAGE_SWITCHES.map(s => s.group))].map(group => el("fieldset", { class: "stage-group" },
    el("legend", {}, group),
    STAGE_SWITCHES.filter(s => s.group === group).map(spec => {
      const id = `stage-${spec.name}`;
      const initial = effective[spec.name] ?? null;
      const input = spec.kind === "bool" ? el("input", { id, type: "checkbox", checked: initial === true, "data-switch": spec.name })
        : spec.kind === "choice" ? el("select", { id, "data-switch": spec.name }, spec.choices.map(c => el("option", { value: c, selected: c === initial }, c)))
        : el("input", { id, type: "number", min: spec.min, max: spec.max, step: spec.step, value: initial ?? "", "data-switch": spec.name });
      input.addEventListener("change", update);
      inputs.push({ spec, input, initial });
      const label = el("label", { for: id, title: `stages.${spec.name}; index default ${stageValueText(initial)}` }, spec.label);
      const note = missing.has(spec.name) ? el("span", { class: "muted unavailable" }, "not configured") : null;
      return el("div", { class: `stage-switch stage-${spec.kind}`, "data-unavailable": missing.has(spec.name) || null },
        spec.kind === "bool" ? [input, label, note] : [label, note, input]);
    })));
  /** The switches that differ from the index's defaults, as the request's `stages`; null when none does. */
  function value() {
    const stages = {};
    for (const { spec, input, initial } of inputs) {
      const current = readSwitch(spec, input);
      // An unknown default reads as off for a checkbox: ticking it is then the change.
      if (current !== null && current !== (spec.kind === "bool" ? initial === true : initial)) stages[spec.name] = current;
    }
    return Object.keys(stages).length ? stages : null;
  }
  const reset = el("button", { type: "button", class: "secondary", onclick: () => {
    for (const { spec, input, initial } of inputs) {
      if (spec.kind === "bool") input.checked = initial === true;
      else input.value = initial ?? "";
    }
    update();
  } }, "Reset to the index's defaults");
  const node = el("details", { class: "stage-panel", id: "stage-panel" },
    el("summary", {}, summary),
    el("div", { class: "stage-groups" }, groups),
    el("div", { class: "inline" }, reset,
      el("span", { class: "muted" }, "Each switch starts at the index's default; only the ones changed go in the request's stages.")));
  update();
  return { node, value };
}

/** The settings page's editor of each index's stage defaults (admins): PUT /v1/indexes/{index}/stages. */
function stageDefaultsEditor(indexes) {
  const card = el("section", { class: "card", id: "stage-defaults", "aria-labelledby": "stage-defaults-title" },
    el("h2", { id: "stage-defaults-title" }, "Stage defaults per index"));
  if (indexes.length === 0) {
    card.append(el("p", { class: "muted" }, "No indexes yet."));
    return card;
  }
  const pick = el("select", { id: "stage-defaults-index" }, indexes.map(ix => el("option", { value: ix.name }, ix.name)));
  const body = el("div", {});
  const render = (ix, message) => {
    const fields = STAGE_SWITCHES.map(spec => {
      const own = ix.stages ? ix.stages[spec.name] ?? null : null;
      const id = `default-${spec.name}`;
      const input = spec.kind === "number"
        ? el("input", { id, type: "number", min: spec.min, max: spec.max, step: spec.step, value: own ?? "", placeholder: "service setting", "data-default": spec.name })
        : el("select", { id, "data-default": spec.name },
          el("option", { value: "", selected: own === null }, "service setting"),
          (spec.kind === "bool" ? [["true", "on"], ["false", "off"]] : spec.choices.map(c => [c, c]))
            .map(([v, text]) => el("option", { value: v, selected: own !== null && String(own) === v }, text)));
      const missing = (ix.unavailableStages || []).includes(spec.name);
      return { spec, input, row: el("tr", { "data-stage": spec.name },
        el("td", {}, el("label", { for: id }, spec.label), " ", el("span", { class: "muted mono" }, spec.name)),
        el("td", {}, input),
        el("td", { class: "effective" }, stageValueText(ix.effectiveStages?.[spec.name]),
          missing ? el("span", { class: "muted unavailable" }, " (not configured: does not run)") : null)) };
    });
    const status = el("p", { class: "muted", id: "stage-defaults-status", role: "status" }, message || "");
    const error = el("p", { class: "error", id: "stage-defaults-error", role: "alert" });
    const save = async stages => {
      try {
        const updated = await api(`/v1/indexes/${encodeURIComponent(ix.name)}/stages`, { method: "PUT", body: stages });
        indexes[indexes.indexOf(ix)] = updated;
        const count = Object.values(updated.stages || {}).filter(v => v !== null).length;
        render(updated, `Saved: ${ix.name} has ${count} stage default${count === 1 ? "" : "s"} of its own; the next search uses them.`);
      } catch (e) {
        if (e.message !== "unauthorized") error.textContent = e.message;
      }
    };
    const form = el("form", { id: "stage-defaults-form", "aria-label": `Stage defaults of ${ix.name}`, onsubmit: event => {
      event.preventDefault();
      const stages = {};
      for (const { spec, input } of fields) {
        if (input.value === "") continue;
        stages[spec.name] = spec.kind === "bool" ? input.value === "true" : spec.kind === "number" ? Number(input.value) : input.value;
      }
      save(stages);
    } },
      table(`Stage defaults of ${ix.name}`, ["Stage switch", "This index", "A search runs with"], fields.map(f => f.row)),
      el("div", { class: "inline" },
        el("button", { type: "submit" }, "Save defaults"),
        el("button", { type: "button", class: "secondary", onclick: () => save({}) }, "Use the service's settings")),
      error, status);
    body.replaceChildren(form);
  };
  pick.addEventListener("change", () => render(indexes.find(ix => ix.name === pick.value)));
  card.append(
    el("p", { class: "muted" }, "What a search of the index runs with when its request does not set a switch. \"Service setting\" follows Retrieval in the configuration; a stage whose model or LLM is not configured here does not run even when on."),
    el("div", { class: "inline" }, el("label", { for: "stage-defaults-index" }, "Index"), pick),
    body);
  render(indexes[0]);
  return card;
}

// ---- a search's results, trace and rank movement -------------------------------------------------------------

/** A hit's short name in the trace and chart: its final rank and file. */
function hitLabel(hit) {
  return `${hit.rank}. ${hit.chunk.fileName || hit.chunk.documentId}`;
}

/** What a stage did to the returned hits' ranks, against the ranking before it. */
function rankChange(step, previous, hits) {
  if (!step.ranks) return "";
  if (!previous) return `first ranking (${hits.filter(h => step.ranks[h.chunk.chunkId]).length} of the hits in it)`;
  const moved = hits.filter(h => previous.ranks[h.chunk.chunkId] !== step.ranks[h.chunk.chunkId]);
  if (moved.length === 0) return "no change";
  const shown = moved.slice(0, 3).map(h => `${hitLabel(h)} ${previous.ranks[h.chunk.chunkId] ?? "–"}→${step.ranks[h.chunk.chunkId] ?? "–"}`);
  return `${moved.length} moved: ${shown.join("; ")}${moved.length > 3 ? "; …" : ""}`;
}

/** The trace as a table: each stage with whether it ran, its time, its note and what it did to the hits' ranks. */
function traceTable(response) {
  const trace = response.trace || { steps: [] };
  const rows = [];
  let previous = null;
  const legs = [];
  const candidates = n => `${n} candidate${n === 1 ? "" : "s"}`;
  if (response.mode !== "dense") legs.push(["bm25 (leg)", trace.bm25Ms, candidates(trace.bm25Candidates), "each hit's BM25 rank"]);
  if (response.mode !== "bm25") legs.push(["dense (leg)", trace.denseMs, `${candidates(trace.denseCandidates)}; query embedded in ${fixed(trace.embedMs, 2)} ms`, "each hit's dense rank"]);
  const legRows = legs.map(([stage, ms, detail, ranks]) => el("tr", { class: "trace-step trace-leg" },
    el("td", {}, stage), el("td", {}, "yes"), el("td", { class: "num" }, fixed(ms, 2)), el("td", {}, detail), el("td", {}, ranks)));
  for (const step of trace.steps) {
    if (step.stage === "prf" || step.stage === "fusion") rows.push(...legRows.splice(0));
    rows.push(el("tr", { class: "trace-step", "data-stage": step.stage },
      el("td", {}, step.stage),
      el("td", {}, step.applied ? "yes" : "no"),
      el("td", { class: "num" }, fixed(step.ms, 2)),
      el("td", {}, step.detail),
      el("td", { class: "rank-change" }, rankChange(step, previous, response.hits))));
    if (step.ranks) previous = step;
  }
  rows.push(...legRows);
  return table("Trace", ["Stage", "Ran", { text: "ms", num: 1 }, "What it did", "Ranks of the hits"], rows);
}

const CHART_COLOURS = ["#0f5bb5", "#a4262c", "#107c10", "#8a5a00", "#5c2d91", "#00727a", "#c239b3", "#4f6bed", "#7a7574", "#ca5010"];

/** The columns of the rank-movement chart: the legs' ranks, each stage that ran on a ranking, and the final rank. */
function rankColumns(response) {
  const hits = response.hits;
  const columns = [];
  if (hits.some(h => h.scores.bm25Rank != null)) columns.push({ label: "BM25", rank: h => h.scores.bm25Rank ?? null });
  if (hits.some(h => h.scores.denseRank != null)) columns.push({ label: "dense", rank: h => h.scores.denseRank ?? null });
  for (const step of response.trace?.steps || []) {
    if (step.ranks && (step.applied || step.stage === "fusion")) columns.push({ label: step.stage, rank: h => step.ranks[h.chunk.chunkId] ?? null });
  }
  columns.push({ label: "final", rank: h => h.rank });
  return columns;
}

/**
 * The rank-movement chart: one line per top hit through its rank after each stage (rank 1 at the top), as inline
 * SVG, with its text alternative (the SVG's title and description, and the same figures as a table).
 */
function rankChart(response) {
  const hits = response.hits.slice(0, 10);
  if (hits.length === 0) return null;
  const columns = rankColumns(response);
  const observed = Math.max(...hits.flatMap(h => columns.map(c => c.rank(h) || 0)));
  const rows = Math.max(hits.length, Math.min(hits.length + 2, observed)); // ranks past it share the bottom row, labelled
  const colW = 100, rowH = 22, left = 46, top = 30, right = 230;
  const width = left + columns.length * colW + right, height = top + (rows + 1) * rowH + 8;
  const x = i => left + i * colW + colW / 2;
  const y = rank => top + (Math.min(rank, rows + 1) - 0.5) * rowH;
  const parts = [];
  for (let r = 1; r <= rows + (observed > rows ? 1 : 0); r++) {
    parts.push(svg("line", { x1: left, x2: left + columns.length * colW, y1: y(r), y2: y(r), class: "grid" }));
    if (r === 1 || r % 5 === 0 || r === rows || r > rows) parts.push(svg("text", { x: left - 8, y: y(r) + 4, "text-anchor": "end", class: "axis" }, r > rows ? `>${rows}` : r));
  }
  columns.forEach((column, i) => parts.push(svg("text", { x: x(i), y: top - 12, "text-anchor": "middle", class: "axis" }, column.label)));
  hits.forEach((hit, n) => {
    const colour = CHART_COLOURS[n % CHART_COLOURS.length];
    const points = columns.map((column, i) => ({ i, rank: column.rank(hit), column }));
    const lines = [];
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1], b = points[i];
      if (a.rank != null && b.rank != null) lines.push(svg("line", { x1: x(a.i), y1: y(a.rank), x2: x(b.i), y2: y(b.rank), stroke: colour, "stroke-width": 2 }));
    }
    const marks = points.filter(p => p.rank != null).flatMap(p => [
      svg("circle", { cx: x(p.i), cy: y(p.rank), r: 4, fill: colour }, svg("title", {}, `${hitLabel(hit)}: rank ${p.rank} after ${p.column.label}`)),
      p.rank > rows ? svg("text", { x: x(p.i) + 7, y: y(p.rank) - 6, class: "axis" }, p.rank) : null,
    ]);
    const label = hitLabel(hit);
    parts.push(svg("g", { class: "hit-line", "data-chunk": hit.chunk.chunkId }, lines, marks,
      svg("text", { x: x(columns.length - 1) + 12, y: y(hit.rank) + 4, class: "label" }, label.length > 34 ? `${label.slice(0, 33)}…` : label)));
  });
  const description = hits.map(h => `${hitLabel(h)}: ${columns.map(c => `${c.label} ${c.rank(h) ?? "absent"}`).join(", ")}.`).join(" ");
  const chart = svg("svg", { id: "rank-chart", class: "rank-chart", role: "img", width, height, viewBox: `0 0 ${width} ${height}`,
    "aria-labelledby": "rank-chart-title", "aria-describedby": "rank-chart-desc" },
    svg("title", { id: "rank-chart-title" }, `Rank of the top ${hits.length} hits after each stage`),
    svg("desc", { id: "rank-chart-desc" }, description),
    parts);
  const asTable = table("Rank of each hit after each stage", ["Hit", ...columns.map(c => ({ text: c.label, num: 1 }))],
    hits.map(h => el("tr", { class: "rank-row" }, el("td", {}, hitLabel(h)), columns.map(c => el("td", { class: "num" }, c.rank(h) ?? "–")))));
  return el("section", { class: "card", id: "rank-movement", "aria-labelledby": "rank-movement-title" },
    el("h2", { id: "rank-movement-title" }, "Rank movement"),
    el("p", { class: "muted" }, "Each line is a hit: its rank in the BM25 and dense legs, after each stage that ran on the ranking, and in the answer (1 at the top; a missing point: not in that ranking)."),
    el("div", { class: "chart-wrap", tabindex: "0", role: "region", "aria-label": "Rank movement chart" }, chart),
    el("details", { id: "rank-table" }, el("summary", {}, "The chart as a table"), asTable));
}

function renderSearch(target, response) {
  const hits = response.hits.map(hit => el("tr", { class: "hit", "data-chunk": hit.chunk.chunkId },
    el("td", { class: "num" }, hit.rank),
    el("td", { class: "num" }, fixed(hit.score, 4)),
    el("td", {}, hit.chunk.fileName || hit.chunk.documentId, el("div", { class: "muted" }, (hit.chunk.sectionPath || []).join(" › "))),
    el("td", { class: "hit-text" }, hit.chunk.text.length > 300 ? `${hit.chunk.text.slice(0, 300)}…` : hit.chunk.text),
    el("td", { class: "num" }, hit.scores.bm25Rank ?? "–"),
    el("td", { class: "num" }, hit.scores.denseRank ?? "–"),
    el("td", { class: "num" }, fixed(hit.scores.fused, 4)),
    el("td", { class: "num" }, fixed(hit.scores.stages?.["second-stage"], 4)),
    el("td", { class: "num" }, fixed(hit.scores.rerank, 4))));
  const settings = Object.entries(response.trace?.settings || {});
  target.replaceChildren(
    el("p", { class: "muted", id: "search-summary" }, `${response.hits.length} hits in ${fixed(response.elapsedMs, 1)} ms (${response.mode})`),
    el("h2", {}, "Hits"),
    table("Hits", [{ text: "Rank", num: 1 }, { text: "Score", num: 1 }, "Document", "Text", { text: "BM25 rank", num: 1 },
      { text: "Dense rank", num: 1 }, { text: "Fused", num: 1 }, { text: "Second stage", num: 1 }, { text: "Rerank", num: 1 }], hits),
    rankChart(response),
    el("h2", {}, "Trace"),
    traceTable(response),
    settings.length ? el("details", { id: "trace-settings" }, el("summary", {}, "Settings the search ran with"),
      el("dl", { class: "settings-list" }, settings.flatMap(([key, value]) => [el("dt", {}, key), el("dd", {}, value)]))) : null);
}
