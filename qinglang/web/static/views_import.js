// The import page: an export uploaded, each result with its rejected rows (never their values).
"use strict";

const KINDS = ["customers", "complaints", "calls", "posts", "companies", "intelligence"];

async function viewImport(main) {
  const results = h("tbody", { id: "import-results" });
  const status = h("p", { class: "muted", id: "import-status", role: "status" });
  const rejected = h("div", { id: "import-rejects" });
  const form = h("form", { class: "filters", id: "import-form", onsubmit: async (e) => {
    e.preventDefault();
    const data = new FormData(e.target);
    for (const key of ["kind", "encoding"]) if (!data.get(key)) data.delete(key);
    const button = e.target.querySelector("button[type=submit]");
    button.disabled = true;
    status.className = "muted";
    status.textContent = t("importing");
    try {
      results.prepend(resultRow(await api("/imports", { method: "POST", body: data }), rejected));
      status.textContent = "";
      e.target.reset();
    } catch (error) {
      status.className = "error";
      status.textContent = `${t("error")}: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  } },
  h("label", {}, t("file"), h("input", { name: "file", type: "file", required: true, accept: ".csv,.tsv,.jsonl,.ndjson,.xlsx,.xlsm" })),
  h("label", {}, t("kind"), h("select", { name: "kind" }, h("option", { value: "" }, t("kind_auto")), KINDS.map((k) => h("option", { value: k }, k)))),
  h("label", {}, t("encoding"), h("select", { name: "encoding" }, h("option", { value: "" }, t("encoding_auto")),
    ["utf-8", "gbk", "gb18030"].map((e) => h("option", { value: e }, e)))),
  h("button", { type: "submit" }, t("upload")));
  put(main, h("h2", {}, t("import")), h("p", { class: "muted" }, t("import_hint")), form, status,
    h("table", { class: "grid" }, h("thead", {}, h("tr", {},
      [t("file"), t("kind"), t("encoding"), t("rows_ok"), t("rows_rejected"), t("reasons"), ""].map((c) => h("th", {}, c)))), results),
    rejected);
}

function resultRow(r, rejected) {
  const reasons = Object.entries(r.reasons).map(([reason, n]) => `${reason} × ${n}`).join("；");
  const show = r.rows_rejected ? h("button", { type: "button", class: "show-rejects", onclick: () => showRejects(r, rejected, 0) }, t("rejected_rows")) : "";
  return h("tr", {}, [r.file_name, r.kind, r.encoding || "", r.rows_ok.toLocaleString(), r.rows_rejected.toLocaleString(), reasons, show]
    .map((cell) => h("td", {}, cell)));
}

async function showRejects(r, rejected, offset) {
  const page = await api(`/imports/${r.import_id}/rejects${query({ offset, limit: 50 })}`);
  rejected.replaceChildren(card(`${t("rejected_rows")} · ${r.file_name}`,
    table([
      { label: t("row"), cell: (x) => x.row_number },
      { label: t("column"), cell: (x) => x.column },
      { label: t("reason"), cell: (x) => x.reason },
    ], page.items),
    pager(page, (next) => showRejects(r, rejected, next))));
}
