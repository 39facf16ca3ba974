"""Importing exports: formats, encodings, rejects, upserts — on every store backend."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from factories import (COMPLAINT_COLUMNS, CUSTOMER_COLUMNS, complaint, customer, write_csv,
                       write_jsonl, write_xlsx)
from qinglang.errors import InputError
from qinglang.services.importing import import_file
from qinglang.store.tables import attachments, record_tables

customers_table = record_tables["customers"]


def stored(engine, table, org="test-bank"):
    with engine.connect() as conn:
        rows = conn.execute(select(table).where(table.c.org == org)).mappings().all()
    return {r[list(table.primary_key.columns)[1].name]: dict(r) for r in rows}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_export_encoding_reads_the_same_chinese(tmp_path, settings, engine,
                                                             encoding):
    path = write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS,
                     [customer(i) for i in range(1, 21)], encoding=encoding)
    report = import_file(engine, settings, path)
    assert (report.rows_ok, report.rows_rejected) == (20, 0)
    rows = stored(engine, customers_table)
    assert rows["C00001"]["name"] == "张三"
    assert rows["C00002"]["address_district"] == "海淀区"
    assert rows["C00001"]["reserved_phone"] == "+8613800010007"
    assert report.encoding in {"utf-8", "utf-8-sig", "gb18030"}


def test_csv_jsonl_and_xlsx_give_the_same_records(tmp_path, settings, engine):
    rows = [customer(i) for i in range(1, 16)]
    written = [
        write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS, rows),
        write_jsonl(tmp_path / "customers.jsonl", rows),
        write_xlsx(tmp_path / "customers.xlsx", CUSTOMER_COLUMNS, rows),
    ]
    views = []
    for path in written:
        import_file(engine, settings, path)
        views.append({k: {c: v for c, v in r.items() if c not in ("import_id", "source_row", "updated_at")}
                      for k, r in stored(engine, customers_table).items()})
    assert views[0] == views[1] == views[2]
    assert len(views[0]) == 15


def test_protected_id_number_is_never_stored_in_clear(tmp_path, settings, engine):
    row = customer(1)
    import_file(engine, settings, write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS, [row]))
    record = stored(engine, customers_table)["C00001"]
    assert row["id_number"] not in repr(record)
    assert record["id_number_masked"].startswith("110105") and "*" in record["id_number_masked"]
    assert len(record["id_number_digest"]) == 64


def test_unknown_columns_are_kept_as_attributes(tmp_path, settings, engine):
    import_file(engine, settings, write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS,
                                            [customer(1)]))
    assert stored(engine, customers_table)["C00001"]["attrs"] == {"branch": "海淀支行"}


def test_bad_rows_are_rejected_with_row_column_and_reason_and_good_rows_kept(
        tmp_path, settings, engine):
    rows = [customer(i) for i in range(1, 11)]
    rows[2]["reserved_phone"] = "138001"                       # row 4
    rows[4]["id_number"] = rows[4]["id_number"][:-1] + ("0" if rows[4]["id_number"][-1] != "0"
                                                         else "1")  # row 6: checksum
    rows[6]["created_at"] = "last tuesday"                     # row 8
    rows[7]["customer_id"] = ""                                # row 9
    path = write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS, rows)
    report = import_file(engine, settings, path)
    assert (report.rows_ok, report.rows_rejected) == (6, 4)
    with report.rejects_file.open(encoding="utf-8-sig") as handle:
        rejects = [(r["file"], int(r["row"]), r["column"]) for r in csv.DictReader(handle)]
    assert rejects == [("customers.csv", 4, "reserved_phone"), ("customers.csv", 6, "id_number"),
                       ("customers.csv", 8, "created_at"), ("customers.csv", 9, "customer_id")]
    text = report.rejects_file.read_text(encoding="utf-8-sig")
    assert rows[4]["id_number"] not in text and ",138001" not in text
    assert set(stored(engine, customers_table)) == {f"C{i:05d}" for i in (1, 2, 4, 6, 9, 10)}


def test_reimport_and_updated_export_upsert_in_place(tmp_path, settings, engine):
    rows = [customer(i) for i in range(1, 31)]
    path = write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS, rows)
    import_file(engine, settings, path)
    import_file(engine, settings, path)
    assert len(stored(engine, customers_table)) == 30
    rows[0]["reserved_phone"] = "13311112222"
    rows.append(customer(31))
    updated = write_csv(tmp_path / "customers_2024-07.csv", CUSTOMER_COLUMNS, rows)
    import_file(engine, settings, updated)
    after = stored(engine, customers_table)
    assert len(after) == 31
    assert after["C00001"]["reserved_phone"] == "+8613311112222"


def test_repeated_id_within_one_batch_keeps_the_last_row(tmp_path, settings, engine):
    rows = [customer(1), customer(1, name="李四")]
    import_file(engine, settings, write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS, rows))
    assert stored(engine, customers_table)["C00001"]["name"] == "李四"


def test_complaint_attachments_are_hashed_and_missing_ones_recorded(tmp_path, settings,
                                                                     engine):
    (tmp_path / "attachments").mkdir()
    (tmp_path / "attachments" / "proof.jpg").write_bytes(b"\xff\xd8fake-jpeg")
    rows = [complaint(1, attachments="proof.jpg;../../etc/passwd;gone.png")]
    report = import_file(engine, settings,
                         write_csv(tmp_path / "complaints.csv", COMPLAINT_COLUMNS, rows))
    assert report.rows_ok == 1
    with engine.connect() as conn:
        found = {r.file_name: r.sha256 for r in conn.execute(select(attachments))}
    assert set(found) == {"proof.jpg", "passwd", "gone.png"}
    assert len(found["proof.jpg"]) == 64 and found["gone.png"] is None and found["passwd"] is None


def test_intelligence_indicators_are_keyed_by_kind_and_normalised_value(tmp_path, settings,
                                                                         engine):
    rows = [{"indicator": "+86 139-1234-5678", "kind": "phone", "confidence": "0.9"},
            {"indicator": "13912345678", "kind": "phone", "confidence": "0.8"},
            {"indicator": "Agent_Wang88", "kind": "wechat"}]
    path = write_csv(tmp_path / "intelligence.csv", ["indicator", "kind", "confidence"], rows)
    import_file(engine, settings, path)
    keys = stored(engine, record_tables["intelligence"])
    assert set(keys) == {"phone:+8613912345678", "wechat:agent_wang88"}
    assert keys["phone:+8613912345678"]["confidence"] == 0.8


def test_kind_comes_from_columns_when_the_name_says_nothing(tmp_path, settings, engine):
    path = write_csv(tmp_path / "export_0611.csv", COMPLAINT_COLUMNS, [complaint(1)])
    assert import_file(engine, settings, path).kind == "complaints"


def test_file_whose_kind_cannot_be_told_is_refused(tmp_path, settings, engine):
    path = write_csv(tmp_path / "export.csv", ["foo", "bar"], [{"foo": 1, "bar": 2}])
    with pytest.raises(InputError, match="export.csv: cannot tell the kind"):
        import_file(engine, settings, path)
