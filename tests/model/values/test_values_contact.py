from __future__ import annotations

import pytest

from qinglang.errors import InvalidValue
from qinglang.model.values.contact import normalize_email, normalize_qq, normalize_wechat


@pytest.mark.parametrize(
    ("raw", "email"),
    [
        (" Zhang.San@Example.COM ", "zhang.san@example.com"),
        ("ZHANG+loans@qq.com", "zhang+loans@qq.com"),
        ("ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ", "abc@example.com"),
        ("kefu@例子.中国", "kefu@xn--fsqu00a.xn--fiqs8s"),
        ("a@b.example.com.", "a@b.example.com"),
    ],
)
def test_emails_are_canonical(raw, email):
    assert normalize_email(raw) == email


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "example.com",
        "@example.com",
        ".zhang@example.com",
        "zhang.@example.com",
        "zh..ang@example.com",
        "zh ang@example.com",
        "张三@example.com",
        "zhang@localhost",
        "zhang@1.2.3.4",
        "zhang@exa_mple.com",
        "x" * 65 + "@example.com",
        "x" * 60 + "@" + ".".join(["a" * 60, "b" * 60, "c" * 60, "example.com"]),
    ],
)
def test_invalid_emails_are_rejected(raw):
    with pytest.raises(InvalidValue):
        normalize_email(raw)


@pytest.mark.parametrize(
    ("raw", "wechat_id"),
    [("WX_Loan-888", "wx_loan-888"), (" abcdef ", "abcdef"), ("a" * 20, "a" * 20)],
)
def test_wechat_ids_are_lowercase(raw, wechat_id):
    assert normalize_wechat(raw) == wechat_id


@pytest.mark.parametrize(
    "raw", ["", "abcde", "a" * 21, "8abcdef", "_abcdef", "abc def", "abc.def", "微信abcdef"]
)
def test_invalid_wechat_ids_are_rejected(raw):
    with pytest.raises(InvalidValue, match="WeChat"):
        normalize_wechat(raw)


@pytest.mark.parametrize(
    ("raw", "qq"), [("10001", "10001"), (" 12345678901 ", "12345678901"), ("１２３４５６", "123456")]
)
def test_qq_numbers(raw, qq):
    assert normalize_qq(raw) == qq


@pytest.mark.parametrize("raw", ["", "1234", "012345", "123456789012", "12345a", "12 345"])
def test_invalid_qq_numbers_are_rejected(raw):
    with pytest.raises(InvalidValue, match="QQ"):
        normalize_qq(raw)
