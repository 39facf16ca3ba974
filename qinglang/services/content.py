"""Use cases of the content engine: scan a file, scan stored posts, export the assessments and
the take-down requests, train the model.

Scanning a file is stateless and streamed: rows are read, assessed and written a batch at a
time, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import Engine, delete, select

from qinglang.content.contacts import mask_indicator
from qinglang.content.corpus import LabelledText, fbs_corpus, sample_posts
from qinglang.content.assessment import Assessment
from qinglang.content.engine import ContentEngine, default_engine
from qinglang.content.lexicon import default_lexicon
from qinglang.errors import InputError
from qinglang.export.writers import write_table
from qinglang.ingest.rows import RawRow
from qinglang.ingest.sources import open_source
from qinglang.store.repository import execute_prepared, prepare_upsert, rows_of_org, utcnow
from qinglang.store.tables import record_tables
from qinglang.store.tables_content import post_assessments, post_contacts

BATCH = 2000
SCAN_COLUMNS = ["post_id", "is_black_gray", "level", "category", "score", "terms", "contacts"]
TAKEDOWN_COLUMNS = ["post_id", "platform", "url", "account_id", "account_name", "published_at",
                    "level", "category", "reason", "evidence"]
Progress = Callable[[int, int], None]
_UNSAFE_IN_FILE_NAME = re.compile(r"[^a-z0-9_-]")


@dataclass
class ScanReport:
    posts: int = 0
    black_gray: int = 0
    skipped: int = 0
    by_category: dict[str, int] = field(default_factory=dict)

    def count(self, assessment: Assessment) -> None:
        self.posts += 1
        if assessment.is_black_gray:
            self.black_gray += 1
            self.by_category[assessment.category] = self.by_category.get(
                assessment.category, 0) + 1


def scan_file(path: Path, out: Path, max_field_chars: int, unmasked: bool = False,
              engine: ContentEngine | None = None,
              progress: Progress | None = None) -> ScanReport:
    """Assess every row of a posts file (CSV / JSON Lines / .xlsx with a `text` column) into
    `out` with the columns of formats.md "post assessments"."""
    engine = engine or default_engine()
    source = open_source(path, None, max_field_chars)
    report = ScanReport()
    try:
        if "text" not in source.columns:
            raise InputError(f"{path.name}: no `text` column to scan")
        rows = (r for r in source.rows() if isinstance(r, RawRow))

        def assessed() -> Iterator[dict]:
            while batch := list(islice(rows, BATCH)):
                posts = [(str(r.values.get("post_id") or r.number), str(r.values.get("text") or ""))
                         for r in batch]
                for (post_id, _), result in zip(posts, engine.assess([t for _, t in posts])):
                    report.count(result)
                    yield scan_row(post_id, result, unmasked)
                if progress:
                    progress(*source.progress())

        write_table(out, SCAN_COLUMNS, assessed())
    finally:
        source.close()
    return report


def scan_row(post_id: str, result: Assessment, unmasked: bool) -> dict:
    contacts = _shown(result.indicators, unmasked)
    return {"post_id": post_id, "is_black_gray": int(result.is_black_gray),
            "level": result.level or "", "category": result.category or "",
            "score": round(result.score, 4), "terms": ";".join(result.terms),
            "contacts": ";".join(contacts)}


def scan_stored_posts(db: Engine, org: str, import_id: int | None = None,
                      engine: ContentEngine | None = None) -> ScanReport:
    """Assess the posts in the store (those of one import, or all) into `post_assessments`
    and `post_contacts`, replacing earlier results for those posts."""
    engine = engine or default_engine()
    posts = record_tables["posts"]
    report = ScanReport()
    query = select(posts.c.post_id, posts.c.text).where(posts.c.org == org)
    if import_id is not None:
        query = query.where(posts.c.import_id == import_id)
    last = None
    while True:
        page = query if last is None else query.where(posts.c.post_id > last)
        with db.connect() as conn:
            batch = list(conn.execute(page.order_by(posts.c.post_id).limit(BATCH)))
        if not batch:
            return report
        results = engine.assess([text or "" for _, text in batch])
        for result in results:
            report.count(result)
        _store(db, org, [post_id for post_id, _ in batch], results, engine.version)
        last = batch[-1][0]


def _store(db: Engine, org: str, post_ids: list[str], results: list[Assessment],
           version: str) -> None:
    now = utcnow()
    assessed = [{"org": org, "post_id": post_id, "is_black_gray": r.is_black_gray,
                 "level": r.level, "category": r.category, "score": round(r.score, 4),
                 "terms": ";".join(r.terms), "evidence": r.evidence(), "model_version": version,
                 "assessed_at": now} for post_id, r in zip(post_ids, results)]
    contacts = {(post_id, c.kind, c.value): {"org": org, "post_id": post_id,
                                             "indicator_type": c.kind, "indicator_value": c.value}
                for post_id, r in zip(post_ids, results) for c in r.contacts}
    with db.begin() as conn:
        conn.execute(delete(post_contacts).where(post_contacts.c.org == org,
                                                 post_contacts.c.post_id.in_(post_ids)))
        execute_prepared(conn, prepare_upsert(conn.dialect, post_assessments, assessed))
        execute_prepared(conn, prepare_upsert(conn.dialect, post_contacts, list(contacts.values()),
                                              update=False))


def post_assessment_rows(db: Engine, org: str, unmasked: bool = False) -> Iterator[dict]:
    """formats.md "post assessments" of the stored posts, in post id order."""
    for page in _pages(rows_of_org(db, post_assessments, org, BATCH)):
        contacts = _contacts_of(db, org, [row["post_id"] for row in page])
        for row in page:
            shown = _shown(contacts.get(row["post_id"], []), unmasked)
            yield {**row, "is_black_gray": int(row["is_black_gray"]),
                   "level": row["level"] or "", "category": row["category"] or "",
                   "contacts": ";".join(shown)}


def export_takedowns(db: Engine, org: str, out_dir: Path, unmasked: bool = False) -> dict[str, int]:
    """One take-down request file per platform (`takedown_<platform>.csv`): every black/gray
    post with its address, account, level, reason and evidence; rows written per platform."""
    posts = record_tables["posts"]
    query = (select(posts.c.post_id, posts.c.platform, posts.c.url, posts.c.account_id,
                    posts.c.account_name, posts.c.published_at, post_assessments.c.level,
                    post_assessments.c.category, post_assessments.c.terms)
             .join(post_assessments, (post_assessments.c.org == posts.c.org)
                   & (post_assessments.c.post_id == posts.c.post_id))
             .where(posts.c.org == org, post_assessments.c.is_black_gray.is_(True))
             .order_by(posts.c.platform, posts.c.post_id))
    with db.connect() as conn:
        platforms = [p for (p,) in conn.execute(select(query.subquery().c.platform).distinct())]
    written = {}
    for platform in sorted(platforms):
        rows = _takedown_rows(db, org, query.where(posts.c.platform == platform), unmasked)
        name = _UNSAFE_IN_FILE_NAME.sub("_", platform)
        written[platform] = write_table(out_dir / f"takedown_{name}.csv", TAKEDOWN_COLUMNS, rows)
    return written


def _takedown_rows(db: Engine, org: str, query, unmasked: bool) -> Iterator[dict]:
    with db.connect() as conn:
        for page in conn.execute(query).mappings().yield_per(BATCH).partitions():
            contacts = _contacts_of(db, org, [row["post_id"] for row in page])
            for row in page:
                shown = _shown(contacts.get(row["post_id"], []), unmasked)
                yield {**row, "reason": _reason(row), "evidence": "; ".join(
                    filter(None, [f"词: {row['terms']}" if row["terms"] else "",
                                  f"联系方式: {', '.join(shown)}" if shown else ""]))}


def _shown(indicators: list[str], unmasked: bool) -> list[str]:
    return indicators if unmasked else [mask_indicator(i) for i in indicators]


def _reason(row) -> str:
    level = {1: "一级", 2: "二级"}.get(row["level"], "")
    category = default_lexicon().categories.get(row["category"])
    kind = category.zh if category else row["category"]
    return f"金融黑灰产营销内容（{kind}，{level}），依据互金协会异常维权内容分级"


def _contacts_of(db: Engine, org: str, post_ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with db.connect() as conn:
        for post_id, kind, value in conn.execute(
                select(post_contacts.c.post_id, post_contacts.c.indicator_type,
                       post_contacts.c.indicator_value)
                .where(post_contacts.c.org == org, post_contacts.c.post_id.in_(post_ids))
                .order_by(post_contacts.c.post_id)):
            found.setdefault(post_id, []).append(f"{kind}:{value}")
    return found


def _pages(rows: Iterable[dict]) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while page := list(islice(iterator, BATCH)):
        yield page


@dataclass
class TrainReport:
    model_path: Path
    examples: int
    cross_validated: dict
    held_out: dict | None
    threshold: float


def train_model(out: Path, fbs: Path | None, samples: list[Path],
                version: str | None = None) -> TrainReport:
    """Train on the tuning part of FBS SMS and on sample-generator posts; report k-fold figures
    on the training texts and figures on the FBS held-out part (never trained or tuned on)."""
    from qinglang.content.training import scores, train  # scikit-learn loads only here

    examples: list[LabelledText] = fbs_corpus(fbs, held_out=False) if fbs else []
    for folder in samples:
        examples += sample_posts(folder)
    if not examples:
        raise InputError("nothing to train on: give --fbs and/or --sample")
    sources = {"fbs_sms": str(fbs.name) if fbs else None,
               "sample": [folder.name for folder in samples]}
    model = train(examples, version=version, sources=sources)
    cross_validated = model.meta["figures"]["cross_validated"]
    held_out = None
    if fbs:
        held = fbs_corpus(fbs, held_out=True)
        flagged = [a.is_black_gray for a in ContentEngine(model).assess([e.text for e in held])]
        held_out = scores([e.is_black_gray for e in held], flagged).as_dict()
    model.meta["figures"]["fbs_held_out"] = held_out
    model.save(out)
    return TrainReport(out, len(examples), cross_validated, held_out, model.threshold)
