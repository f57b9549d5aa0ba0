// The RagService admin dashboard: a single page over the REST API (see Dashboard/DashboardEndpoints.cs for why
// the key lives in sessionStorage). Data is always rendered as text (textContent), never parsed as HTML.
"use strict";

const KEY = "rag-api-key";
const PAGE_SIZE = 25;
/** Overview and documents re-read the API on their own: often while ingestion runs, now and then when idle. */
const REFRESH_BUSY_MS = 2000;
const REFRESH_IDLE_MS = 10000;
let refreshTimer = 0;
/** The signed-in caller (GET /v1/me): what a role may not do is not offered. */
let me = null;

function hasRole(role) {
  const rank = { reader: 1, ingester: 2, admin: 3 };
  return Boolean(me) && (rank[me.role] || 0) >= rank[role];
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element (charts of eval.js and stages.js), its attributes set and its children appended as nodes or text. */
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Builds an element: attributes (on* and hidden excluded as strings) and children (strings become text nodes). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "onclick" || name === "onsubmit" || name === "onchange") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A call to the REST API with the session's key or token (signin.js); a refused one signs the page out, other errors throw their ProblemDetails text. */
async function api(path, options = {}) {
  const headers = Object.assign(authHeaders(), options.headers || {});
  if (options.body && typeof options.body !== "string") {
    headers["Content-Type"] = "application/json";
    options = Object.assign({}, options, { body: JSON.stringify(options.body) });
  }
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) {
    signOut(`The ${storedToken() ? "token" : "API key"} was refused (401). Sign in again.`);
    throw new Error("unauthorized");
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const problem = await response.json();
      message = [problem.title, problem.detail].filter(Boolean).join(": ") || message;
    } catch { /* not JSON: keep the status line */ }
    throw new Error(message);
  }
  if (response.status === 204) return null;
  return (response.headers.get("Content-Type") || "").includes("json") ? response.json() : response.blob();
}

function stateBadge(state) {
  return el("span", { class: `state state-${state}` }, state);
}

function bytes(n) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function fixed(value, digits) {
  return value === null || value === undefined ? "" : Number(value).toFixed(digits);
}

function table(label, headers, rows) {
  // Focusable and named: a table wider than a phone scrolls inside this frame, by keyboard too.
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": label },
    el("table", { "aria-label": label },
      el("thead", {}, el("tr", {}, headers.map(h => h instanceof Node ? h : el("th", { scope: "col", class: h.num ? "num" : null }, h.text ?? h)))),
      el("tbody", {}, rows)));
}

/** Set when the address moves to another page: the page rendered next takes the focus on its heading, as a page load would. */
let focusHeading = false;
/** The page (the address without its query) shown last: sorting, filtering and paging stay on it and leave the focus alone. */
let shownPath = null;

function show(...nodes) {
  const view = document.getElementById("view");
  // A re-render (the live refresh) must not drop keyboard focus: the focused control is found again in the new
  // nodes (by id, aria-label, sort key, or its text within the same row) and focused there.
  const focused = view.contains(document.activeElement) ? focusSelector(document.activeElement) : null;
  view.replaceChildren(...nodes.filter(node => node !== null && node !== undefined));
  const heading = view.querySelector("h1");
  if (focusHeading && heading && !view.contains(document.activeElement)) {
    focusHeading = false;
    heading.tabIndex = -1;
    heading.focus();
  } else if (focused && !view.contains(document.activeElement)) {
    const again = typeof focused === "string" ? view.querySelector(focused) : focused(view);
    again?.focus({ preventScroll: true });
  }
}

/** How to find a control again after a re-render: a selector, or a function of the view; null when it cannot be. */
function focusSelector(node) {
  if (node.id) return `#${CSS.escape(node.id)}`;
  if (node.getAttribute("aria-label")) return `${node.tagName.toLowerCase()}[aria-label="${CSS.escape(node.getAttribute("aria-label"))}"]`;
  if (node.dataset.sort) return `[data-sort="${CSS.escape(node.dataset.sort)}"]`;
  const row = node.closest("tr[data-document], tr[data-index], tr[data-failure]");
  if (!row) return null;
  const [attribute] = ["data-document", "data-index", "data-failure"].filter(name => row.hasAttribute(name));
  const tag = node.tagName.toLowerCase();
  const text = node.textContent;
  return view => [...view.querySelectorAll(`tr[${attribute}="${CSS.escape(row.getAttribute(attribute))}"] ${tag}`)].find(n => n.textContent === text) || null;
}

/** Re-renders the current page after a while unless the user has moved on; sooner while documents are in flight. */
function refreshLater(busy) {
  clearTimeout(refreshTimer);
  const hash = location.hash;
  refreshTimer = setTimeout(() => {
    if (location.hash !== hash) return;
    // An open editor or a half-typed field is not wiped by a refresh: try again later.
    if (editing.size > 0 || document.activeElement?.closest?.("form, .drop-zone")) refreshLater(busy);
    else route();
  }, busy ? REFRESH_BUSY_MS : REFRESH_IDLE_MS);
}

function failure(error) {
  if (error.message !== "unauthorized") show(el("p", { class: "error", role: "alert" }, error.message));
}

// ---- pages -------------------------------------------------------------------------------------------------

async function overview() {
  const { indexes } = await api("/v1/indexes");
  // The last hour of the service's own metrics (admins), and each index's most recent failures.
  const [stats, failures] = await Promise.all([
    hasRole("admin") ? api("/v1/stats") : Promise.resolve(null),
    Promise.all(indexes.filter(ix => (ix.documents?.failed || 0) > 0).map(ix =>
      api(`/v1/indexes/${encodeURIComponent(ix.name)}/documents?state=failed&order=recent&limit=5`)
        .then(page => page.documents.map(doc => ({ index: ix.name, doc }))))),
  ]);
  const rows = indexes.map(ix => {
    const d = ix.documents || {};
    return el("tr", { "data-index": ix.name },
      el("td", {}, el("a", { href: `#/indexes/${encodeURIComponent(ix.name)}/documents` }, ix.name)),
      el("td", {}, stateBadge(ix.health), ix.error ? el("div", { class: "error" }, ix.error) : null),
      el("td", { class: "num" }, d.queued ?? ""),
      el("td", { class: "num" }, d.processing ?? ""),
      el("td", { class: "num" }, d.ready ?? ""),
      el("td", { class: "num" }, d.failed ?? ""),
      el("td", { class: "num" }, d.total ?? ix.documentCount),
      el("td", { class: "num" }, d.chunks ?? ""),
      el("td", { class: "num" }, bytes(ix.sizeOnDiskBytes)),
      el("td", {}, ix.embeddingModel));
  });
  const queue = indexes.reduce((sum, ix) => sum + (ix.documents?.queued || 0) + (ix.documents?.processing || 0), 0);
  const recent = failures.flat().sort((a, b) => b.doc.updatedAt.localeCompare(a.doc.updatedAt)).slice(0, 10);
  show(
    el("h1", {}, "Overview"),
    el("div", { class: "stats", id: "stats" },
      stat("Ingestion queue", `${queue}`, "documents queued or in progress", "stat-queue"),
      stats ? requestStat("Searches", stats.search, stats.minutes, "stat-search") : null,
      stats ? requestStat("Asks", stats.ask, stats.minutes, "stat-ask") : null,
      stats ? stat("Ingested", `${stats.ingestion.ready} ready · ${stats.ingestion.failed} failed`,
        `${fixed(stats.ingestion.readyPerMinute, 2)} documents/min over the last ${fixed(stats.minutes, 0)} min`, "stat-ingestion") : null),
    stats ? activityChart(stats.perMinute || []) : null,
    indexes.length === 0
      ? el("p", { class: "muted" }, "No indexes yet. Create one with PUT /v1/indexes/{name}.")
      : table("Indexes", ["Index", "Health", { text: "Queued", num: 1 }, { text: "Processing", num: 1 }, { text: "Ready", num: 1 },
          { text: "Failed", num: 1 }, { text: "Documents", num: 1 }, { text: "Chunks", num: 1 }, { text: "Size", num: 1 }, "Embedding model"], rows),
    el("h2", {}, "Recent failures"),
    recent.length === 0 ? el("p", { class: "muted", id: "no-failures" }, "No failed documents.")
      : table("Recent failures", ["When", "Index", "Document", "Step", "Reason"], recent.map(({ index, doc }) => el("tr", { "data-failure": doc.documentId },
          el("td", {}, when(doc.updatedAt)),
          el("td", {}, index),
          el("td", {}, el("a", { href: documentHref(index, doc.documentId) }, doc.documentId), el("div", { class: "muted" }, doc.fileName)),
          el("td", {}, doc.failedStep || ""),
          el("td", { class: "error" }, doc.error || "")))));
  refreshLater(queue > 0);
}

/**
 * The last hour minute by minute (admins): searches and asks per minute as stacked bars, and each minute's search
 * p95 as a line over them on its own scale; its text alternative is the SVG's description and a table of the
 * minutes that had any activity.
 */
function activityChart(minutes) {
  if (minutes.length === 0) return null;
  // The whole hour is drawn, the newest minute at the right: a service started a minute ago shows one thin bar.
  const width = 720, height = 170, left = 44, right = 52, top = 14, bottom = 30, slots = 60;
  const plotW = width - left - right, plotH = height - top - bottom;
  const slot = plotW / slots, offset = Math.max(0, slots - minutes.length);
  const maxCount = Math.max(1, ...minutes.map(m => m.searches + m.asks));
  const maxMs = Math.max(1, ...minutes.map(m => m.searchP95Ms || 0));
  const yCount = n => top + plotH - (n / maxCount) * plotH;
  const yMs = ms => top + plotH - (ms / maxMs) * plotH;
  const hhmm = iso => new Date(iso).toISOString().slice(11, 16);
  const parts = [
    svg("line", { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH, class: "grid" }),
    svg("text", { x: left - 6, y: top + 8, "text-anchor": "end", class: "axis" }, maxCount),
    svg("text", { x: left - 6, y: top + plotH, "text-anchor": "end", class: "axis" }, 0),
    svg("text", { x: left + plotW + 6, y: top + 8, class: "axis p95" }, `${fixed(maxMs, maxMs < 10 ? 1 : 0)} ms`),
    svg("text", { x: left, y: height - 8, class: "axis" }, hhmm(new Date(new Date(minutes[minutes.length - 1].start).getTime() - (slots - 1) * 60000))),
    svg("text", { x: left + plotW, y: height - 8, "text-anchor": "end", class: "axis" }, `${hhmm(minutes[minutes.length - 1].start)} UTC`),
  ];
  const line = [];
  minutes.forEach((m, i) => {
    const x = left + (offset + i) * slot;
    const label = `${hhmm(m.start)}: ${m.searches} searches, ${m.asks} asks${m.searchP95Ms != null ? `, search p95 ${fixed(m.searchP95Ms, 1)} ms` : ""}`;
    if (m.searches) parts.push(svg("rect", { x: x + 1, y: yCount(m.searches), width: Math.max(slot - 2, 1), height: top + plotH - yCount(m.searches), class: "bar search" }, svg("title", {}, label)));
    if (m.asks) parts.push(svg("rect", { x: x + 1, y: yCount(m.searches + m.asks), width: Math.max(slot - 2, 1), height: top + plotH - yCount(m.asks), class: "bar ask" }, svg("title", {}, label)));
    if (m.searchP95Ms != null) line.push(`${x + slot / 2},${yMs(m.searchP95Ms)}`);
  });
  if (line.length > 1) parts.push(svg("polyline", { points: line.join(" "), class: "p95-line" }));
  for (const point of line) {
    const [cx, cy] = point.split(",");
    parts.push(svg("circle", { cx, cy, r: 2.5, class: "p95-point" }));
  }
  const busy = minutes.filter(m => m.searches || m.asks || m.ready || m.failed);
  const description = busy.length === 0 ? "No searches, asks or finished documents in this window."
    : busy.map(m => `${hhmm(m.start)}: ${m.searches} searches, ${m.asks} asks, ${m.ready} ready, ${m.failed} failed${m.searchP95Ms != null ? `, search p95 ${fixed(m.searchP95Ms, 1)} ms` : ""}.`).join(" ");
  const chart = svg("svg", { id: "activity-chart", class: "activity-chart", role: "img", viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "xMinYMin meet",
    "aria-labelledby": "activity-chart-title", "aria-describedby": "activity-chart-desc" },
    svg("title", { id: "activity-chart-title" }, `Searches and asks per minute, and the search p95, over the last hour`),
    svg("desc", { id: "activity-chart-desc" }, description),
    parts);
  const ms = v => (v === null || v === undefined ? "–" : fixed(v, 1));
  return el("section", { class: "card", id: "activity", "aria-labelledby": "activity-title" },
    el("h2", { id: "activity-title" }, "Minute by minute"),
    el("p", { class: "muted" }, el("span", { class: "key search" }, "searches"), " and ", el("span", { class: "key ask" }, "asks"),
      " per minute (left scale), ", el("span", { class: "key p95" }, "search p95"), " (right scale); times in UTC."),
    el("div", { class: "chart-wrap" }, chart),
    el("details", { id: "activity-table" }, el("summary", {}, "The minutes as a table"),
      busy.length === 0 ? el("p", { class: "muted" }, "No activity yet.")
        : table("Activity per minute", ["Minute (UTC)", { text: "Searches", num: 1 }, { text: "Search p95 ms", num: 1 }, { text: "Asks", num: 1 },
            { text: "Ask p95 ms", num: 1 }, { text: "Errors", num: 1 }, { text: "Ready", num: 1 }, { text: "Failed", num: 1 }],
          busy.map(m => el("tr", { class: "minute", "data-minute": m.start },
            el("td", {}, hhmm(m.start)), el("td", { class: "num" }, m.searches), el("td", { class: "num" }, ms(m.searchP95Ms)),
            el("td", { class: "num" }, m.asks), el("td", { class: "num" }, ms(m.askP95Ms)),
            el("td", { class: "num" }, m.searchErrors + m.askErrors), el("td", { class: "num" }, m.ready), el("td", { class: "num" }, m.failed))))));
}

function stat(title, value, detail, id) {
  return el("section", { class: "stat card", id, "aria-label": title },
    el("h2", {}, title), el("p", { class: "stat-value" }, value), el("p", { class: "muted" }, detail));
}

function requestStat(title, window, minutes, id) {
  const ms = v => (v === null || v === undefined ? "–" : `${fixed(v, v < 10 ? 1 : 0)} ms`);
  return stat(title, `${fixed(window.perMinute, 2)}/min`,
    `${window.count} in the last ${fixed(minutes, 0)} min${window.errors ? `, ${window.errors} errors` : ""} · p50 ${ms(window.p50Ms)} · p95 ${ms(window.p95Ms)} · p99 ${ms(window.p99Ms)}`, id);
}

/** A document still on its way to ready or failed. */
function inFlight(status) {
  return status !== "ready" && status !== "failed";
}

/** The upload panel of the documents page: kept across the page's live refreshes, so drops and progress survive them. */
let uploadPanel = null;
/** Documents whose tags and ACL editor is open: the live refresh waits while one is. */
const editing = new Set();
/** Open "Replace" rows by document id: kept across the live refreshes (like the upload panel), so a replacement's progress survives them. */
const replacers = new Map();
const replaceKey = (index, documentId) => `${index}/${documentId}`;

const STATES = ["queued", "parsing", "chunking", "embedding", "indexing", "ready", "failed"];
/** The steps a failure is recorded in (FailedSteps in RagService.Core), in pipeline order. */
const FAILED_STEPS = ["upload", "parsing", "chunking", "embedding", "indexing"];
/** The documents table's filters and sort: kept in the page's address and sent as the list route's query parameters. */
const LIST_KEYS = ["state", "name", "tag", "failedStep", "order"];

/** The documents page's address with some of its filters, sort or offset changed ("" or null drops one). */
function documentsHref(index, params, changes) {
  const next = new URLSearchParams();
  for (const key of LIST_KEYS) {
    const value = key in changes ? changes[key] : params.get(key);
    if (value) next.set(key, value);
  }
  next.set("offset", String(changes.offset ?? params.get("offset") ?? 0));
  return `#/indexes/${encodeURIComponent(index)}/documents?${next}`;
}

/** A column header that sorts the table by `key` (the server sorts; a second click turns the direction). */
function sortHeader(index, params, text, key, num) {
  const order = params.get("order") || "";
  const current = order === key ? "ascending" : order === `-${key}` ? "descending" : "none";
  const next = current === "ascending" ? `-${key}` : key;
  return el("th", { scope: "col", class: num ? "num" : null, "aria-sort": current },
    el("button", { type: "button", class: "sort", "data-sort": key,
      onclick: () => { location.hash = documentsHref(index, params, { order: next, offset: 0 }); } },
      text, el("span", { "aria-hidden": "true" }, current === "ascending" ? " ▲" : current === "descending" ? " ▼" : "")));
}

function documentFilters(index, params) {
  const state = el("select", { id: "filter-state" }, ["", ...STATES].map(s => el("option", { value: s, selected: s === (params.get("state") || "") }, s || "any")));
  const name = el("input", { id: "filter-name", type: "search", value: params.get("name") || "" });
  const tag = el("input", { id: "filter-tag", type: "search", value: params.get("tag") || "", placeholder: "key or key:value" });
  const step = el("select", { id: "filter-step" }, ["", ...FAILED_STEPS].map(s => el("option", { value: s, selected: s === (params.get("failedStep") || "") }, s || "any")));
  return el("form", { class: "card filters", id: "document-filters", role: "search", "aria-label": "Filter documents",
    onsubmit: event => {
      event.preventDefault();
      location.hash = documentsHref(index, params, { state: state.value, name: name.value.trim(), tag: tag.value.trim(), failedStep: step.value, offset: 0 });
    } },
    el("div", { class: "form-grid filter-grid" },
      el("div", {}, el("label", { for: "filter-state" }, "State"), state),
      el("div", {}, el("label", { for: "filter-name" }, "Name contains"), name),
      el("div", {}, el("label", { for: "filter-tag" }, "Tag"), tag),
      el("div", {}, el("label", { for: "filter-step" }, "Failed step"), step),
      el("div", { class: "inline align-end" }, el("button", { type: "submit" }, "Filter"),
        el("a", { href: documentsHref(index, params, { state: "", name: "", tag: "", failedStep: "", offset: 0 }) }, "Clear filters"))));
}

async function documents(index, params) {
  const offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
  const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE_SIZE) });
  for (const key of LIST_KEYS) if (params.get(key)) query.set(key, params.get(key));
  const page = await api(`/v1/indexes/${encodeURIComponent(index)}/documents?${query}`);
  const canWrite = hasRole("ingester");
  const rows = page.documents.flatMap(doc => {
    const row = el("tr", { "data-document": doc.documentId },
      el("td", {}, el("a", { href: documentHref(index, doc.documentId) }, doc.documentId)),
      el("td", {}, doc.fileName),
      el("td", {}, stateBadge(doc.status)),
      el("td", { class: "num" }, `${Math.round((doc.progress || 0) * 100)}%`),
      el("td", { class: "num" }, doc.chunkCount),
      el("td", { class: "updated" }, when(doc.updatedAt)),
      el("td", {}, Object.entries(doc.tags || {}).map(([k, v]) => `${k}:${v}`).join(", ")),
      el("td", {}, (doc.acl || []).join(", ")),
      el("td", { class: "failed-step" }, doc.failedStep || ""),
      el("td", { class: "error failure" }, doc.error || ""),
      canWrite ? el("td", { class: "actions" }, documentActions(index, doc)) : null);
    const columns = canWrite ? 11 : 10;
    return [row, editing.has(doc.documentId) ? accessEditor(index, doc, columns) : null,
      replacers.get(replaceKey(index, doc.documentId))].filter(Boolean);
  });
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = page.offset + page.documents.length;
  const go = target => () => { location.hash = documentsHref(index, params, { offset: target }); };
  if (!uploadPanel || uploadPanel.dataset.index !== index) uploadPanel = canWrite ? uploader(index) : null;
  const filtered = ["state", "name", "tag", "failedStep"].some(key => params.get(key));
  show(
    el("h1", {}, `Documents of ${index}`),
    canWrite ? uploadPanel : null,
    documentFilters(index, params),
    el("div", { class: "pager" },
      el("button", { type: "button", class: "secondary", disabled: offset === 0, onclick: go(Math.max(0, offset - PAGE_SIZE)) }, "Previous"),
      el("span", { id: "page-range" }, `${first}–${last} of ${page.total}${filtered ? " matching" : ""}`),
      el("button", { type: "button", class: "secondary", disabled: last >= page.total, onclick: go(offset + PAGE_SIZE) }, "Next"),
      el("a", { href: `#/playground?index=${encodeURIComponent(index)}` }, "Query this index")),
    el("p", { class: "error", id: "action-error", role: "alert" }),
    table(`Documents of ${index}`, ["Document", sortHeader(index, params, "File", "name"), sortHeader(index, params, "State", "state"),
      { text: "Progress", num: 1 }, sortHeader(index, params, "Chunks", "chunks", true), sortHeader(index, params, "Updated", "updated"), "Tags", "ACL",
      "Failed step", "Error", canWrite ? "Actions" : null].filter(Boolean), rows));
  const busy = page.documents.some(doc => inFlight(doc.status)) || uploadPanel?.dataset.busy === "true"
    || [...replacers.values()].some(row => row.dataset.busy === "true");
  refreshLater(busy);
}

function documentActions(index, doc) {
  const cell = [];
  const base = `/v1/indexes/${encodeURIComponent(index)}/documents/${encodeURIComponent(doc.documentId)}`;
  const act = async (call) => {
    try { await call(); route(); } catch (error) { if (error.message !== "unauthorized") document.getElementById("action-error").textContent = error.message; }
  };
  if (doc.status === "failed") {
    cell.push(el("button", { type: "button", class: "secondary", "aria-label": `Retry ${doc.documentId}`,
      onclick: () => act(() => api(`${base}/retry`, { method: "POST" })) }, "Retry"));
  }
  cell.push(el("button", { type: "button", class: "secondary", "aria-label": `Replace ${doc.documentId}`, "aria-expanded": String(replacers.has(replaceKey(index, doc.documentId))),
    onclick: () => {
      const key = replaceKey(index, doc.documentId);
      if (replacers.has(key)) replacers.delete(key);
      else replacers.set(key, replacer(index, doc, 11));
      route();
    } }, "Replace"));
  cell.push(el("button", { type: "button", class: "secondary", "aria-label": `Tags & ACL of ${doc.documentId}`, "aria-expanded": String(editing.has(doc.documentId)),
    onclick: () => { if (editing.has(doc.documentId)) editing.delete(doc.documentId); else editing.add(doc.documentId); route(); } }, "Tags & ACL"));
  const remove = el("button", { type: "button", class: "secondary", "aria-label": `Delete ${doc.documentId}`, onclick: () => {
    remove.replaceWith(el("button", { type: "button", class: "danger", "aria-label": `Confirm delete ${doc.documentId}`,
      onclick: () => act(() => api(base, { method: "DELETE" })) }, "Confirm delete"));
  } }, "Delete");
  cell.push(remove);
  return cell;
}

/** key:value pairs separated by commas or new lines. */
function parseTags(text) {
  const tags = {};
  for (const part of text.split(/[,\n]/).map(t => t.trim()).filter(Boolean)) {
    const colon = part.indexOf(":");
    if (colon <= 0 || colon === part.length - 1) throw new Error(`Tag "${part}" is not of the form key:value.`);
    tags[part.slice(0, colon).trim()] = part.slice(colon + 1).trim();
  }
  return tags;
}

function parseList(text) {
  return text.split(",").map(t => t.trim()).filter(Boolean);
}

function accessEditor(index, doc, columns) {
  const id = doc.documentId.replace(/[^A-Za-z0-9_-]/g, "_");
  const form = el("form", { class: "inline-form", "aria-label": `Tags and ACL of ${doc.documentId}` },
    el("div", {}, el("label", { for: `tags-${id}` }, "Tags (key:value, comma-separated)"),
      el("input", { id: `tags-${id}`, value: Object.entries(doc.tags || {}).map(([k, v]) => `${k}:${v}`).join(", ") })),
    el("div", {}, el("label", { for: `acl-${id}` }, "ACL (user:…, group:…, tenant)"),
      el("input", { id: `acl-${id}`, value: (doc.acl || []).join(", ") })),
    el("button", { type: "submit" }, "Save"),
    el("button", { type: "button", class: "secondary", onclick: () => { editing.delete(doc.documentId); route(); } }, "Cancel"),
    el("p", { class: "error", role: "alert" }));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    try {
      const body = { tags: parseTags(form.querySelector(`#tags-${id}`).value), acl: parseList(form.querySelector(`#acl-${id}`).value) };
      await api(`/v1/indexes/${encodeURIComponent(index)}/documents/${encodeURIComponent(doc.documentId)}`, { method: "PATCH", body });
      editing.delete(doc.documentId);
      route();
    } catch (error) {
      if (error.message !== "unauthorized") form.querySelector(".error").textContent = error.message;
    }
  });
  return el("tr", { class: "editor", "data-editor": doc.documentId }, el("td", { colspan: columns }, form));
}

/**
 * A row under a document to upload a new file for it: the upload route with the document's id replaces it (a new
 * version; the same bytes again change nothing), with the document's tags and ACL sent again so it keeps them.
 */
function replacer(index, doc, columns) {
  const id = doc.documentId.replace(/[^A-Za-z0-9_-]/g, "_");
  const input = el("input", { id: `replace-file-${id}`, type: "file" });
  const entry = { file: null, id: el("input", { type: "hidden", value: doc.documentId }),
    progress: el("progress", { max: 100, value: 0, "aria-label": `Progress of the replacement of ${doc.documentId}` }),
    state: el("span", { class: "upload-state", role: "status" }) };
  const send = el("button", { type: "submit", disabled: true }, "Upload");
  input.addEventListener("change", () => { send.disabled = input.files.length === 0; });
  const tags = Object.entries(doc.tags || {}).map(([k, v]) => `${k}:${v}`).join(", ");
  const acl = (doc.acl || []).join(", ");
  const form = el("form", { class: "inline-form replace-form", "aria-label": `Replace ${doc.documentId}` },
    el("div", {}, el("label", { for: `replace-file-${id}` }, `New file for ${doc.documentId}`), input),
    send,
    el("button", { type: "button", class: "secondary", onclick: () => { replacers.delete(replaceKey(index, doc.documentId)); route(); } }, "Close"),
    entry.progress, entry.state);
  const row = el("tr", { class: "editor", "data-replace": doc.documentId }, el("td", { colspan: columns }, form));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    if (input.files.length === 0) return;
    entry.file = input.files[0];
    entry.state.classList.remove("error");
    entry.state.textContent = "uploading";
    send.disabled = true;
    row.dataset.busy = "true";
    await uploadOne(index, entry, tags, acl);
    row.dataset.busy = "false";
    send.disabled = false;
    route();
  });
  return row;
}

/** Drag and drop (or choose) files; each goes up in its own request with its own progress, documentId, tags and ACL. */
function uploader(index) {
  const list = el("ul", { class: "upload-list", id: "upload-list", "aria-label": "Files to upload" });
  const pending = [];
  const input = el("input", { id: "upload-files", type: "file", multiple: true, class: "visually-hidden" });
  const drop = el("div", { class: "drop-zone", id: "drop-zone" },
    el("p", {}, "Drop files here, or ", el("label", { for: "upload-files", class: "file-label" }, "choose files"), "."), input);
  const add = files => {
    for (const file of files) {
      const n = pending.length;
      const entry = { file, id: el("input", { id: `upload-id-${n}`, placeholder: "from the content", "aria-label": `documentId for ${file.name}` }),
        progress: el("progress", { max: 100, value: 0, "aria-label": `Upload of ${file.name}` }), state: el("span", { class: "upload-state" }, "ready to send") };
      pending.push(entry);
      list.append(el("li", { "data-file": file.name }, el("span", { class: "upload-name" }, `${file.name} (${bytes(file.size)})`), entry.id, entry.progress, entry.state));
    }
    send.disabled = pending.every(p => p.sent);
  };
  input.addEventListener("change", () => { add(input.files); input.value = ""; });
  drop.addEventListener("dragover", event => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", event => { event.preventDefault(); drop.classList.remove("over"); add(event.dataTransfer.files); });
  const tags = el("input", { id: "upload-tags", placeholder: "team:ops, year:2026" });
  const acl = el("input", { id: "upload-acl", placeholder: "tenant" });
  const error = el("p", { class: "error", role: "alert", id: "upload-error" });
  const send = el("button", { type: "button", disabled: true, onclick: async () => {
    error.textContent = "";
    try { parseTags(tags.value); } catch (e) { error.textContent = e.message; return; }
    send.disabled = true;
    panel.dataset.busy = "true";
    await Promise.all(pending.filter(p => !p.sent).map(p => { p.sent = true; return uploadOne(index, p, tags.value, acl.value); }));
    panel.dataset.busy = "false";
    route();
  } }, "Upload");
  const panel = el("section", { class: "card", "aria-labelledby": "upload-title", "data-index": index },
    el("h2", { id: "upload-title" }, "Upload"),
    drop,
    el("div", { class: "form-grid" },
      el("div", {}, el("label", { for: "upload-tags" }, "Tags (key:value, comma-separated)"), tags),
      el("div", {}, el("label", { for: "upload-acl" }, "ACL (user:…, group:…, tenant)"), acl),
      el("div", { class: "align-end" }, send)),
    list, error);
  return panel;
}

/** One file in one multipart request (XMLHttpRequest: fetch reports no upload progress). */
function uploadOne(index, entry, tags, acl) {
  return new Promise(resolve => {
    const form = new FormData();
    form.append("files", entry.file, entry.file.name);
    form.append("documentId", entry.id.value.trim());
    if (acl.trim()) form.append("acl", acl.trim());
    if (tags.trim()) form.append("tags", tags.trim());
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/v1/indexes/${encodeURIComponent(index)}/documents`);
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener("progress", event => {
      if (event.lengthComputable) entry.progress.value = Math.round((event.loaded / event.total) * 100);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status === 401) { signOut("The credential was refused (401). Sign in again."); resolve(); return; }
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 202 && body) {
        const accepted = body.documents[0];
        entry.progress.value = 100;
        entry.id.value = accepted.documentId;
        entry.id.disabled = true;
        entry.state.replaceChildren(el("a", { href: documentHref(index, accepted.documentId) }, accepted.documentId), ` ${accepted.enqueued ? "queued" : "unchanged"}`);
      } else {
        entry.sent = false;
        entry.state.textContent = body ? [body.title, body.detail].filter(Boolean).join(": ") : `${xhr.status} ${xhr.statusText}`;
        entry.state.classList.add("error");
      }
      resolve();
    });
    xhr.addEventListener("error", () => { entry.sent = false; entry.state.textContent = "The upload failed (network)."; resolve(); });
    xhr.send(form);
  });
}

function documentHref(index, documentId, chunkId) {
  const base = `#/indexes/${encodeURIComponent(index)}/documents/${encodeURIComponent(documentId)}`;
  return chunkId ? `${base}?chunk=${encodeURIComponent(chunkId)}` : base;
}

/** Object URLs of page images shown; released when the next page image replaces them. */
let pageImageUrl = null;

/**
 * A page image (fetched with the key, shown from a blob: URL) with boxes over it: each mark's box is in points
 * (origin bottom-left) and is placed in percentages of the page's size, so the image may have any resolution.
 */
function pageFrame(base, number, size, alt, marks) {
  const frame = el("div", { class: "page-frame" });
  const image = el("img", { id: "page-image", alt });
  frame.append(image);
  for (const mark of marks) {
    const node = el("div", { class: mark.className, title: mark.title, "aria-hidden": "true" });
    node.style.left = `${(mark.box.left / size.width) * 100}%`;
    node.style.top = `${((size.height - mark.box.top) / size.height) * 100}%`;
    node.style.width = `${((mark.box.right - mark.box.left) / size.width) * 100}%`;
    node.style.height = `${((mark.box.top - mark.box.bottom) / size.height) * 100}%`;
    if (mark.chunk) node.dataset.chunk = mark.chunk;
    if (mark.block) node.dataset.block = mark.block;
    if (mark.onclick) node.addEventListener("click", mark.onclick);
    frame.append(node);
  }
  const load = async () => {
    try {
      const blob = await api(`${base}/pages/${number}`);
      if (pageImageUrl) URL.revokeObjectURL(pageImageUrl);
      pageImageUrl = URL.createObjectURL(blob);
      image.src = pageImageUrl;
    } catch (error) {
      if (error.message !== "unauthorized") frame.replaceChildren(el("p", { class: "error", role: "alert" }, error.message));
    }
  };
  return { frame, load };
}

async function documentPage(index, documentId, params) {
  const base = `/v1/indexes/${encodeURIComponent(index)}/documents/${encodeURIComponent(documentId)}`;
  const status = await api(base);
  // A failed document's upload did not parse: its outline would only repeat the failure reason shown above.
  const [{ chunks }, outline] = await Promise.all([
    api(`${base}/chunks`),
    status.status === "failed" ? Promise.resolve({ error: "The document failed; see the reason above." })
      : api(`${base}/outline`).catch(error => ({ error: error.message })),
  ]);
  const pages = outline.pages || [];
  const state = { page: 0, chunk: params.get("chunk"), block: null };
  const viewer = el("section", { class: "page-viewer card", "aria-label": "Page image" });

  const chunkRows = chunks.map(chunk => el("tr", { "data-chunk": chunk.chunkId, class: "chunk" },
    el("td", { class: "num" }, chunk.ordinal),
    el("td", {}, (chunk.sectionPath || []).join(" › ") || el("span", { class: "muted" }, "(before the first heading)")),
    el("td", { class: "num" }, chunk.pageStart === chunk.pageEnd ? chunk.pageStart : `${chunk.pageStart}–${chunk.pageEnd}`),
    el("td", { class: "num" }, chunk.tokenCount),
    el("td", { class: "hit-text" }, chunk.text.length > 160 ? `${chunk.text.slice(0, 160)}…` : chunk.text),
    el("td", {}, el("button", { type: "button", class: "secondary", "aria-pressed": "false", "aria-label": `Show chunk ${chunk.ordinal} on its page`,
      disabled: pages.length === 0, onclick: () => selectChunk(chunk.chunkId) }, "Show"))));

  const outlineItems = (outline.entries || []).map(entry => el("li", { class: `outline-${entry.kind}${entry.lowConfidence ? " low" : ""}`, "data-block": entry.blockId },
    el("button", { type: "button", class: "link", disabled: !entry.box, onclick: () => selectBlock(entry) },
      entry.kind === "heading" ? `${"  ".repeat(Math.max(0, entry.level - 1))}${entry.text}`
        : entry.kind === "table" ? `Table (${entry.rows}×${entry.columns}): ${entry.text.split("\n")[0]}`
        : entry.kind === "figure" ? `Figure: ${entry.text}` : entry.text),
    el("span", { class: "muted" }, ` p. ${entry.pageStart}`,
      entry.confidence !== null && entry.confidence !== undefined ? ` · OCR ${fixed(entry.confidence, 0)}` : "",
      entry.lowConfidence ? " · low confidence" : "")));

  function selectChunk(chunkId) {
    const chunk = chunks.find(c => c.chunkId === chunkId);
    if (!chunk) return;
    state.chunk = chunkId;
    state.block = null;
    const box = (chunk.boxes || [])[0];
    history.replaceState(null, "", documentHref(index, documentId, chunkId));
    for (const button of document.querySelectorAll("tr.chunk button")) {
      button.setAttribute("aria-pressed", String(button.closest("tr").dataset.chunk === chunkId));
    }
    showPage(box ? box.page : chunk.pageStart);
  }

  function selectBlock(entry) {
    state.block = entry;
    state.chunk = null;
    showPage(entry.box.page);
  }

  async function showPage(number) {
    if (pages.length === 0) return;
    state.page = Math.min(Math.max(1, number), pages.length);
    const marks = [];
    for (const chunk of chunks) {
      for (const box of (chunk.boxes || []).filter(b => b.page === state.page)) {
        marks.push({ box, className: chunk.chunkId === state.chunk ? "box selected" : "box", title: `chunk ${chunk.ordinal}`,
          chunk: chunk.chunkId, onclick: () => selectChunk(chunk.chunkId) });
      }
    }
    for (const entry of (outline.entries || []).filter(e => e.box && e.box.page === state.page && (e.lowConfidence || e === state.block))) {
      marks.push({ box: entry.box, className: `${entry.lowConfidence ? "box low" : "box"}${entry === state.block ? " selected" : ""}`,
        title: entry.lowConfidence ? "low OCR confidence" : entry.kind, block: entry.blockId });
    }
    const page = pageFrame(base, state.page, pages[state.page - 1], `Page ${state.page} of ${status.fileName}`, marks);
    const selected = chunks.find(c => c.chunkId === state.chunk);
    viewer.replaceChildren(
      el("div", { class: "pager" },
        el("button", { type: "button", class: "secondary", disabled: state.page <= 1, onclick: () => showPage(state.page - 1) }, "Previous page"),
        el("span", { id: "page-number" }, `Page ${state.page} of ${pages.length}`),
        el("button", { type: "button", class: "secondary", disabled: state.page >= pages.length, onclick: () => showPage(state.page + 1) }, "Next page")),
      el("p", { class: "muted", id: "selection" }, selected ? `Chunk ${selected.ordinal}: ${(selected.sectionPath || []).join(" › ")}` : "Choose a chunk to see where it sits."),
      page.frame);
    await page.load();
  }

  show(
    el("p", {}, el("a", { href: `#/indexes/${encodeURIComponent(index)}/documents` }, `← Documents of ${index}`)),
    el("h1", {}, status.title || status.fileName),
    el("p", { class: "doc-meta" }, stateBadge(status.status), ` ${status.fileName} · ${status.format} · ${status.pageCount} pages · ${status.chunkCount} chunks · version ${status.version}`,
      outline.ocrConfidence !== null && outline.ocrConfidence !== undefined ? ` · OCR confidence ${fixed(outline.ocrConfidence, 1)}` : "",
      outline.lowConfidenceBlocks ? ` · ${outline.lowConfidenceBlocks} low-confidence blocks` : ""),
    status.error ? el("p", { class: "error" }, `${status.failedStep}: ${status.error}`) : null,
    el("div", { class: "document-grid" },
      el("div", {},
        el("section", { class: "card", "aria-labelledby": "outline-title" },
          el("h2", { id: "outline-title" }, "Outline"),
          outline.error ? el("p", { class: "error" }, outline.error)
            : outlineItems.length ? el("ul", { class: "outline", id: "outline" }, outlineItems)
            : el("p", { class: "muted" }, "No headings, tables or figures.")),
        el("h2", {}, `Chunks (${chunks.length})`),
        table("Chunks", [{ text: "#", num: 1 }, "Section", { text: "Pages", num: 1 }, { text: "Tokens", num: 1 }, "Text", "Page"], chunkRows)),
      pages.length ? viewer : el("section", { class: "card muted" }, "This format has no page images.")));
  if (pages.length) {
    if (state.chunk && chunks.some(c => c.chunkId === state.chunk)) selectChunk(state.chunk);
    else showPage(1);
  }
}

async function playground(selected) {
  const { indexes } = await api("/v1/indexes");
  const results = el("div", { id: "results" });
  // Every stage switch (stages.js), starting at the chosen index's defaults.
  const panelOf = name => { const ix = indexes.find(i => i.name === name); return stagePanel(ix?.effectiveStages, ix?.unavailableStages); };
  let stages = panelOf(indexes.some(ix => ix.name === selected) ? selected : indexes[0]?.name);
  const form = el("form", { class: "card", id: "query-form" },
    el("div", { class: "query-row" },
      el("div", {}, el("label", { for: "query" }, "Query"), el("input", { id: "query", type: "search", required: true })),
      el("div", {}, el("label", { for: "index" }, "Index"),
        el("select", { id: "index", onchange: event => {
          const open = stages.node.open;
          stages.node.replaceWith((stages = panelOf(event.target.value)).node);
          stages.node.open = open;
        } }, indexes.map(ix => el("option", { value: ix.name, selected: ix.name === selected }, ix.name)))),
      el("div", {}, el("label", { for: "mode" }, "Mode"),
        el("select", { id: "mode" }, ["hybrid", "bm25", "dense"].map(m => el("option", { value: m }, m)))),
      el("div", { class: "inline" },
        el("button", { type: "submit", value: "search" }, "Search"),
        el("button", { type: "submit", value: "ask", class: "secondary" }, "Ask"))),
    stages.node);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const asking = event.submitter?.value === "ask";
    const index = form.querySelector("#index").value;
    const text = form.querySelector("#query").value;
    const mode = form.querySelector("#mode").value;
    const switches = stages.value();
    results.replaceChildren(el("p", { class: "muted" }, asking ? "Answering…" : "Searching…"));
    // The request is written once, as sent: the copy buttons reproduce these very bytes.
    const sent = {
      path: `/v1/indexes/${encodeURIComponent(index)}/${asking ? "ask" : "search"}`,
      body: JSON.stringify(Object.assign(asking ? { question: text, mode, topK: 8, trace: true } : { query: text, mode, topK: 10, trace: true },
        switches ? { stages: switches } : {})),
    };
    request.replaceWith(request = requestCard(sent));
    try {
      const response = await api(sent.path, { method: "POST", body: sent.body, headers: { "Content-Type": "application/json" } });
      if (asking) renderAnswer(results, index, response, mode);
      else renderSearch(results, response);
    } catch (error) {
      if (error.message !== "unauthorized") results.replaceChildren(el("p", { class: "error", role: "alert" }, error.message));
    }
  });
  let request = el("div", { hidden: true });
  show(el("h1", {}, "Playground"), form, request, results);
  form.querySelector("#query").focus();
}

/** The environment variable the copied snippets read the key from: the page never writes the key itself into them. */
const KEY_VARIABLE = "RAG_API_KEY";
/** The same for a tab signed in with the identity provider: the snippets send a bearer token read from here. */
const TOKEN_VARIABLE = "RAG_TOKEN";

/** A string in single quotes for a POSIX shell. */
function shellQuote(text) {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** The request as a curl command line. */
function asCurl(sent) {
  return [`curl -X POST ${shellQuote(new URL(sent.path, location.origin).href)}`,
    storedToken() ? `  -H "Authorization: Bearer $${TOKEN_VARIABLE}"` : `  -H "X-Api-Key: $${KEY_VARIABLE}"`,
    "  -H 'Content-Type: application/json'",
    `  --data-raw ${shellQuote(sent.body)}`].join(" \\\n");
}

/** The request as C# with HttpClient; the body is a raw string literal with more quotes than any run in it. */
function asCSharp(sent) {
  const quotes = "\"".repeat(Math.max(3, ...(sent.body.match(/"+/g) || []).map(run => run.length + 1)));
  return [
    `using var http = new HttpClient { BaseAddress = new Uri("${new URL("/", location.origin).href}") };`,
    storedToken()
      ? `http.DefaultRequestHeaders.Authorization = new("Bearer", Environment.GetEnvironmentVariable("${TOKEN_VARIABLE}"));`
      : `http.DefaultRequestHeaders.Add("X-Api-Key", Environment.GetEnvironmentVariable("${KEY_VARIABLE}"));`,
    `using var content = new StringContent(${quotes}${sent.body}${quotes}, System.Text.Encoding.UTF8, "application/json");`,
    `using var response = await http.PostAsync("${sent.path.slice(1)}", content);`,
    "Console.WriteLine(await response.Content.ReadAsStringAsync());",
  ].join("\n");
}

/** The request the playground sent, with buttons that copy it as curl or C# (and show what they copied). */
function requestCard(sent) {
  const snippet = el("pre", { id: "request-snippet", class: "snippet", tabindex: "0", "aria-label": "Copied request", hidden: true });
  const status = el("span", { class: "muted", role: "status" });
  const copy = (kind, text) => async () => {
    snippet.textContent = text;
    snippet.hidden = false;
    snippet.dataset.kind = kind;
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = `Copied as ${kind}; the ${storedToken() ? "token" : "key"} is read from $${storedToken() ? TOKEN_VARIABLE : KEY_VARIABLE}.`;
    } catch {
      status.textContent = "The browser refused the clipboard: copy the text below.";
    }
  };
  return el("section", { class: "card", id: "request", "aria-label": "The request" },
    el("div", { class: "inline" },
      el("code", {}, `POST ${sent.path}`),
      el("button", { type: "button", class: "secondary", onclick: copy("curl", asCurl(sent)) }, "Copy as curl"),
      el("button", { type: "button", class: "secondary", onclick: copy("C#", asCSharp(sent)) }, "Copy as C#"),
      status),
    snippet);
}

/**
 * The answer with each [n] a button that opens the cited page with the cited chunk highlighted, and under it how
 * its sources were retrieved: the same trace table and rank-movement chart as a search's (stages.js).
 */
function renderAnswer(target, index, response, mode) {
  const viewer = el("section", { class: "card citation-viewer", id: "citation-viewer", "aria-label": "Cited page", hidden: true });
  const byMarker = new Map(response.citations.map(c => [c.marker, c]));
  const open = citation => () => {
    for (const button of target.querySelectorAll("button.marker")) button.setAttribute("aria-pressed", String(button.dataset.marker === String(citation.marker)));
    showCitation(viewer, index, citation);
  };
  const answer = el("p", { class: "answer", id: "answer" });
  // The answer is text: split on the markers, never parsed as HTML.
  for (const part of response.answer.split(/(\[\d+\])/)) {
    const marker = /^\[(\d+)\]$/.exec(part);
    const citation = marker && byMarker.get(Number(marker[1]));
    if (citation) {
      answer.append(el("button", { type: "button", class: "marker", "data-marker": citation.marker, "aria-pressed": "false",
        "aria-label": `[${citation.marker}] ${citation.fileName || citation.documentId}${citation.pageStart ? `, page ${citation.pageStart}` : ""}`,
        onclick: open(citation) }, `[${citation.marker}]`));
    } else {
      answer.append(part);
    }
  }
  const sources = response.citations.map(c => el("li", { "data-citation": c.marker },
    el("button", { type: "button", class: "link", onclick: open(c) }, `[${c.marker}] ${c.fileName || c.documentId}`),
    el("span", { class: "muted" }, `${(c.sectionPath || []).length ? ` · ${c.sectionPath.join(" › ")}` : ""}${c.pageStart ? ` · page ${c.pageStart}` : ""}`),
    el("div", { class: "muted" }, c.snippet)));
  target.replaceChildren(
    el("p", { class: "muted", id: "answer-summary" }, `${response.noAnswer ? "No answer" : "Answered"} in ${fixed(response.elapsedMs, 1)} ms by ${response.generatedBy}`),
    el("div", { class: "answer-grid" },
      el("div", {}, el("h2", {}, "Answer"), el("div", { class: "card" }, answer),
        el("h2", {}, "Citations"), sources.length ? el("ol", { class: "citations" }, sources) : el("p", { class: "muted" }, "None.")),
      viewer),
    askRetrieval(response, mode));
}

/** How an answer's sources were found: its retrieval trace, as the playground shows a search's. */
function askRetrieval(response, mode) {
  if (!response.trace) return null;
  const retrieval = { mode: response.trace.mode || mode, hits: response.sources || [], trace: response.trace };
  return el("details", { id: "ask-retrieval", class: "card" },
    el("summary", {}, `How the ${retrieval.hits.length} sources were retrieved (${retrieval.mode})`),
    rankChart(retrieval),
    el("h2", {}, "Trace"),
    traceTable(retrieval));
}

async function showCitation(viewer, index, citation) {
  viewer.hidden = false;
  viewer.replaceChildren(el("p", { class: "muted" }, `Opening [${citation.marker}]…`));
  const base = `/v1/indexes/${encodeURIComponent(index)}/documents/${encodeURIComponent(citation.documentId)}`;
  const title = el("h2", {}, `[${citation.marker}] ${citation.fileName || citation.documentId}${citation.pageStart ? ` · page ${citation.pageStart}` : ""}`);
  const link = el("a", { href: documentHref(index, citation.documentId, citation.chunkId) }, "Open the document at this chunk");
  try {
    const [{ chunks }, outline] = await Promise.all([api(`${base}/chunks`), api(`${base}/outline`)]);
    const chunk = chunks.find(c => c.chunkId === citation.chunkId);
    const boxes = chunk?.boxes || [];
    if (boxes.length === 0 || !(outline.pages || []).length) {
      viewer.replaceChildren(title, el("p", {}, citation.snippet), el("p", { class: "muted" }, "This document has no page images."), link);
      return;
    }
    const number = boxes[0].page;
    const page = pageFrame(base, number, outline.pages[number - 1], `Page ${number} of ${citation.fileName || citation.documentId}, the cited text highlighted`,
      boxes.filter(b => b.page === number).map(box => ({ box, className: "box selected", title: `[${citation.marker}]`, chunk: chunk.chunkId })));
    viewer.replaceChildren(title, el("p", { class: "muted" }, (citation.sectionPath || []).join(" › ")), page.frame, link);
    await page.load();
  } catch (error) {
    if (error.message !== "unauthorized") viewer.replaceChildren(title, el("p", { class: "error", role: "alert" }, error.message), link);
  }
}

/** The effective configuration (admins): one table per section; secrets come masked from the API and are marked. */
async function settings() {
  if (!hasRole("admin")) {
    show(el("h1", {}, "Settings"), el("p", { class: "muted" }, "Only an admin key reads the settings."));
    return;
  }
  // The configuration is the process's, shared by every tenant: the system admin reads it; a tenant's admin edits
  // its indexes' stage defaults only.
  const [{ settings: all }, { indexes }] = await Promise.all([
    me.system ? api("/v1/settings") : Promise.resolve({ settings: [] }), api("/v1/indexes")]);
  const sections = new Map();
  for (const setting of all) {
    const section = setting.key.split(":")[0];
    if (!sections.has(section)) sections.set(section, []);
    sections.get(section).push(setting);
  }
  show(el("h1", {}, "Settings"),
    stageDefaultsEditor(indexes),
    el("p", { class: "muted" }, me.system
      ? "The configuration the service runs with, defaults included. Secrets are masked by the API; change settings in appsettings.json or the environment and restart."
      : "The service's configuration is shared by every tenant and shown to the system admin only."),
    ...[...sections].map(([section, rows]) => el("section", { "data-section": section },
      el("h2", {}, section),
      table(`Settings of ${section}`, ["Setting", "Value"], rows.map(setting => el("tr", { "data-setting": setting.key },
        el("td", {}, el("code", {}, setting.key.slice(section.length + 1))),
        el("td", { class: setting.value === null ? "muted" : null },
          setting.value === null ? "(not set)" : setting.value,
          setting.secret ? el("span", { class: "state secret" }, "secret") : null)))))));
}

async function keys() {
  if (!hasRole("admin")) {
    show(el("h1", {}, "Keys and tenants"), el("p", { class: "muted" }, "Only an admin key manages keys."));
    return;
  }
  const [{ keys: list }, tenants] = await Promise.all([
    api("/v1/keys"),
    me.system ? api("/v1/tenants").then(t => t.tenants) : Promise.resolve([me.tenant]),
  ]);
  const created = el("div", { id: "created-key", role: "status" });
  const rows = list.map(key => {
    const actions = el("td", {});
    const revoke = el("button", { type: "button", class: "secondary", disabled: key.system || key.id === me.keyId,
      title: key.system ? "The configured admin key is revoked by changing the configuration" : null,
      "aria-label": `Revoke ${key.name}`, onclick: () => {
        actions.replaceChildren(
          el("button", { type: "button", class: "danger", "aria-label": `Confirm revoke ${key.name}`, onclick: async () => {
            try { await api(`/v1/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" }); route(); } catch (error) { failure(error); }
          } }, "Confirm revoke"),
          el("button", { type: "button", class: "secondary", onclick: () => route() }, "Cancel"));
        actions.querySelector("button").focus();
      } }, "Revoke");
    actions.append(revoke);
    return el("tr", { "data-key": key.id },
      el("td", {}, key.name, el("div", { class: "muted mono" }, key.id)),
      el("td", {}, key.tenant),
      el("td", {}, key.role),
      el("td", {}, key.user || ""),
      el("td", {}, (key.groups || []).join(", ")),
      el("td", {}, when(key.created)),
      el("td", {}, key.expiresAt ? when(key.expiresAt) : "never"),
      el("td", {}, key.lastUsed ? when(key.lastUsed) : "never"),
      actions);
  });
  const form = el("form", { class: "card", id: "key-form" },
    el("h2", {}, "Create a key"),
    el("div", { class: "form-grid" },
      el("div", {}, el("label", { for: "key-name" }, "Name"), el("input", { id: "key-name", required: true, maxlength: 200 })),
      el("div", {}, el("label", { for: "key-role" }, "Role"),
        el("select", { id: "key-role" }, ["reader", "ingester", "admin"].map(r => el("option", { value: r }, r)))),
      el("div", {}, el("label", { for: "key-tenant" }, "Tenant"),
        el("select", { id: "key-tenant" }, tenants.map(t => el("option", { value: t, selected: t === me.tenant }, t)))),
      el("div", {}, el("label", { for: "key-user" }, "User (optional)"), el("input", { id: "key-user" })),
      el("div", {}, el("label", { for: "key-groups" }, "Groups (comma-separated)"), el("input", { id: "key-groups" })),
      el("div", {}, el("label", { for: "key-expires" }, "Expires (optional)"), el("input", { id: "key-expires", type: "date" }))),
    el("button", { type: "submit" }, "Create key"),
    el("p", { class: "error", id: "key-error", role: "alert" }));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const value = id => form.querySelector(id).value.trim();
    const expires = value("#key-expires");
    const request = {
      name: value("#key-name"), role: value("#key-role"), tenant: value("#key-tenant"), user: value("#key-user") || null,
      groups: value("#key-groups").split(",").map(g => g.trim()).filter(Boolean),
      expiresAt: expires ? new Date(`${expires}T00:00:00Z`).toISOString() : null,
    };
    try {
      const key = await api("/v1/keys", { method: "POST", body: request });
      await keys();
      // The key itself is in the create response only: shown here once, gone when the page changes.
      document.getElementById("created-key").replaceChildren(el("div", { class: "card notice" },
        el("p", {}, `Key "${key.name}" (${key.role}, tenant ${key.tenant}) created. Copy it now: it is not shown again.`),
        el("code", { id: "new-key", class: "mono" }, key.key), " ",
        el("button", { type: "button", class: "secondary", onclick: () => navigator.clipboard?.writeText(key.key) }, "Copy")));
    } catch (error) {
      if (error.message !== "unauthorized") form.querySelector("#key-error").textContent = error.message;
    }
  });
  const tenantCard = me.system ? tenantForm(tenants) : null;
  show(
    el("h1", {}, "Keys and tenants"),
    created,
    table("API keys", ["Name", "Tenant", "Role", "User", "Groups", "Created", "Expires", "Last used", "Actions"], rows),
    form,
    tenantCard);
}

function tenantForm(tenants) {
  const form = el("form", { class: "card", id: "tenant-form" },
    el("h2", {}, "Tenants"),
    el("p", { id: "tenant-list" }, tenants.join(", ")),
    el("label", { for: "tenant-name" }, "New tenant"),
    el("div", { class: "inline" }, el("input", { id: "tenant-name", required: true }),
      el("button", { type: "submit" }, "Create tenant")),
    el("p", { class: "error", id: "tenant-error", role: "alert" }));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    try {
      await api(`/v1/tenants/${encodeURIComponent(form.querySelector("#tenant-name").value.trim())}`, { method: "PUT" });
      route();
    } catch (error) {
      if (error.message !== "unauthorized") form.querySelector("#tenant-error").textContent = error.message;
    }
  });
  return form;
}

function when(iso) {
  return iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "";
}

// ---- routing and session -------------------------------------------------------------------------------------

function route() {
  clearTimeout(refreshTimer);
  const signedIn = hasCredential();
  document.getElementById("sign-in").hidden = signedIn;
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("sign-out").hidden = !signedIn;
  if (!signedIn) { show(); return; }
  if (!me) {
    api("/v1/me").then(caller => { me = caller; route(); }).catch(failure);
    return;
  }
  document.getElementById("nav-keys").hidden = !hasRole("admin");
  document.getElementById("nav-settings").hidden = !hasRole("admin");
  document.getElementById("nav-evaluation").hidden = !(hasRole("admin") && me.system); // eval.js: the server's runs, system admin only

  const [path, query] = (location.hash.slice(1) || "/overview").split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const page = ["indexes", "playground", "keys", "settings", "evaluation"].includes(parts[0]) ? parts[0] : "overview";
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.page === (page === "indexes" ? "overview" : page)) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const work = page === "indexes" && parts[2] === "documents" && parts[3]
    ? documentPage(parts[1], parts[3], params)
    : page === "indexes" && parts[2] === "documents"
    ? documents(parts[1], params)
    : page === "playground" ? playground(params.get("index"))
    : page === "keys" ? keys()
    : page === "settings" ? settings()
    : page === "evaluation" ? evaluationPage(params) : overview();
  work.catch(failure);
}

function signOut(message) {
  forgetCredentials();
  me = null;
  document.getElementById("sign-in-error").textContent = message || "";
  route();
}

document.addEventListener("DOMContentLoaded", async () => {
  document.getElementById("sign-in-form").addEventListener("submit", async event => {
    event.preventDefault();
    const input = document.getElementById("api-key");
    storeTypedCredential(input.value.trim());
    input.value = "";
    try {
      me = await api("/v1/me"); // the key is checked by the API itself, which says its role and tenant
      document.getElementById("sign-in-error").textContent = "";
      if (!location.hash) location.hash = "#/overview"; else route();
    } catch (error) {
      if (error.message !== "unauthorized") signOut(error.message);
    }
  });
  document.getElementById("sign-out").addEventListener("click", () => signOut(""));
  window.addEventListener("hashchange", () => {
    const path = location.hash.split("?")[0];
    focusHeading = shownPath !== null && path !== shownPath;
    shownPath = path;
    route();
  });
  shownPath = location.hash.split("?")[0];
  // The skip link moves the focus past the header to the page itself (a plain #main would change the route).
  document.getElementById("skip-link").addEventListener("click", event => {
    event.preventDefault();
    const main = document.getElementById("main");
    (main.querySelector("#view h1") || main).focus();
  });
  await initSignIn(); // signin.js: which credentials the service takes, and a return from the identity provider
  route();
});
