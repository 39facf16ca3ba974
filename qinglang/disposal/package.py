"""The police referral package: one ZIP with the report (PDF and HTML), every evidence item as
a file, and a manifest of SHA-256 hashes.

Exported with personal data (`masked=False`), each evidence file holds exactly the canonical
content that was hashed when the item was added, so anyone can check a file against the hash
in the report; attachments and manual files are included as they are. Masked, the files show
personal fields masked (and so hash differently from the recorded evidence hash), and
attachments are withheld.

Reproducible: entries are written in a fixed order with the report's own date as their time,
so the same case gives a byte-identical ZIP.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import orjson

from qinglang.cases.canonical import canonical_bytes, json_native, sha256_hex
from qinglang.cases.evidence import vault_path
from qinglang.disposal.html import render_html
from qinglang.disposal.pdf import render_pdf
from qinglang.disposal.report import PHONE_IN_TEXT, Report, build_report
from qinglang.model.schema import load_kind
from qinglang.model.values.masking import mask_phone
from qinglang.cases.view import CaseView
from qinglang.services.exporting import public_row

SAFE = re.compile(r"[^A-Za-z0-9._-]+")
FILE_KINDS = ("attachment", "manual")


@dataclass(frozen=True)
class Package:
    path: Path
    sha256: str
    manifest: dict


def write_package(view: CaseView, out_dir: Path, vault: Path, masked: bool = True) -> Package:
    report = build_report(view, masked)
    files: dict[str, bytes] = {
        "report.html": render_html(report).encode("utf-8"),
        "report.pdf": render_pdf(report),
    }
    evidence_rows = []
    for item in view.evidence:
        row, item_files = _evidence_files(item, vault, masked)
        files.update(item_files)
        evidence_rows.append(row)
    manifest = {
        "case_id": report.case_id, "title": report.title,
        "dated": report.dated.isoformat(), "personal_data": "masked" if masked else "unmasked",
        "files": [{"path": name, "sha256": sha256_hex(data), "bytes": len(data)}
                  for name, data in sorted(files.items())],
        "evidence": evidence_rows,
    }
    files["manifest.json"] = orjson.dumps(manifest, option=orjson.OPT_INDENT_2
                                          | orjson.OPT_SORT_KEYS)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"case-{report.case_id}.zip"
    _write_zip(path, files, report)
    return Package(path, sha256_hex(path.read_bytes()), manifest)


def _evidence_files(item: dict, vault: Path, masked: bool) -> tuple[dict, dict[str, bytes]]:
    stem = f"evidence/{item['seq']:04d}-{item['kind']}-{SAFE.sub('_', item['source_id'])}"
    files: dict[str, bytes] = {}
    row = {"seq": item["seq"], "kind": item["kind"], "source_kind": item["source_kind"],
           "source_id": item["source_id"], "source_file": item["source_file"],
           "source_row": item["source_row"], "imported_at": json_native(item["imported_at"]),
           "sha256": item["sha256"]}
    if masked:
        files[f"{stem}.masked.json"] = canonical_bytes(_masked_content(item))
    else:
        files[f"{stem}.json"] = canonical_bytes(item["content"])
        row["hashed_file"] = f"{stem}.json"  # the file whose SHA-256 is the evidence hash
        if item["original"]:
            files[f"{stem}.original.json"] = canonical_bytes(item["original"])
    stored = item["content"].get("file_sha256") if item["kind"] in FILE_KINDS else None
    if stored:
        suffix = SAFE.sub("_", PurePosixPath(item["content"].get("file_name", "")).suffix)
        name = stem if stem.endswith(suffix) else stem + suffix
        kept = vault_path(vault, stored)
        if masked:
            row["file"] = "withheld: personal data (export with --unmasked)"
        elif kept.is_file():
            files[name] = kept.read_bytes()
            row["file"] = name
            if stored == item["sha256"]:
                row["hashed_file"] = name
        else:
            row["file"] = "missing from the evidence vault"
    row["files"] = sorted(files)
    return row, files


def _masked_content(item: dict) -> dict:
    content = item["content"]
    if item["source_kind"] in ("customers", "complaints", "calls", "posts"):
        schema = load_kind(item["source_kind"])
        shown = public_row(content, schema.fields, False, None)
        keep = {schema.id_field, *schema.field_names, "scan"}
        return {k: v for k, v in shown.items() if k in keep}
    text = canonical_bytes(content).decode("utf-8")
    return orjson.loads(PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text))


def _write_zip(path: Path, files: dict[str, bytes], report: Report) -> None:
    stamp = report.dated.timetuple()[:6]
    partial = path.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in [*sorted(n for n in files if n != "manifest.json"), "manifest.json"]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, files[name])
    partial.replace(path)
