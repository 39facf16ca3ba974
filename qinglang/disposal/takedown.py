"""Take-down requests (下架申请) from a content case: one file per platform, one line per post
with its address, account, grading level, reason and the hash of the evidence snapshot."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from qinglang.export.writers import write_table
from qinglang.model.case import EvidenceKind
from qinglang.cases.view import CaseView

COLUMNS = ["post_id", "platform", "url", "account_id", "account_name", "published_at", "level",
           "category", "reason", "text", "evidence_sha256"]
LEVELS_ZH = {"1": "一级", "2": "二级"}
SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def takedown_rows(view: CaseView) -> dict[str, list[dict]]:
    """Platform → the requests to send it, in post id order."""
    by_platform: dict[str, list[dict]] = defaultdict(list)
    for item in view.evidence:
        if item["kind"] != EvidenceKind.POST:
            continue
        post = item["content"]
        by_platform[post.get("platform") or "other"].append({
            **{k: post.get(k) for k in ("post_id", "platform", "url", "account_id",
                                        "account_name", "published_at", "text")},
            **_grading(post.get("scan") or {}, view.case["title"]),
            "evidence_sha256": item["sha256"],
        })
    return {p: sorted(rows, key=lambda r: r["post_id"]) for p, rows in by_platform.items()}


def _grading(scan: dict, case_title: str) -> dict:
    level = str(scan.get("level") or "")
    terms = scan.get("terms") or ""
    if isinstance(terms, list):
        terms = ";".join(map(str, terms))
    reason = f"{LEVELS_ZH[level]}违规内容" if level in LEVELS_ZH else "疑似金融黑灰产内容"
    if scan.get("category"):
        reason += f"（{scan['category']}）"
    reason += f"，命中：{terms}" if terms else ""
    return {"level": level, "category": scan.get("category") or "",
            "reason": f"{reason}；案件：{case_title}"}


def write_takedowns(view: CaseView, out_dir: Path) -> list[Path]:
    written = []
    for platform, rows in sorted(takedown_rows(view).items()):
        path = out_dir / f"case-{view.case['case_id']}-takedown-{SAFE.sub('_', platform)}.csv"
        write_table(path, COLUMNS, rows)
        written.append(path)
    return written
