from __future__ import annotations

from datetime import date

import pytest

from qinglang.model.values.address import normalize_address
from qinglang.model.values.idnumber import parse_id_number
from qinglang.model.values.masking import (
    FULLY_MASKED,
    mask_address,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
)
from qinglang.model.values.phone import normalize_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳锋", "欧阳*"),
        ("欧阳", "欧*"),
        ("诸葛孔明", "诸葛**"),
        (" 李 ", "李"),
        ("买买提·艾力", "买**·**"),
        ("John Smith", "J*** *****"),
        ("", ""),
    ],
)
def test_mask_name_keeps_the_surname(name, masked):
    assert mask_name(name) == masked


def test_mask_phone_accepts_raw_and_cleaned_values():
    assert mask_phone("+86 138-0013-8000") == "+86 138****8000"
    assert mask_phone(normalize_phone("010-12345678")) == "+86 101***5678"
    assert mask_phone("not a phone 13800138000") == FULLY_MASKED


def test_mask_id_number_keeps_region_and_last_four(make_id_number):
    raw = make_id_number("110105", date(1990, 1, 1), "123")
    assert mask_id_number(raw) == "110105********" + raw[-4:]
    assert mask_id_number(parse_id_number(raw)) == "110105********" + raw[-4:]
    assert mask_id_number(raw[:-1] + ("0" if raw[-1] != "0" else "1")) == FULLY_MASKED


def test_mask_address_keeps_the_administrative_parts():
    assert mask_address("北京市朝阳区建国路88号3号楼501室") == "北京市朝阳区****"
    assert mask_address(normalize_address("广东省深圳市南山区科技园1号")) == "广东省深圳市南山区****"
    assert mask_address("火星基地1号") == "****"
    assert mask_address("  ") == FULLY_MASKED


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("Zhang.San@Example.com", "z***@example.com"),
        ("a@qq.com", "a***@qq.com"),
        ("no-at-sign", FULLY_MASKED),
    ],
)
def test_mask_email_keeps_the_first_letter_and_the_domain(email, masked):
    assert mask_email(email) == masked
