"""The engine on sample-generator posts (a seed the shipped model was not trained on), the
scan during import into post_assessments / post_contacts on each backend, and the commands."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from factories import TEST_KEY
from qinglang.cli import app
from qinglang.content.corpus import sample_posts
from qinglang.content.engine import default_engine
from qinglang.services.content import export_takedowns, post_assessment_rows
from qinglang.services.importing import import_file
from qinglang.store.tables_content import post_assessments, post_contacts


def test_sample_posts_are_graded_like_the_truth(sample_dir):
    posts = sample_posts(sample_dir)
    results = default_engine().assess([p.text for p in posts])
    right = sum(r.is_black_gray == p.is_black_gray for r, p in zip(results, posts))
    assert right / len(posts) >= 0.97
    black = [(r, p) for r, p in zip(results, posts) if p.is_black_gray and r.is_black_gray]
    assert sum(r.category == p.category for r, p in black) / len(black) >= 0.9
    assert all(set(r.indicators) == set(p.contacts) for r, p in zip(results, posts))


def test_levels_follow_the_content_grading(sample_dir, truth):
    posts = sample_posts(sample_dir)
    results = default_engine().assess([p.text for p in posts])
    graded = [(r.level, int(truth[pid]["level"])) for r, pid in zip(results, truth)
              if r.is_black_gray and truth[pid]["is_black_gray"] == "1"]
    assert sum(found == expected for found, expected in graded) / len(graded) >= 0.9


def test_import_scans_posts_into_the_store(engine, settings, sample_dir, truth):
    import_file(engine, settings, sample_dir / "posts.jsonl")
    with engine.connect() as conn:
        assessed = {r.post_id: r for r in conn.execute(select(post_assessments))}
        contacts: dict[str, set[str]] = {}
        for row in conn.execute(select(post_contacts)):
            contacts.setdefault(row.post_id, set()).add(
                f"{row.indicator_type}:{row.indicator_value}")
    assert set(assessed) == set(truth)
    flagged = {pid for pid, r in assessed.items() if r.is_black_gray}
    assert len(flagged ^ {pid for pid, t in truth.items() if t["is_black_gray"] == "1"}) <= 6
    for pid, row in truth.items():
        assert contacts.get(pid, set()) == set(filter(None, row["contacts"].split(";")))
    sample_hit = next(r for r in assessed.values() if r.evidence["terms"])
    span = sample_hit.evidence["terms"][0]["span"]
    assert span[0] < span[1]

    rows = list(post_assessment_rows(engine, settings.org))
    assert len(rows) == len(truth) and "****" in ";".join(r["contacts"] for r in rows)
    written = export_takedowns(engine, settings.org, settings.home / "takedown")
    assert sum(written.values()) == len(flagged)
    assert set(written) <= {"douyin", "kuaishou", "xiaohongshu", "weibo", "wechat", "bilibili",
                            "sms"}


def test_scan_command_streams_a_file_into_formats_md_columns(tmp_path, monkeypatch, sample_dir,
                                                             truth):
    monkeypatch.setenv("QINGLANG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QINGLANG_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("QINGLANG_SECRET_KEY", TEST_KEY)
    out = tmp_path / "scan.jsonl"
    result = CliRunner().invoke(app, ["scan", str(sample_dir / "posts.jsonl"), "--out", str(out),
                                      "--unmasked"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert list(rows[0]) == ["post_id", "is_black_gray", "level", "category", "score", "terms",
                             "contacts"]
    assert len(rows) == len(truth)
    for row in rows:
        expected = set(filter(None, truth[row["post_id"]]["contacts"].split(";")))
        assert set(filter(None, row["contacts"].split(";"))) == expected
