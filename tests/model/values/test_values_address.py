from __future__ import annotations

import pytest

from qinglang.errors import InvalidValue
from qinglang.model.values.address import normalize_address, normalize_addresses

BUILDING = "北京市朝阳区建国路88号SOHO现代城3号楼"


def _keys(*raws: str) -> set[str]:
    return {address.key for address in normalize_addresses(list(raws))}


def test_parts_of_a_municipality_address():
    address = normalize_address(BUILDING + "2单元501室")
    assert (address.province, address.city, address.district) == ("北京市", "北京市", "朝阳区")
    assert address.adcode == "110105"
    assert address.detail == "建国路88号SOHO现代城3号楼2单元501室"
    assert address.key == "110105:建国路88号soho现代城3栋2单元501室"
    assert address.building_key == "110105:建国路88号soho现代城3栋"


@pytest.mark.parametrize(
    ("raw", "province", "city", "district"),
    [
        ("上海浦东新区张江路100号", "上海市", "上海市", "浦东新区"),
        ("天津和平区南京路1号", "天津市", "天津市", "和平区"),
        ("重庆市巫山县广东中路2号", "重庆市", "重庆市", "巫山县"),
        ("北京市", "北京市", "北京市", ""),
        ("深圳南山区粤海街道", "广东省", "深圳市", "南山区"),
        ("湖北省仙桃市仙桃大道1号", "湖北省", "", "仙桃市"),
        ("吉林省长春市", "吉林省", "长春市", ""),
    ],
)
def test_administrative_parts_without_cpca_placeholders(raw, province, city, district):
    address = normalize_address(raw)
    assert (address.province, address.city, address.district) == (province, city, district)


def test_same_building_different_rooms_share_only_the_building_key():
    first, second, third = normalize_addresses(
        [BUILDING + "2单元501室", BUILDING + "1单元302室", BUILDING.replace("3号楼", "4号楼")]
    )
    assert first.building_key == second.building_key
    assert first.key != second.key
    assert third.building_key != first.building_key


@pytest.mark.parametrize(
    "spelling",
    [
        "北京市 朝阳区 建国路８８号 ＳＯＨＯ现代城 ３号楼 ２单元 ５０１室",
        "北京市朝阳区建国路88号 soho现代城, 3号楼-2单元-501室。",
        "北京市朝阳区建国路八十八号SOHO现代城三号楼二单元五零一室",
        "北京市朝阳区建国路88号SOHO现代城3栋2单元501房",
        "北京市朝阳区建国路88号SOHO现代城3幢2单元501号房",
        "北京市朝阳区建国路88号SOHO现代城3座2单元501",
        "北京市朝阳区建国路88号SOHO现代城3#楼2单元501室",
        "北京市朝阳区建国路88号SOHO现代城3-2-501",
    ],
)
def test_spellings_of_one_flat_share_its_key(spelling):
    assert _keys(BUILDING + "2单元501室", spelling) == {
        "110105:建国路88号soho现代城3栋2单元501室"
    }


def test_chinese_numerals_only_change_before_building_words():
    address = normalize_address("福建省福州市鼓楼区五四路十二号楼一百零一室")
    assert address.key == "350102:五四路12栋101室"


def test_the_same_remainder_in_another_district_does_not_match():
    assert len(_keys("北京市朝阳区建国路88号", "北京市海淀区建国路88号")) == 2


def test_an_address_cpca_cannot_place_keeps_its_text():
    address = normalize_address(" 火星基地 1号 ")
    assert (address.province, address.city, address.district, address.adcode) == ("",) * 4
    assert address.detail == "火星基地 1号"
    assert address.key == ":火星基地1号"


@pytest.mark.parametrize("raw", ["", "   ", "，。—", "\u3000"])
def test_an_empty_address_is_rejected(raw):
    with pytest.raises(InvalidValue, match="empty"):
        normalize_address(raw)


def test_a_batch_names_the_position_of_an_empty_address():
    with pytest.raises(InvalidValue, match="position 1 is empty"):
        normalize_addresses(["北京市朝阳区", " ", "上海市"])


def test_a_batch_gives_what_single_calls_give():
    raws = [BUILDING + "2单元501室", "火星基地1号", "广东省深圳市南山区科技园南区三号楼"]
    assert normalize_addresses(raws) == [normalize_address(raw) for raw in raws]
    assert normalize_addresses([]) == []


def test_masked_and_repr_hide_the_remainder():
    address = normalize_address(BUILDING + "2单元501室")
    assert address.masked == "北京市朝阳区****"
    assert "建国路" not in repr(address)
