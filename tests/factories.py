"""Small synthetic exports for tests, written the way institutions write them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

TEST_KEY = "11" * 32
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def id_number(region: str = "110105", birth: str = "19850312", seq: int = 123) -> str:
    body = f"{region}{birth}{seq:03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


CUSTOMER_COLUMNS = ["customer_id", "name", "id_number", "reserved_phone", "address", "email",
                    "region", "created_at", "branch"]


def customer(i: int, **overrides) -> dict:
    row = {
        "customer_id": f"C{i:05d}",
        "name": "张三" if i % 2 else "欧阳娜娜",
        "id_number": id_number(seq=i % 1000),
        "reserved_phone": f"+86 138-{i % 10000:04d}-{(i * 7) % 10000:04d}",
        "address": f"北京市海淀区中关村大街{i}号院{i % 9 + 1}号楼{i % 5 + 1}01室",
        "email": f"user{i}@example.com",
        "region": "北京",
        "created_at": "2024/06/03 14:22",
        "branch": "海淀支行",
    }
    row.update(overrides)
    return row


COMPLAINT_COLUMNS = ["complaint_id", "customer_id", "received_at", "channel", "contact_phone",
                     "claimed_role", "text", "demands", "attachments"]


def complaint(i: int, **overrides) -> dict:
    row = {
        "complaint_id": f"T{i:05d}",
        "customer_id": f"C{i:05d}",
        "received_at": "2024-06-03 14:22:05",
        "channel": "regulator",
        "contact_phone": "13912345678",
        "claimed_role": "self",
        "text": f"第{i}号投诉：贵司催收人员多次在夜间致电我的家人，要求停止骚扰。",
        "demands": "停止催收;减免利息",
        "attachments": "",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, columns: list[str], rows: list[dict], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def write_xlsx(path: Path, columns: list[str], rows: list[dict]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    book.save(path)
    return path


SAMPLE_RECORD_FILES = ("customers.csv", "complaints.csv", "letters_gbk.csv", "calls.csv")


def import_institution(engine, settings, folder: Path):
    """The sample institution's customers, complaints, letters and calls into the store, in
    batches large enough to be quick; the settings used."""
    from dataclasses import replace

    from qinglang.services.importing import import_file

    settings = replace(settings, batch_rows=1000)
    for name in SAMPLE_RECORD_FILES:
        import_file(engine, settings, folder / name)
    return settings


def plain_params(params: list) -> list:
    """Bound parameters to compare: psycopg's JSON wrappers compare by identity, so compare
    what they wrap."""
    def value(v):
        return getattr(v, "obj", v)
    return [tuple(map(value, p)) if isinstance(p, tuple) else {k: value(v) for k, v in p.items()}
            for p in params]
