"""Exports: personal data masked by default, formulas neutralised, three file formats."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook

from factories import customer, write_jsonl
from qinglang.model.values import IdNumberProtector
from qinglang.services.exporting import export_records
from qinglang.services.importing import import_file

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def imported(tmp_path, settings, engine):
    rows = [customer(i) for i in range(1, 13)]
    rows[0]["name"] = "-张三"  # a name a spreadsheet would read as a formula
    import_file(engine, settings, write_jsonl(tmp_path / "customers.jsonl", rows))
    return rows


def read_csv(path):
    with path.open(encoding="utf-8-sig") as handle:
        return {r["customer_id"]: r for r in csv.DictReader(handle)}


def test_csv_export_masks_personal_data_by_default(tmp_path, settings, engine, imported):
    out = tmp_path / "out.csv"
    assert export_records(engine, settings.org, "customers", out) == 12
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(out)
    first, raw = rows["C00002"], imported[1]
    assert first["name"] == "欧阳**"
    assert raw["id_number"] not in out.read_text("utf-8-sig")
    assert first["id_number"].startswith("110105") and "*" in first["id_number"]
    assert first["reserved_phone"] == "'+86 138****0014"  # a leading + is a formula to Excel
    assert rows["C00001"]["name"] == "'-**"
    assert first["address"] == "北京市北京市海淀区****"
    assert json.loads(first["attrs"]) == {"branch": "海淀支行"}


def test_unmasked_export_opens_id_numbers_with_the_key(tmp_path, settings, engine, imported):
    out = tmp_path / "full.jsonl"
    export_records(engine, settings.org, "customers", out, unmasked=True,
                   protector=IdNumberProtector(settings.secret_key))
    rows = {r["customer_id"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    assert rows["C00003"]["id_number"] == imported[2]["id_number"]
    assert rows["C00003"]["reserved_phone"] == "+8613800030021"


def test_xlsx_export_writes_formula_like_text_as_plain_text(tmp_path, settings, engine, imported):
    out = tmp_path / "out.xlsx"
    export_records(engine, settings.org, "customers", out, unmasked=True,
                   protector=IdNumberProtector(settings.secret_key))
    sheet = load_workbook(out, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    names = {row[header.index("customer_id")]: row[header.index("name")] for row in values[1:]}
    assert names["C00001"] == "-张三"
    assert sheet.parent is not None and not any(
        isinstance(v, str) and v.startswith("=") for row in values for v in row)
    assert len(values) == 13
