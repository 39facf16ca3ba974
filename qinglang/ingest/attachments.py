"""Attachment files (images, PDFs) delivered next to a complaints export.

Only the base name of a listed file is used, so a crafted name cannot reach outside the folder
of the export. A listed file that is not there is recorded as missing (no hash), not dropped.
Images also get perceptual hashes, to find proofs reused in altered copies (rule 5.1).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from qinglang.detect.images import perceptual_hashes
from qinglang.ingest.clean import CleanBatch

SEARCH_DIRS = (".", "attachments")


def attachment_rows(batch: CleanBatch, export_dir: Path, org: str,
                    import_id: int) -> list[dict]:
    rows = {}
    for key, files in zip(batch.keys, batch.columns.get("attachments") or ()):
        for listed in files or ():
            name = Path(listed.replace("\\", "/")).name
            if not name:
                continue
            path = _find(export_dir, name)
            phash64, phash256 = (perceptual_hashes(path) if path else None) or (None, None)
            rows[(key, name)] = {
                "org": org, "complaint_id": key, "file_name": name,
                "sha256": _sha256(path) if path else None,
                "phash64": phash64, "phash256": phash256,
                "size_bytes": path.stat().st_size if path else None,
                "path": str(path) if path else None, "import_id": import_id,
            }
    return list(rows.values())


def _find(export_dir: Path, name: str) -> Path | None:
    for folder in SEARCH_DIRS:
        candidate = export_dir / folder / name
        if candidate.is_file():
            return candidate.resolve()
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    return _sha256(path)
