"""The regulator report (统计剔除): exclusions with their evidence, repeats on settled
matters, and adjusted counts that add up — in .xlsx and .csv, numbers masked."""

from __future__ import annotations

import csv
import re
from collections import Counter

import openpyxl
import pytest
from sqlalchemy import select

from factories import (COMPLAINT_COLUMNS, CUSTOMER_COLUMNS, complaint, customer,
                       import_institution, write_csv)
from qinglang.errors import InputError
from qinglang.rules.schema import default_ruleset
from qinglang.sample import generate
from qinglang.services.assess import assess_all
from qinglang.services.importing import import_file
from qinglang.services.report import Period, complaint_report, write_report
from qinglang.store.tables import assessments, record_tables

PERIOD = Period.parse("2024-03..2025-03")


@pytest.fixture(scope="module")
def institution(tmp_path_factory):
    out = tmp_path_factory.mktemp("inst")
    generate(out, customers=500, seed=4)
    return out


@pytest.fixture
def store(institution, settings, engine, tmp_path):
    settings = import_institution(engine, settings, institution)
    import_file(engine, settings, write_csv(tmp_path / "customers_extra.csv", CUSTOMER_COLUMNS,
                                            [customer(90001)]))
    history = [  # one customer: a settled matter, a repeat on it, and one long after
        complaint(90001, received_at="2024-05-01 10:00:00", 处理结果="已和解，客户签字确认"),
        complaint(90002, customer_id="C90001", received_at="2024-06-01 10:00:00"),
        complaint(90003, customer_id="C90001", received_at="2025-08-01 10:00:00"),
    ]
    import_file(engine, settings, write_csv(tmp_path / "complaints_extra.csv",
                                            COMPLAINT_COLUMNS + ["处理结果"], history))
    assess_all(engine, settings.org, default_ruleset())
    return settings.org


def stored_outcomes(engine, org) -> dict[str, tuple[str, str]]:
    complaints = record_tables["complaints"]
    query = (select(complaints.c.complaint_id, complaints.c.received_at, assessments.c.outcome)
             .join(assessments, assessments.c.complaint_id == complaints.c.complaint_id)
             .where(complaints.c.org == org))
    return {c: (when, outcome) for c, when, outcome in engine.connect().execute(query)
            if PERIOD.start <= when < PERIOD.end}


def test_counts_add_up_to_the_stored_assessments(store, engine):
    report = complaint_report(engine, store, PERIOD)
    stored = stored_outcomes(engine, store)
    totals = [r for r in report.summary if r["channel"] == "全部 all"]
    assert sum(r["received"] for r in totals) == len(stored)
    outcomes = Counter(outcome for _, outcome in stored.values())
    assert sum(r["excluded_malicious"] for r in totals) == outcomes["malicious"]
    assert sum(r["excluded_agent"] for r in totals) == outcomes["agent_driven"] > 0
    assert {r["complaint_id"] for r in report.exclusions} == {
        c for c, (_, o) in stored.items() if o in ("malicious", "agent_driven")}
    for row in report.summary:
        assert row["adjusted"] == (row["received"] - row["excluded_malicious"]
                                   - row["excluded_agent"] - row["repeats_on_settled"])
    by_channel = [r for r in report.summary if r["channel"] != "全部 all"]
    assert sum(r["received"] for r in by_channel) == len(stored)


def test_a_repeat_on_a_settled_matter_is_flagged_within_the_look_back(store, engine):
    report = complaint_report(engine, store, Period.parse("2024-01..2025-12"))
    repeats = {r["complaint_id"]: r for r in report.repeats}
    assert repeats["T90002"]["settled_complaint_id"] == "T90001"
    assert repeats["T90002"]["settled_how"] == "agreement"
    assert "T90001" not in repeats and "T90003" not in repeats


def test_report_files_hold_the_same_rows_with_numbers_masked(store, engine, tmp_path):
    report = complaint_report(engine, store, PERIOD)
    written = write_report(report, tmp_path / "out")
    book = openpyxl.load_workbook(written[0], read_only=True)
    assert book.sheetnames == ["调整后统计", "剔除建议", "重复投诉"]
    for sheet, path in zip(book.sheetnames, written[1:]):
        with path.open(encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
        assert len(rows) == book[sheet].max_row
    text = written[2].read_text("utf-8-sig")
    assert "2.4" in text or "2.5" in text
    assert not re.search(r"\+86\d{11}", text)


@pytest.mark.parametrize("period", ["2024-13", "last year", "2025..2024"])
def test_a_bad_period_is_refused(period):
    with pytest.raises(InputError):
        Period.parse(period)


def test_quarters_and_single_months():
    assert (Period.parse("2024-Q4").start.month, Period.parse("2024-Q4").end.year) == (10, 2025)
    assert Period.parse("2024-02").end.month == 3
