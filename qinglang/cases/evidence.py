"""Evidence items: each a snapshot of one source record with its provenance and a SHA-256.

A record's snapshot is the record as stored (its cleaned values), its provenance the import
that wrote it (file name, time, row) and the values as the institution wrote them (the
record's `originals`). An attachment's hash is the file's own, and its bytes are kept in the
evidence vault (content-addressed), so a package can be made again after the export folder is
gone. Items come in a fixed order — gang, customers, complaints, calls, attachments, rule hits,
posts — so the same case always lists the same evidence the same way.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from qinglang.cases import sources
from qinglang.cases.canonical import content_sha256, json_native
from qinglang.errors import InputError
from qinglang.ingest.attachments import file_sha256
from qinglang.model.case import EvidenceKind
from qinglang.model.schema import load_kind
from qinglang.rules.schema import default_ruleset

BOOKKEEPING = ("org", "attrs", "originals", "import_id", "source_row", "updated_at")
RECORD_EVIDENCE = {"complaints": EvidenceKind.COMPLAINT, "calls": EvidenceKind.CALL,
                   "posts": EvidenceKind.POST, "customers": EvidenceKind.CUSTOMER}


@dataclass(frozen=True)
class EvidenceItem:
    kind: EvidenceKind
    source_kind: str
    source_id: str
    content: dict
    sha256: str
    original: dict | None = None
    import_id: int | None = None
    source_file: str | None = None
    imported_at: object = None
    source_row: int | None = None
    note: str | None = None


def _snapshot(row: dict) -> dict:
    content = {k: v for k, v in row.items() if k not in BOOKKEEPING}
    if row.get("attrs"):
        content["attrs"] = row["attrs"]
    return json_native(content)


def _record_items(conn: Connection, org: str, kind: str, rows: list[dict],
                 extra: dict[str, dict] | None = None) -> list[EvidenceItem]:
    """Evidence for stored records of one kind, with the import each came from."""
    provenance = sources.import_files(conn, (r["import_id"] for r in rows))
    id_field = load_kind(kind).id_field
    items = []
    for row in rows:
        content = _snapshot(row)
        if extra and row[id_field] in extra:
            content["scan"] = json_native(extra[row[id_field]])
        origin = provenance.get(row["import_id"], {})
        items.append(EvidenceItem(
            kind=RECORD_EVIDENCE[kind], source_kind=kind, source_id=str(row[id_field]),
            content=content, sha256=content_sha256(content), original=row.get("originals"),
            import_id=row["import_id"], source_file=origin.get("file_name"),
            imported_at=origin.get("imported_at"), source_row=row["source_row"]))
    return items


def _hit_items(hits: list[dict]) -> list[EvidenceItem]:
    ruleset = default_ruleset()
    items = []
    for hit in hits:
        rule = _rule_title(ruleset, hit["rule_id"])
        content = json_native({"complaint_id": hit["complaint_id"], "rule_id": hit["rule_id"],
                               "rule_title": rule, "evidence": hit["evidence"]})
        items.append(EvidenceItem(EvidenceKind.RULE_HIT, "rule_hits",
                                  f"{hit['complaint_id']}/{hit['rule_id']}", content,
                                  content_sha256(content)))
    return items


def _rule_title(ruleset, rule_id: str) -> str:
    try:
        return ruleset.rule(rule_id).title_zh
    except KeyError:
        return rule_id


def _attachment_items(conn: Connection, files: list[dict],
                      vault: Path) -> list[EvidenceItem]:
    """Attachments with the import of the complaints file that listed them."""
    provenance = sources.import_files(conn, (r["import_id"] for r in files))
    items = []
    for row in files:
        content = {"complaint_id": row["complaint_id"], "file_name": row["file_name"],
                   "size_bytes": row["size_bytes"], "file_sha256": row["sha256"]}
        if row["sha256"] and row["path"] and Path(row["path"]).is_file():
            keep_in_vault(Path(row["path"]), row["sha256"], vault)
        origin = provenance.get(row["import_id"], {})
        items.append(EvidenceItem(
            EvidenceKind.ATTACHMENT, "attachments", f"{row['complaint_id']}/{row['file_name']}",
            content, row["sha256"] or content_sha256(content), import_id=row["import_id"],
            source_file=origin.get("file_name"), imported_at=origin.get("imported_at")))
    return items


def keep_in_vault(path: Path, sha256: str, vault: Path) -> Path:
    """A copy of the file named by its hash; kept once however many cases cite it."""
    target = vault / sha256[:2] / sha256
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        shutil.copyfile(path, partial)
        partial.replace(target)
    return target


def vault_path(vault: Path, sha256: str) -> Path:
    return vault / sha256[:2] / sha256


def for_complaints(conn: Connection, org: str, complaint_ids: list[str], vault: Path,
                   with_customers: bool = True) -> list[EvidenceItem]:
    """The complaints, their customers and calls, attachments and rule hits."""
    complaints = sources.records(conn, org, "complaints", complaint_ids)
    _require_found("complaints", complaint_ids, {c["complaint_id"] for c in complaints})
    customer_ids = {c["customer_id"] for c in complaints if c["customer_id"]}
    customers = sources.records(conn, org, "customers", customer_ids) if with_customers else []
    return _bundle(conn, org, customers, complaints, customer_ids, vault)


def for_customers(conn: Connection, org: str, customer_ids: list[str],
                  vault: Path) -> list[EvidenceItem]:
    """The customers with every complaint about them, their calls, attachments and hits."""
    customers = sources.records(conn, org, "customers", customer_ids)
    _require_found("customers", customer_ids, {c["customer_id"] for c in customers})
    complaints = sources.records(conn, org, "complaints", customer_ids, by="customer_id")
    return _bundle(conn, org, customers, complaints, set(customer_ids), vault)


def _bundle(conn: Connection, org: str, customers: list[dict], complaints: list[dict],
            customer_ids: set[str], vault: Path) -> list[EvidenceItem]:
    complaint_ids = [c["complaint_id"] for c in complaints]
    calls = sources.records(conn, org, "calls", customer_ids, by="customer_id")
    return (_record_items(conn, org, "customers", customers)
            + _record_items(conn, org, "complaints", complaints)
            + _record_items(conn, org, "calls", calls)
            + _attachment_items(conn, sources.attachments_of(conn, org, complaint_ids), vault)
            + _hit_items(sources.hits_of(conn, org, complaint_ids)))


def for_posts(conn: Connection, org: str, post_ids: list[str]) -> list[EvidenceItem]:
    """The posts as stored (snapshot text), with their scan results when there are any."""
    posts = sources.records(conn, org, "posts", post_ids)
    _require_found("posts", post_ids, {p["post_id"] for p in posts})
    return _record_items(conn, org, "posts", posts, sources.post_scans(conn, org, post_ids))


def for_gang(conn: Connection, org: str, gang_id: str, vault: Path) -> list[EvidenceItem]:
    """The gang as its detector found it, then its customers and complaints as above."""
    found = sources.gang(conn, org, gang_id)
    if found is None:
        raise InputError(f"no gang {gang_id!r} in this store (run the gang detection first)")
    gang, members = found
    content = json_native({"gang": {k: v for k, v in gang.items() if k != "org"},
                           "members": [{k: v for k, v in m.items() if k not in ("org",
                                                                                "gang_id")}
                                       for m in members]})
    gang_item = EvidenceItem(EvidenceKind.GANG, "gangs", gang_id, content,
                             content_sha256(content))
    keys = {kind: [m["member_key"] for m in members if m["member_type"] == kind]
            for kind in ("customer", "complaint")}
    items = for_customers(conn, org, keys["customer"], vault) if keys["customer"] else []
    seen = {(i.source_kind, i.source_id) for i in items}
    extra = [c for c in keys["complaint"] if ("complaints", c) not in seen]
    if extra:
        items += [i for i in for_complaints(conn, org, extra, vault)
                  if (i.source_kind, i.source_id) not in seen]
    return [gang_item, *items]


def for_record(conn: Connection, org: str, kind: str, record_id: str) -> list[EvidenceItem]:
    if kind not in RECORD_EVIDENCE:
        raise InputError(f"unknown record kind {kind!r}; one of {', '.join(RECORD_EVIDENCE)}")
    rows = sources.records(conn, org, kind, [record_id])
    _require_found(kind, [record_id], {record_id} if rows else set())
    return _record_items(conn, org, kind, rows)


def manual(note: str, file: Path | None, vault: Path) -> EvidenceItem:
    """A finding an investigator adds by hand: a note, and optionally a file (screenshot…)."""
    if file is None:
        content = {"note": note}
        digest = content_sha256(content)
        return EvidenceItem(EvidenceKind.MANUAL, "manual", f"note/{digest[:12]}", content,
                            digest, note=note)
    if not file.is_file():
        raise InputError(f"{file.name}: no such file")
    digest = file_sha256(file)
    keep_in_vault(file, digest, vault)
    content = {"note": note, "file_name": file.name, "file_sha256": digest,
               "size_bytes": file.stat().st_size}
    return EvidenceItem(EvidenceKind.MANUAL, "manual", f"{file.name}/{digest[:12]}", content,
                        digest, source_file=file.name, note=note)


def _require_found(kind: str, wanted: list[str], found: set[str]) -> None:
    missing = sorted(set(wanted) - found)
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise InputError(f"{len(missing)} {kind} not in the store: {shown}")
