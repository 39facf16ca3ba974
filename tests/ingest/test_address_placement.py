"""The import's address placement gives exactly what cpca's own one-address parser gives, and
the remainder's comparison form exactly what the unconditional chain of rewrites gives:
`_place` walks cpca's automaton without cpca's per-match objects, and `_comparison_form`
skips the rewrites whose characters are absent — both for speed only."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qinglang.model.values import address
from qinglang.sample import generate

TRICKY = [
    "北京市朝阳区建国路88号",
    "朝阳区建国路88号",  # a district name several cities share, no city before it
    "重庆市云阳县双江街道",  # a municipality's county
    "浙江省义乌市稠城街道",  # a county-level city written in full
    "义乌稠城街道",  # and abbreviated
    "内蒙古呼和浩特市新城区",
    "新疆维吾尔自治区塔城地区和布克赛尔蒙古自治县花园路378号",
    "广东深圳南山科技园",
    "海南省五指山市",
    "某某路12号",  # nothing to place
    "上海浦东新区张江路100号3-2-501",
    "北京市海淀区中关村大街１２号院 三号楼 二单元 五零一房",
    "天津市和平区南京路#5楼",
]


@pytest.fixture(scope="module")
def sample_addresses(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("sample")
    generate(folder, customers=3000, seed=11)
    found = set(TRICKY)
    for name, column, encoding in [("customers.csv", "address", "utf-8-sig"),
                                   ("complaints.csv", "mailing_address", "utf-8-sig"),
                                   ("letters_gbk.csv", "mailing_address", "gb18030"),
                                   ("companies.csv", "address", "utf-8-sig")]:
        with (folder / name).open(encoding=encoding, newline="") as handle:
            found.update(row[column] for row in csv.DictReader(handle) if row[column])
    return sorted(found)


def test_placement_equals_cpcas_parser(sample_addresses):
    parse = address._cpca_one_address()
    assert len(sample_addresses) > 2000
    for raw in sample_addresses:
        text = address._clean(raw)
        assert address._place(text) == address._cpca_parts(parse(text)), text


def test_comparison_form_equals_every_rewrite_applied(sample_addresses):
    for raw in sample_addresses:
        detail = address.normalize_address(raw).detail
        assert address._comparison_form(detail) == _every_rewrite(detail), detail
        key = address.normalize_address(raw).key
        assert address._building_key(key) == address._BELOW_BUILDING.sub("", key)


def _every_rewrite(detail: str) -> str:
    text = address._CHINESE_NUMBER_BEFORE_UNIT.sub(address._arabic, detail.casefold())
    text = address._BUILDING_HASH.sub(r"\1栋", text)
    text = address._NOT_KEY_CHARACTER.sub("", text.replace("—", "-").replace("–", "-"))
    text = address._DASH_NOT_BETWEEN_DIGITS.sub("", text)
    text = address._BUILDING_UNIT_ROOM.sub(r"\1栋\2单元\3室", text)
    text = address._BUILDING_WORD.sub("栋", text)
    text = address._ROOM_WORD.sub("室", text)
    return address._BARE_ROOM_NUMBER.sub(r"\1室", text)


def test_the_samples_of_the_benchmark_place_alike():
    """Every distinct address of the shared 100,000-customer sample, when it is there."""
    folder = Path(__file__).resolve().parents[2] / "bench" / "out" / "sample-100000-7"
    if not (folder / "customers.csv").exists():
        pytest.skip("no benchmark sample (bench/out/sample-100000-7)")
    parse = address._cpca_one_address()
    with (folder / "customers.csv").open(encoding="utf-8-sig", newline="") as handle:
        texts = {address._clean(row["address"]) for row in csv.DictReader(handle)}
    differing = [t for t in texts if address._place(t) != address._cpca_parts(parse(t))]
    assert differing == []
