"""The police referral package: complete, verifiable, reproducible; the PDF's Chinese is text
a reader (pdftotext) gets back; take-down requests go one file per platform."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import zipfile

import pytest
from typer.testing import CliRunner

from conftest import AGENT_E164, TITLE
from factories import TEST_KEY
from qinglang.cli import app
from qinglang.disposal.report import build_report
from qinglang.errors import InputError
from qinglang.services import audit
from qinglang.services import cases as service


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def case_id(institution, settings, engine):
    case_id = service.open_case(engine, settings.org, "investigator-1", "gang", ["G1"], TITLE,
                                settings.home / "evidence")
    service.change_status(engine, settings.org, "lead", case_id, "investigating")
    return case_id


def export(engine, settings, case_id, out, unmasked=False):
    return service.export_package(engine, settings.org, "investigator-1", case_id, out,
                                  settings.home / "evidence", unmasked)


def test_exporting_the_same_case_twice_gives_identical_bytes(tmp_path, settings, engine,
                                                            case_id):
    first = export(engine, settings, case_id, tmp_path / "a")
    second = export(engine, settings, case_id, tmp_path / "b")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256 == second.sha256 and first.manifest == second.manifest
    service.comment(engine, settings.org, "lead", case_id, "补充：同一律师函模板")
    assert export(engine, settings, case_id, tmp_path / "c").sha256 != first.sha256
    exports = audit.entries(engine, settings.org, action="case.export.package")
    assert len(exports) == 3 and exports[-1].detail["sha256"] == first.sha256


def test_the_manifest_hashes_every_file_of_the_package(tmp_path, settings, engine, case_id):
    package = export(engine, settings, case_id, tmp_path)
    with zipfile.ZipFile(package.path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        for entry in manifest["files"]:
            assert sha(archive.read(entry["path"])) == entry["sha256"]
    assert sorted(e["path"] for e in manifest["files"]) == sorted(n for n in names
                                                                  if n != "manifest.json")
    assert {"report.pdf", "report.html"} <= set(names)
    view = service.case_view(engine, settings.org, case_id)
    assert [e["sha256"] for e in manifest["evidence"]] == [i["sha256"] for i in view.evidence]


def test_unmasked_evidence_files_hash_to_the_recorded_evidence_hash(tmp_path, settings, engine,
                                                                   case_id, institution):
    package = export(engine, settings, case_id, tmp_path, unmasked=True)
    with zipfile.ZipFile(package.path) as archive:
        for row in package.manifest["evidence"]:
            assert sha(archive.read(row["hashed_file"])) == row["sha256"]
        attachment = next(r for r in package.manifest["evidence"] if r["kind"] == "attachment")
        assert archive.read(attachment["file"]) == (institution / "proof.jpg").read_bytes()
    assert audit.entries(engine, settings.org, limit=1)[0].detail["unmasked"] is True


def test_a_masked_package_shows_no_agent_number_and_withholds_files(tmp_path, settings, engine,
                                                                   case_id):
    package = export(engine, settings, case_id, tmp_path)
    with zipfile.ZipFile(package.path) as archive:
        for name in archive.namelist():
            if not name.endswith(".pdf"):
                assert AGENT_E164 not in archive.read(name).decode("utf-8"), name
        html = archive.read("report.html").decode("utf-8")
    assert "+86 171****1269" in html and "<svg" in html and TITLE in html
    attachment = next(r for r in package.manifest["evidence"] if r["kind"] == "attachment")
    assert attachment["file"].startswith("withheld")


def test_the_report_adds_up_fees_and_amounts_demanded(settings, engine, case_id):
    report = build_report(service.case_view(engine, settings.org, case_id))
    amounts = {a.category.id: (a.count, a.total) for a in report.amounts}
    assert amounts["agent_fee"] == (4, 8000.0)
    assert amounts["demanded"] == (4, 1000.0)
    assert amounts["principal"] == (4, 100000.0)
    phone = next(i for i in report.identifiers if i.kind == "phone")
    assert phone.customers == {"C00001", "C00002", "C00003", "C00004"}
    assert [r[0] for r in report.rules] == ["2.5"]
    assert len(report.diagram.customers) == 4


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_the_pdf_holds_the_chinese_title_as_text(tmp_path, settings, engine, case_id):
    package = export(engine, settings, case_id, tmp_path)
    with zipfile.ZipFile(package.path) as archive:
        (tmp_path / "report.pdf").write_bytes(archive.read("report.pdf"))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "report.pdf"), "-"],
                          capture_output=True, check=True, text=True).stdout
    assert f"报案材料：{TITLE}" in text
    assert "命中的识别规则及证据" in text and "团伙结构" in text


def test_takedown_requests_go_one_file_per_platform(tmp_path, settings, engine, institution):
    case_id = service.open_case(engine, settings.org, "analyst", "posts", ["P1", "P2"],
                                "停息挂账引流账号", settings.home / "evidence")
    written = service.export_takedowns(engine, settings.org, "analyst", case_id, tmp_path)
    assert [p.name for p in written] == [f"case-{case_id}-takedown-douyin.csv",
                                         f"case-{case_id}-takedown-weibo.csv"]
    with written[0].open(encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["url"] == "https://www.douyin.com/video/1" and row["account_id"] == "dy_tingxi"
    assert row["level"] == "1" and row["category"] == "debt_relief"
    assert row["reason"].startswith("一级违规内容（debt_relief），命中：停息挂账")
    assert "停息挂账引流账号" in row["reason"] and len(row["evidence_sha256"]) == 64
    report = build_report(service.case_view(engine, settings.org, case_id))
    assert [(i.kind, i.shown) for i in report.identifiers] == [("wechat", "tin***")]
    with pytest.raises(InputError, match="holds no posts"):
        other = service.open_case(engine, settings.org, "analyst", "complaints", ["T00005"],
                                  "投诉", settings.home / "evidence")
        service.export_takedowns(engine, settings.org, "analyst", other, tmp_path)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_case_commands_end_to_end(tmp_path, settings, engine, institution, monkeypatch):
    monkeypatch.setenv("QINGLANG_DB_URL", settings.db_url)
    monkeypatch.setenv("QINGLANG_HOME", str(settings.home))
    monkeypatch.setenv("QINGLANG_SECRET_KEY", TEST_KEY)
    monkeypatch.setenv("QINGLANG_ORG", settings.org)
    monkeypatch.setenv("QINGLANG_USER", "侦查员甲")
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    assert "case 1 opened" in run("case", "open", "--complaints", "T00001,T00002",
                                  "--title", TITLE)
    run("case", "assign", "1", "侦查员乙")
    refused = runner.invoke(app, ["case", "status", "1", "closed"])
    assert refused.exit_code == 2 and "cannot become closed" in refused.output
    run("case", "status", "1", "investigating")
    assert "调查中" in run("case", "show", "1")
    assert "sha256" in run("case", "export", "1", "--out", str(tmp_path / "pkg"))
    assert (tmp_path / "pkg" / "case-1.zip").is_file()
    assert "侦查员甲" in run("audit", "show", "--action", "case.")
    assert "audit log intact" in run("audit", "verify")
