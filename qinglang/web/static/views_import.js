// The import page: an export uploaded; the institution's imports, newest first, each with its
// rejected rows (never their values).
"use strict";

const KINDS = ["customers", "complaints", "calls", "posts", "companies", "intelligence"];

async function viewImport(main, me, params) {
  const offset = Number(params.offset || 0);
  const history = await api(`/imports${query({ offset, limit: 20 })}`);
  const status = h("p", { class: "muted", id: "import-status", role: "status" });
  const rejected = h("div", { id: "import-rejects" });
  const form = h("form", { class: "filters", id: "import-form", onsubmit: async (e) => {
    e.preventDefault();
    const data = new FormData(e.target);
    for (const key of ["kind", "encoding"]) if (!data.get(key)) data.delete(key);
    e.target.querySelector("button[type=submit]").disabled = true;
    status.className = "muted";
    status.textContent = t("importing");
    try {
      await api("/imports", { method: "POST", body: data });
      main.replaceChildren();
      await viewImport(main, me, {});
    } catch (error) {
      status.className = "error";
      status.textContent = `${t("error")}: ${error.message}`;
      e.target.querySelector("button[type=submit]").disabled = false;
    }
  } },
  h("label", {}, t("file"), h("input", { name: "file", type: "file", required: true, accept: ".csv,.tsv,.jsonl,.ndjson,.xlsx,.xlsm" })),
  h("label", {}, t("kind"), h("select", { name: "kind" }, h("option", { value: "" }, t("kind_auto")), KINDS.map((k) => h("option", { value: k }, k)))),
  h("label", {}, t("encoding"), h("select", { name: "encoding" }, h("option", { value: "" }, t("encoding_auto")),
    ["utf-8", "gbk", "gb18030"].map((e) => h("option", { value: e }, e)))),
  h("button", { type: "submit" }, t("upload")));
  put(main, h("h2", {}, t("import")), h("p", { class: "muted" }, t("import_hint")), form, status,
    h("table", { class: "grid" }, h("thead", {}, h("tr", {},
      [t("at"), t("file"), t("kind"), t("encoding"), t("status"), t("rows_ok"), t("rows_rejected"), ""].map((c) => h("th", {}, c)))),
    h("tbody", { id: "import-results" }, history.items.map((r) => importRow(r, rejected)))),
    pager(history, (next) => { location.hash = "#/import" + query({ offset: next }); }),
    rejected);
}

function importRow(r, rejected) {
  const show = r.rows_rejected ? h("button", { type: "button", class: "show-rejects", onclick: () => showRejects(r, rejected, 0) }, t("rejected_rows")) : "";
  return h("tr", {}, [when(r.started_at), r.file_name, r.kind, r.encoding || "", t(r.status), r.rows_ok.toLocaleString(), r.rows_rejected.toLocaleString(), show]
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
