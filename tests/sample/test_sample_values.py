"""Values of the generated sample: valid identifiers, real regions, mixed real-world spellings."""

from __future__ import annotations

import csv
import re
from datetime import date
from importlib import resources

import phonenumbers

MOBILE_PREFIXES = {str(p) for p in (*range(130, 140), 145, 147, *range(150, 154), *range(155, 160), 166,
                                    *range(170, 179), *range(180, 190), 191, 193, *range(195, 200))}
USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _adcodes() -> dict[str, str]:
    with resources.files("cpca").joinpath("resources/adcodes.csv").open(encoding="utf-8") as f:
        return {row["adcode"][:6]: row["name"] for row in csv.DictReader(f)}


def _id_ok(number: str) -> bool:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(number[:17], weights))
    return len(number) == 18 and number[:17].isdigit() and "10X98765432"[total % 11] == number[17]


def _uscc_ok(code: str) -> bool:
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    if len(code) != 18 or any(c not in USCC for c in code):
        return False
    total = sum(USCC.index(c) * w for c, w in zip(code, weights))
    return USCC[(31 - total % 31) % 31] == code[17]


def test_id_numbers_are_valid_and_distinct(sample):
    codes = _adcodes()
    numbers = [c["id_number"] for c in sample.customers]
    assert len(set(numbers)) == len(numbers)
    for n in numbers:
        assert _id_ok(n), n
        assert n[:6] in codes and not n[:6].endswith("0000")
        born = date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
        assert 18 <= date.today().year - born.year <= 90


def test_id_checksum_detects_a_changed_digit():
    good = "11010519491231002X"
    assert _id_ok(good)
    assert not _id_ok("11010519491231003X")


def test_credit_codes_pass_gb32100(sample):
    codes = [c["credit_code"] for c in sample.companies]
    assert len(set(codes)) == len(codes)
    assert all(_uscc_ok(c) for c in codes)
    assert _uscc_ok("91350100M000100Y43") and not _uscc_ok("91350100M000100Y44")
    company_indicators = [i["indicator"] for i in sample.intelligence if i["kind"] == "company"]
    assert all(_uscc_ok(c) for c in company_indicators)


def test_reserved_phones_are_valid_distinct_mobiles_in_varied_spellings(sample):
    phones = [sample.phone(c["reserved_phone"]) for c in sample.customers]
    assert len(set(phones)) == len(phones)
    assert all(len(p) == 11 and p[:3] in MOBILE_PREFIXES for p in phones)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p, "CN")) for p in phones)
    shapes = {re.sub(r"\d", "9", c["reserved_phone"]) for c in sample.customers}
    assert {"99999999999", "+99 999-9999-9999", "9999999999999", "999 9999 9999", "+9999999999999"} <= shapes


def test_contact_phones_include_landlines_and_service_numbers(sample):
    contacts = [c["contact_phone"] for c in sample.complaints if c["contact_phone"]]
    assert any(re.fullmatch(r"0\d{2,3}-\d{7,8}", p) for p in contacts)
    assert any(sample.phone(p).startswith("400") for p in contacts)


def test_timestamps_are_mixed_and_before_the_reference_date(sample):
    stamps = [c["received_at"] for c in sample.complaints] + [c["started_at"] for c in sample.calls]
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", s) for s in stamps)
    assert any(re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d", s) for s in stamps)
    assert any(s.endswith("+08:00") and "T" in s for s in stamps)
    times = [sample.time(s) for s in stamps]
    assert (max(times) - min(times)).days <= 400


def test_booleans_are_spelled_in_every_family(sample):
    values = {c["forwarded"] for c in sample.calls} | {c["callback_denied"] for c in sample.calls}
    assert {"true", "false", "1", "0", "是", "否", "Y", "N"} <= values
    assert all(sample.bool(v) in (True, False, None) for v in values)


def test_addresses_use_real_region_names(sample):
    names = set(_adcodes().values())
    provinces = {n for n in names if n.endswith(("省", "自治区")) or n in ("北京市", "上海市", "天津市", "重庆市")}
    with_province = [c["address"] for c in sample.customers if c["address"].startswith(tuple(provinces))]
    assert len(with_province) > 0.5 * len(sample.customers)
    assert all(re.search(r"(室|\d{3,4}|号)$", a) for a in (c["address"] for c in sample.customers))
    assert all(c["region"] in names for c in sample.customers)


def test_voiceprints_of_one_speaker_are_close_and_of_others_far(sample):
    vectors: dict[str, list[list[float]]] = {}
    for c in sample.calls:
        if c["voiceprint"]:
            vectors.setdefault(c["voiceprint_id"], []).append([float(x) for x in c["voiceprint"].split()])

    def cos(a, b):
        dot = sum(x * y for x, y in zip(a, b))
        return dot / (sum(x * x for x in a) * sum(y * y for y in b)) ** 0.5

    assert len({len(v) for vs in vectors.values() for v in vs}) == 1
    same = [cos(vs[0], vs[1]) for vs in vectors.values() if len(vs) > 1]
    ids = sorted(vectors)
    other = [cos(vectors[a][0], vectors[b][0]) for a, b in zip(ids[:-1:3], ids[1::3])]
    assert same and min(same) > 0.8
    assert max(other) < 0.8 and sum(other) / len(other) < 0.1


def test_accounts_exist_before_their_complaints_and_calls(sample):
    created = {c["customer_id"]: sample.time(c["created_at"]) for c in sample.customers}
    for c in sample.complaints:
        if c["customer_id"]:
            assert sample.time(c["received_at"]) > created[c["customer_id"]]
    for c in sample.calls:
        assert sample.time(c["started_at"]) > created[c["customer_id"]]
    assert any(not c["customer_id"] for c in sample.complaints), "some complaints name no known customer"


def test_every_phone_number_is_a_valid_chinese_number(sample):
    numbers = {c["contact_phone"] for c in sample.complaints if c["contact_phone"]}
    numbers |= {c["caller_number"] for c in sample.calls}
    for n in numbers:
        assert phonenumbers.is_valid_number(phonenumbers.parse(n, "CN")), n
