"""The CLI end to end on a small sample institution: sample → import → stats → analyze."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import TEST_KEY
import qinglang.rules
from qinglang.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("QINGLANG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QINGLANG_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("QINGLANG_SECRET_KEY", TEST_KEY)
    return tmp_path


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
def test_sample_import_twice_stats_analyze(env):
    out = env / "inst"
    invoke("sample", "--customers", "300", "--seed", "3", "--out", str(out))
    first = invoke("import", str(out))
    assert "customers.csv → customers" in first
    assert "letters_gbk.csv → complaints" in first and "(gb18030)" in first
    stats_once = invoke("stats")
    invoke("import", str(out))
    assert invoke("stats") == stats_once  # re-importing never duplicates
    imported = re.search(r"customers\.csv → customers: ([\d,]+) rows imported", first).group(1)
    assert re.search(rf"│ customers\s+│ {imported}\s+│", stats_once)
    assert "complaints about an unknown customer" in invoke("analyze")
    scored = invoke("score", str(out / "complaints.csv"))
    assert "在线评分" in scored and "agent_driven" in scored
    report = invoke("report", "complaints", "--period", "2024-01..2025-12", "--out",
                    str(env / "report"))
    assert (env / "report" / "complaints_report_2024-01_2025-12.xlsx").exists()
    assert "投诉统计剔除" in report
    ruleset = env / "stricter.yaml"
    ruleset.write_text(re.sub(r"agent_driven: 50", "agent_driven: 70",
                              (Path(qinglang.rules.__file__).parent / "default.yaml")
                              .read_text("utf-8")).replace('version: "', 'version: "x-'),
                       "utf-8")
    diff = invoke("rules", "diff", "default", str(ruleset))
    assert "agent_driven │ review" in diff or "agent_driven │ genuine" in diff


def test_a_file_that_cannot_be_read_fails_with_its_name_and_exit_code(env):
    bad = env / "customers.csv"
    bad.write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 1
    assert "customers.csv" in result.output and "binary content" in result.output


def test_export_of_an_unknown_kind_is_refused(env):
    result = runner.invoke(app, ["export", "records", "widgets", "--out", str(env / "x.csv")])
    assert result.exit_code == 2 and "unknown kind" in result.output
