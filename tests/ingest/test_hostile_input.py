"""Hostile input gives a clear error naming file, row and column — never a crash or a hang."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import select

from factories import (COMPLAINT_COLUMNS, CUSTOMER_COLUMNS, complaint, customer, write_csv,
                       write_xlsx)
from qinglang.errors import InputError
from qinglang.services.importing import import_file
from qinglang.store.tables import record_tables, rejects

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def reject_list(engine):
    with engine.connect() as conn:
        return [(r.row_number, r.column_name, r.reason) for r in conn.execute(
            select(rejects).order_by(rejects.c.row_number))]


def test_text_in_neither_utf8_nor_gb18030_is_refused_not_guessed(tmp_path, settings, engine):
    path = tmp_path / "customers.csv"
    path.write_bytes("customer_id,name\nC1,Jos\xe9,x\n".encode("latin-1"))
    with pytest.raises(InputError, match="customers.csv: text is neither UTF-8 nor GB18030"):
        import_file(engine, settings, path)


def test_binary_garbage_is_refused(tmp_path, settings, engine):
    path = tmp_path / "customers.csv"
    path.write_bytes(os.urandom(4096) + b"\x00" * 16)
    with pytest.raises(InputError, match="customers.csv: binary content"):
        import_file(engine, settings, path)


def test_empty_file_is_refused(tmp_path, settings, engine):
    path = tmp_path / "complaints.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="complaints.csv: no header row"):
        import_file(engine, settings, path)


def test_missing_required_column_names_it(tmp_path, settings, engine):
    columns = [c for c in COMPLAINT_COLUMNS if c != "received_at"]
    rows = [{k: v for k, v in complaint(1).items() if k != "received_at"}]
    path = write_csv(tmp_path / "complaints.csv", columns, rows)
    with pytest.raises(InputError, match="complaints.csv: required column.*received_at"):
        import_file(engine, settings, path)


def test_a_50_mb_field_rejects_its_row_and_keeps_the_others(tmp_path, settings, engine):
    path = tmp_path / "complaints.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(COMPLAINT_COLUMNS) + "\n")
        handle.write("T1,C1,2024-06-03 10:00:00,hotline,,self,正常投诉内容,,\n")
        handle.write('T2,C2,2024-06-03 10:00:00,hotline,,self,"' + "投" * (50 << 20) + '",,\n')
        handle.write("T3,C3,2024-06-03 10:00:00,hotline,,self,另一条投诉,,\n")
    report = import_file(engine, settings, path)
    assert (report.rows_ok, report.rows_rejected) == (2, 1)
    assert reject_list(engine) == [(3, "", "row longer than 75536 characters")]


def test_a_50_mb_json_line_is_skipped_whole(tmp_path, settings, engine):
    path = tmp_path / "posts.jsonl"
    lines = [{"post_id": "P1", "platform": "douyin", "text": "正常内容"},
             {"post_id": "P2", "platform": "douyin", "text": "x" * (50 << 20)},
             {"post_id": "P3", "platform": "weibo", "text": "另一条"}]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8")
    report = import_file(engine, settings, path)
    assert (report.rows_ok, report.rows_rejected) == (2, 1)
    assert reject_list(engine)[0][:2] == (2, "")


def test_formula_injection_in_a_cell_rejects_the_row(tmp_path, settings, engine):
    rows = [complaint(1, text="=cmd|' /C calc'!A0"), complaint(2),
            complaint(3, demands="@SUM(1+1)*cmd|' /C calc'!A0")]
    report = import_file(engine, settings,
                         write_csv(tmp_path / "complaints.csv", COMPLAINT_COLUMNS, rows))
    assert (report.rows_ok, report.rows_rejected) == (1, 2)
    assert [(r[0], r[1]) for r in reject_list(engine)] == [(2, "text"), (4, "demands")]
    assert all("formula" in r[2] for r in reject_list(engine))


def test_formula_cell_in_a_workbook_is_rejected(tmp_path, settings, engine):
    rows = [customer(1), customer(2, name='=HYPERLINK("http://evil.example","点我")')]
    report = import_file(engine, settings,
                         write_xlsx(tmp_path / "customers.xlsx", CUSTOMER_COLUMNS, rows))
    assert (report.rows_ok, report.rows_rejected) == (1, 1)
    assert reject_list(engine)[0][:2] == (3, "name")


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(tmp_path, settings, engine):
    path = tmp_path / "customers.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="customers.xlsx: not a readable .xlsx"):
        import_file(engine, settings, path)


def test_rows_wider_than_the_header_and_broken_quotes_are_rejected(tmp_path, settings, engine):
    path = tmp_path / "complaints.csv"
    header = ",".join(COMPLAINT_COLUMNS)
    path.write_text(header + "\nT1,C1,2024-06-03,hotline,,self,好,,,extra,cells\n"
                    "T2,C2,2024-06-03,hotline,,self,好的,,\n", "utf-8")
    report = import_file(engine, settings, path)
    assert (report.rows_ok, report.rows_rejected) == (1, 1)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(select(record_tables["complaints"].c.complaint_id))]
    assert ids == ["T2"]


def test_duplicate_header_columns_are_refused(tmp_path, settings, engine):
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,name,Name\nC1,张三,李四\n", "utf-8")
    with pytest.raises(InputError, match="column 'name' appears twice"):
        import_file(engine, settings, path)


def test_undecodable_bytes_past_the_detected_start_reject_their_row(tmp_path, settings, engine):
    """Detection reads the first megabyte; a bad byte after it rejects only its own row."""
    path = tmp_path / "complaints.csv"
    good = "T{0},C{0},2024-06-03 10:00:00,hotline,,self,第{0}条投诉,,\n"
    with path.open("wb") as handle:
        handle.write((",".join(COMPLAINT_COLUMNS) + "\n").encode("utf-8"))
        for i in range(1, 30_001):
            handle.write(good.format(i).encode("utf-8"))
        assert handle.tell() > 1 << 20
        handle.write(b"X1,C1,2024-06-03 10:00:00,hotline,,self,\xff\xfe broken,,\n")
        handle.write(good.format(30_001).encode("utf-8"))
    report = import_file(engine, settings, path)
    assert (report.rows_ok, report.rows_rejected) == (30_001, 1)
    assert reject_list(engine) == [(30_002, "text", "bytes that are not valid utf-8")]
