// One function per view. Everything from the server goes into text nodes, never into HTML.
"use strict";

const OUTCOME_COLORS = { genuine: "#5b8c5a", review: "#d9a441", agent_driven: "#d9822b", malicious: "#c23b22" };
const CHARTS = [];

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Appends to a view's root, leaving out what a condition left null.
function put(root, ...children) {
  root.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
}

function card(title, ...body) { return h("section", { class: "card" }, h("h3", {}, title), ...body); }

function chart(el, option) {
  const instance = echarts.init(el, null, { renderer: "canvas" });
  instance.setOption(Object.assign({ animation: false }, option));
  CHARTS.push(instance);
  return instance;
}

function disposeCharts() { while (CHARTS.length) CHARTS.pop().dispose(); }

function chartBox(id) { return h("div", { class: "chart", id }); }

function empty() { return h("p", { class: "muted" }, t("nothing")); }

function when(value) { return value ? String(value).replace("T", " ").slice(0, 19) : ""; }

function show(value) {
  if (Array.isArray(value)) return value.join("；");
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:/.test(value)) return when(value);
  return value ?? "";
}

function outcomeBadge(outcome) { return h("span", { class: `badge ${outcome}` }, t(outcome)); }

function table(columns, rows, onRow) {
  if (!rows.length) return empty();
  return h("table", { class: "grid" },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c.label)))),
    h("tbody", {}, rows.map((row) => h("tr", {
      class: onRow ? "clickable" : undefined,
      "data-id": row.__id,
      onclick: onRow ? () => onRow(row) : undefined,
    }, columns.map((c) => h("td", {}, c.cell(row)))))));
}

function pager(page, go) {
  const last = page.offset + page.items.length;
  return h("div", { class: "pager" },
    h("button", { type: "button", disabled: page.offset === 0, onclick: () => go(Math.max(0, page.offset - page.limit)) }, t("prev")),
    h("span", {}, `${page.total ? page.offset + 1 : 0}–${last} ${t("of")} ${page.total}`),
    h("button", { type: "button", disabled: last >= page.total, onclick: () => go(page.offset + page.limit) }, t("next")));
}

function query(params) {
  const entries = Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined);
  return entries.length ? "?" + new URLSearchParams(entries).toString() : "";
}

// ---------- overview ----------
async function viewOverview(main, me) {
  const data = await api("/overview");
  const c = data.complaints;
  const kpis = h("div", { class: "kpis" },
    kpi(t("assessed"), c.assessed.toLocaleString()),
    kpi(t("share_agent"), (c.share_agent_driven * 100).toFixed(1) + "%"),
    Object.entries(data.store.records).filter(([, n]) => n).map(([k, n]) => kpi(`${t("records")} · ${k}`, n.toLocaleString())));
  const grid = h("div", { class: "cards" },
    card(t("per_day"), chartBox("chart-per-day")),
    card(t("outcomes"), chartBox("chart-outcomes")),
    card(t("top_rules"), chartBox("chart-rules")),
    card(t("by_channel"), chartBox("chart-channels")));
  if (data.gangs) grid.append(card(t("top_gangs"), chartBox("chart-gangs")));
  if (data.content) grid.append(card(t("content_hits"), chartBox("chart-content")));
  if (data.cases) grid.append(card(t("cases_by_status"), chartBox("chart-cases")));
  put(main, h("h2", {}, `${t("overview")} · ${data.org}`), kpis, grid);
  drawPerDay(c.per_day);
  chart(document.getElementById("chart-outcomes"), {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["40%", "70%"], data: Object.entries(c.outcomes).map(([k, v]) => ({ name: t(k), value: v, itemStyle: { color: OUTCOME_COLORS[k] } })) }],
  });
  barChart("chart-rules", c.top_rules.map((r) => `${r.rule_id} ${LANG === "zh" ? r.title_zh : r.title_en}`), c.top_rules.map((r) => r.count), true);
  barChart("chart-channels", Object.keys(c.by_channel), Object.values(c.by_channel), false);
  if (data.gangs) barChart("chart-gangs", data.gangs.top.map((g) => `${g.gang_id} ${g.kind}`), data.gangs.top.map((g) => g.score), true);
  if (data.content) drawContent(data.content.by_platform_level);
  if (data.cases) barChart("chart-cases", Object.keys(data.cases.by_status), Object.values(data.cases.by_status), false);
}

function kpi(label, value) { return h("div", { class: "kpi" }, h("div", { class: "kpi-value" }, value), h("div", { class: "kpi-label" }, label)); }

function drawPerDay(perDay) {
  const days = [...new Set(perDay.map((p) => p.day))].sort();
  const outcomes = Object.keys(OUTCOME_COLORS);
  const series = outcomes.map((o) => ({
    name: t(o), type: "bar", stack: "all", itemStyle: { color: OUTCOME_COLORS[o] },
    data: days.map((d) => (perDay.find((p) => p.day === d && p.outcome === o) || { count: 0 }).count),
  }));
  chart(document.getElementById("chart-per-day"), {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 10, top: 30, bottom: 50 },
    xAxis: { type: "category", data: days }, yAxis: { type: "value" },
    dataZoom: [{ type: "slider", height: 16, bottom: 8 }], series,
  });
}

function barChart(id, labels, values, horizontal) {
  const category = { type: "category", data: labels, axisLabel: { width: 180, overflow: "truncate" } };
  chart(document.getElementById(id), {
    tooltip: {}, grid: { left: horizontal ? 190 : 40, right: 20, top: 10, bottom: 30 },
    xAxis: horizontal ? { type: "value" } : category,
    yAxis: horizontal ? Object.assign(category, { inverse: true }) : { type: "value" },
    series: [{ type: "bar", data: values, barMaxWidth: 48, itemStyle: { color: "#3c6e91" } }],
  });
}

function drawContent(cells) {
  const platforms = [...new Set(cells.map((c) => c.platform))];
  const levels = [...new Set(cells.map((c) => c.level))].sort();
  chart(document.getElementById("chart-content"), {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 10, top: 30, bottom: 30 },
    xAxis: { type: "category", data: platforms, axisLabel: { interval: 0 } }, yAxis: { type: "value" },
    series: levels.map((level) => ({ name: `${t("level")} ${level}`, type: "bar", stack: "l",
      data: platforms.map((p) => (cells.find((c) => c.platform === p && c.level === level) || { count: 0 }).count) })),
  });
}

// ---------- complaint queue ----------
async function viewComplaints(main, me, params) {
  if (params.id) return viewComplaint(main, me, params.id);
  const filters = { outcome: params.outcome || "", min_risk: params.min_risk || "", rule: params.rule || "", channel: params.channel || "", offset: params.offset || 0, limit: 50 };
  const page = await api("/complaints" + query(filters));
  const form = h("form", { class: "filters", id: "queue-filters", onsubmit: (e) => {
    e.preventDefault();
    const f = Object.fromEntries(new FormData(e.target).entries());
    location.hash = "#/complaints" + query(f);
  } },
  h("label", {}, t("outcome"), h("select", { name: "outcome" }, h("option", { value: "" }, t("all")),
    Object.keys(OUTCOME_COLORS).map((o) => h("option", { value: o, selected: filters.outcome === o }, t(o))))),
  h("label", {}, t("min_risk"), h("input", { name: "min_risk", type: "number", min: 0, max: 100, value: filters.min_risk })),
  h("label", {}, t("rule"), h("input", { name: "rule", placeholder: "2.5", size: 5, value: filters.rule })),
  h("label", {}, t("channel"), h("select", { name: "channel" }, h("option", { value: "" }, t("all")),
    ["regulator", "hotline", "letter", "petition", "police", "online", "other"].map((c) => h("option", { value: c, selected: filters.channel === c }, c)))),
  h("button", { type: "submit" }, t("filter")));
  const rows = page.items.map((r) => Object.assign({ __id: r.complaint_id }, r));
  put(main, h("h2", {}, t("complaints")), form,
    table([
      { label: t("complaint"), cell: (r) => r.complaint_id },
      { label: t("received"), cell: (r) => when(r.received_at) },
      { label: t("channel"), cell: (r) => r.channel },
      { label: t("risk"), cell: (r) => h("span", { class: "risk" }, r.risk_score) },
      { label: t("outcome"), cell: (r) => outcomeBadge(r.outcome) },
      { label: t("rules"), cell: (r) => r.rules.join(" ") },
      { label: t("phone"), cell: (r) => r.contact_phone || "" },
      { label: t("explanation"), cell: (r) => r.explanation },
    ], rows, (r) => { location.hash = `#/complaints?id=${encodeURIComponent(r.complaint_id)}`; }),
    pager(page, (offset) => { location.hash = "#/complaints" + query(Object.assign({}, filters, { offset, limit: "" })); }));
}

async function viewComplaint(main, me, id, revealed) {
  const data = revealed || await api(`/complaints/${encodeURIComponent(id)}`);
  const c = data.complaint;
  const a = data.assessment;
  main.replaceChildren();
  put(main,
    h("p", {}, h("a", { href: "#/complaints" }, "← " + t("back"))),
    h("h2", {}, `${t("complaint")} ${c.complaint_id}`),
    h("p", { class: data.revealed ? "revealed" : "muted" }, data.revealed ? t("revealed") : t("masked_note")),
    a ? h("div", { class: "kpis" }, kpi(t("risk"), a.risk_score), h("div", { class: "kpi" }, outcomeBadge(a.outcome)), kpi(t("rules"), a.rules.join(" ") || t("none"))) : null,
    a ? h("p", { class: "explanation" }, a.explanation) : null,
    card(t("complaint"), h("dl", { class: "fields" }, Object.entries(c).filter(([k]) => k !== "text").map(([k, v]) => [h("dt", {}, k), h("dd", {}, show(v))]))),
    card(t("text"), h("p", { class: "text" }, c.text || "")),
    card(t("evidence"), data.hits.length ? h("ul", { class: "hits" }, data.hits.map((hit) => h("li", {},
      h("b", {}, `${hit.rule_id} ${LANG === "zh" ? hit.title_zh : hit.title_en}`),
      hit.weight !== null ? h("span", { class: "muted" }, ` (+${hit.weight})`) : null,
      h("pre", {}, JSON.stringify(hit.evidence, null, 1))))) : empty()),
    card(t("attachments"), table([
      { label: "file", cell: (f) => f.file_name }, { label: t("sha256"), cell: (f) => (f.sha256 || "").slice(0, 16) },
      { label: "bytes", cell: (f) => f.size_bytes ?? "" }], data.attachments)),
    me.permissions.includes("reveal") && !data.revealed
      ? h("button", { type: "button", id: "reveal", class: "warn", onclick: async () => {
        const full = await api(`/complaints/${encodeURIComponent(id)}/reveal`, { method: "POST" });
        viewComplaint(main, me, id, full);
      } }, t("reveal")) : null);
}

// ---------- gangs ----------
const NODE_COLORS = { customer: "#3c6e91", complaint: "#7f8c8d", phone: "#c23b22", wechat: "#2e9e5b", qq: "#1f7fd1",
  voiceprint: "#8e44ad", address: "#d9822b", domain: "#16a085", company: "#b7950b", email: "#e67e22", account: "#34495e", post: "#95a5a6" };

async function viewGangs(main, me, params) {
  if (params.id) return viewGang(main, me, params.id);
  const page = await api("/gangs" + query({ offset: params.offset || 0, limit: 50 }));
  const rows = page.items.map((g) => Object.assign({ __id: g.gang_id }, g));
  put(main, h("h2", {}, t("gangs")), table([
    { label: t("gang"), cell: (g) => g.gang_id },
    { label: t("kind"), cell: (g) => g.kind },
    { label: t("score"), cell: (g) => h("span", { class: "risk" }, g.score) },
    { label: t("customers"), cell: (g) => g.n_customers },
    { label: t("n_complaints"), cell: (g) => g.n_complaints },
    { label: t("channel"), cell: (g) => Object.keys(g.channels).slice(0, 4).join(" ") },
    { label: t("span"), cell: (g) => `${when(g.first_seen).slice(0, 10)} – ${when(g.last_seen).slice(0, 10)}` },
  ], rows, (g) => { location.hash = `#/gangs?id=${encodeURIComponent(g.gang_id)}`; }),
  pager(page, (offset) => { location.hash = "#/gangs" + query({ offset }); }));
}

async function viewGang(main, me, id) {
  const [gang, graph] = await Promise.all([api(`/gangs/${encodeURIComponent(id)}`), api(`/gangs/${encodeURIComponent(id)}/graph`)]);
  const info = h("div", {},
    h("div", { class: "kpis" }, kpi(t("score"), gang.score), kpi(t("customers"), gang.n_customers), kpi(t("n_complaints"), gang.n_complaints), kpi(t("kind"), gang.kind)),
    card(t("members"), h("dl", { class: "fields" }, Object.entries(gang.members).map(([type, list]) => [
      h("dt", {}, `${type} (${list.length})`), h("dd", {}, list.slice(0, 12).map((m) => m.key).join("，") + (list.length > 12 ? " …" : ""))]))),
    card(t("score"), h("dl", { class: "fields" }, Object.entries(gang.score_parts).map(([k, v]) => [h("dt", {}, k), h("dd", {}, Math.round(v * 10) / 10)]))));
  const selected = h("p", { class: "muted", id: "graph-selected" }, t("graph_hint"));
  put(main, h("p", {}, h("a", { href: "#/gangs" }, "← " + t("back"))), h("h2", {}, `${t("gang")} ${gang.gang_id}`),
    h("div", { class: "split" }, card(t("graph_hint"), selected, h("div", { class: "chart graph", id: "gang-graph" })), info));
  drawGraph(document.getElementById("gang-graph"), graph, selected);
}

function drawGraph(el, graph, selected) {
  const nodes = new Map();
  const links = new Map();
  const merge = (part) => {
    part.nodes.forEach((n) => { if (!nodes.has(n.ref)) nodes.set(n.ref, n); });
    part.links.forEach((l) => links.set(`${l.source}|${l.target}`, l));
  };
  merge(graph);
  const instance = chart(el, {});
  const paint = () => { el.dataset.nodes = String(nodes.size); instance.setOption({
    tooltip: { formatter: (p) => (p.dataType === "node" ? p.data.name : p.data.strength || "") },
    legend: { data: Object.keys(NODE_COLORS).filter((type) => [...nodes.values()].some((n) => n.type === type)), top: 0 },
    series: [{
      type: "graph", layout: "force", roam: true, draggable: true, top: 30, zoom: 1.5,
      force: { repulsion: 260, edgeLength: [40, 140], gravity: 0.04 },
      categories: Object.keys(NODE_COLORS).map((name) => ({ name, itemStyle: { color: NODE_COLORS[name] } })),
      data: [...nodes.values()].map((n) => ({ id: n.ref, name: n.label, category: n.type, symbolSize: n.type === "customer" || n.type === "complaint" ? 10 : 18,
        itemStyle: n.member ? undefined : { opacity: 0.6 }, label: { show: n.type !== "customer" && n.type !== "complaint", fontSize: 10, color: "#333", textBorderWidth: 0 } })),
      links: [...links.values()].map((l) => ({ source: l.source, target: l.target, strength: l.strength,
        lineStyle: { type: l.strength === "weak" ? "dashed" : "solid", opacity: 0.6 } })),
    }],
  }); };
  paint();
  instance.on("click", async (p) => {
    if (p.dataType !== "node") return;
    const before = nodes.size;
    merge(await api(`/graph/nodes/${encodeURIComponent(p.data.id)}/neighbours`));
    selected.textContent = `${p.data.name}: +${nodes.size - before}`;
    selected.dataset.expanded = String(Number(selected.dataset.expanded || 0) + 1);
    paint();
  });
}

// ---------- cases ----------
const SHOWN = 200; // evidence rows drawn on the page; the package holds them all
async function viewCases(main, me, params) {
  if (params.id) return viewCase(main, me, params.id);
  const page = await api("/cases" + query({ status: params.status || "", offset: params.offset || 0, limit: 50 }));
  const rows = page.items.map((c) => Object.assign({ __id: c.case_id }, c));
  put(main, h("h2", {}, t("cases")), table([
    { label: "#", cell: (c) => c.case_id },
    { label: t("title_"), cell: (c) => c.title },
    { label: t("status"), cell: (c) => h("span", { class: `status ${c.status}` }, c.status) },
    { label: t("source"), cell: (c) => `${c.source} ${c.source_ids.slice(0, 3).join(" ")}` },
    { label: t("evidence"), cell: (c) => c.evidence },
    { label: t("assignee"), cell: (c) => c.assignee || "" },
    { label: t("opened"), cell: (c) => when(c.opened_at) },
  ], rows, (c) => { location.hash = `#/cases?id=${c.case_id}`; }),
  pager(page, (offset) => { location.hash = "#/cases" + query({ offset }); }));
}

async function viewCase(main, me, id) {
  const file = await api(`/cases/${encodeURIComponent(id)}`);
  const c = file.case;
  const status = h("p", { class: "muted", id: "package-status" });
  put(main,
    h("p", {}, h("a", { href: "#/cases" }, "← " + t("back"))),
    h("h2", {}, `#${c.case_id} ${c.title}`),
    h("div", { class: "kpis" }, kpi(t("status"), c.status), kpi(t("evidence"), file.evidence.length), kpi(t("source"), c.source), kpi(t("opened"), when(c.opened_at))),
    me.permissions.includes("write") ? h("p", {}, h("button", { type: "button", id: "export-package", onclick: async () => {
      status.textContent = "…";
      const name = await download(`/cases/${c.case_id}/package`, "POST");
      status.textContent = `${t("exported")}: ${name}`;
      status.dataset.file = name;
    } }, t("export_package")), status) : null,
    card(t("evidence"), table([
      { label: "#", cell: (e) => e.seq }, { label: t("kind"), cell: (e) => e.kind },
      { label: t("source"), cell: (e) => `${e.source_kind}:${e.source_id}` },
      { label: "file / row", cell: (e) => (e.source_file ? `${e.source_file} #${e.source_row}` : e.note || "") },
      { label: t("sha256"), cell: (e) => h("code", {}, e.sha256.slice(0, 16) + "…") },
      { label: t("actor"), cell: (e) => e.added_by }], file.evidence.slice(0, SHOWN)),
      file.evidence.length > SHOWN ? h("p", { class: "muted" }, `… +${file.evidence.length - SHOWN}`) : null),
    card(t("events"), table([
      { label: "#", cell: (e) => e.seq }, { label: t("at"), cell: (e) => when(e.at) },
      { label: t("action"), cell: (e) => e.kind }, { label: t("actor"), cell: (e) => e.actor },
      { label: "", cell: (e) => JSON.stringify(e.detail) }], file.events)),
    card(t("audit"), table([
      { label: "#", cell: (e) => e.seq }, { label: t("at"), cell: (e) => when(e.at) },
      { label: t("action"), cell: (e) => e.action }, { label: t("actor"), cell: (e) => e.actor },
      { label: t("sha256"), cell: (e) => h("code", {}, e.hash.slice(0, 16) + "…") }], file.audit)));
}

// ---------- audit log ----------
async function viewAudit(main) {
  const entries = await api("/audit?limit=200");
  put(main, h("h2", {}, t("audit")), table([
    { label: "#", cell: (e) => e.seq }, { label: t("at"), cell: (e) => when(e.at) },
    { label: t("actor"), cell: (e) => e.actor }, { label: t("action"), cell: (e) => e.action },
    { label: t("target"), cell: (e) => e.target }, { label: "", cell: (e) => JSON.stringify(e.detail) },
    { label: t("sha256"), cell: (e) => h("code", {}, e.hash.slice(0, 16) + "…") }], entries));
}

// ---------- content ----------
// The post's own text with what matched marked in place: lexicon terms, and contact details.
function highlighted(text, terms, contacts) {
  const marks = [
    ...terms.map((m) => ({ start: m.span[0], end: m.span[1], cls: `term level-${m.level}`, title: `${m.term} · ${m.category} · ${m.variant}` })),
    ...contacts.map((c) => ({ start: c.span[0], end: c.span[1], cls: "contact", title: c.kind })),
  ].sort((a, b) => a.start - b.start || b.end - a.end);
  const parts = [];
  let at = 0;
  for (const mark of marks) {
    if (mark.start < at) continue; // overlapping: the earlier, longer mark wins
    parts.push(text.slice(at, mark.start));
    parts.push(h("mark", { class: mark.cls, title: mark.title }, text.slice(mark.start, mark.end)));
    at = mark.end;
  }
  parts.push(text.slice(at));
  return h("p", { class: "text" }, parts);
}

async function viewContent(main, me, params) {
  const filters = { level: params.level || "", platform: params.platform || "", offset: params.offset || 0, limit: 20 };
  const page = await api("/posts" + query(filters));
  const form = h("form", { class: "filters", id: "content-filters", onsubmit: (e) => {
    e.preventDefault();
    location.hash = "#/content" + query(Object.fromEntries(new FormData(e.target).entries()));
  } },
  h("label", {}, t("level"), h("select", { name: "level" }, h("option", { value: "" }, t("all")),
    [1, 2, 3].map((l) => h("option", { value: l, selected: String(filters.level) === String(l) }, l)))),
  h("label", {}, t("platform"), h("input", { name: "platform", value: filters.platform, size: 10 })),
  h("button", { type: "submit" }, t("filter")));
  put(main, h("h2", {}, t("content")), form,
    ...(page.items.length ? page.items.map((p) => h("div", { class: "post", "data-id": p.post_id },
      h("div", { class: "meta" }, `${p.post_id} · ${p.platform} · ${p.account_name || ""} · ${when(p.published_at)} · ${t("level")} ${p.level ?? "-"} · ${p.category ?? ""} · ${t("score")} ${p.score}`),
      highlighted(p.text || "", p.terms, p.contacts),
      h("div", { class: "meta" }, `${t("matched")}: ${[...new Set(p.terms.map((m) => m.term))].join("，") || t("none")}`))) : [empty()]),
    pager(page, (offset) => { location.hash = "#/content" + query(Object.assign({}, filters, { offset, limit: "" })); }));
}
