from __future__ import annotations

import ipaddress
import re
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qinglang.errors import InvalidValue
from qinglang.model.values import web
from qinglang.model.values.web import normalize_domain, normalize_url


@pytest.mark.parametrize(
    ("raw", "domain"),
    [
        ("Example.COM", "example.com"),
        ("www.example.com.cn", "example.com.cn"),
        ("a.b.bbc.co.uk.", "bbc.co.uk"),
        ("http://WWW.Example.com:8080/path?q=1", "example.com"),
        ("user:secret@mail.example.com", "example.com"),
        ("ＷＷＷ．ＥＸＡＭＰＬＥ．ＣＯＭ", "example.com"),
        ("例子.中国", "xn--fsqu00a.xn--fiqs8s"),
        ("www.例子。中国", "xn--fsqu00a.xn--fiqs8s"),
        ("scam-site.github.io", "scam-site.github.io"),
        ("www.gov.cn", "www.gov.cn"),
    ],
)
def test_domain_is_the_registered_domain(raw, domain):
    assert normalize_domain(raw) == domain


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "not a valid domain name"),
        ("exa mple.com", "not a valid domain name"),
        ("-bad-.com", "not a valid domain name"),
        ("a..com", "not a valid domain name"),
        ("x" * 64 + ".com", "not a valid domain name"),
        ("1.2.3.4", "IP address"),
        ("http://[2001:db8::1]/", "IP address"),
        ("localhost", "public suffix"),
        ("com.cn", "public suffix"),
        ("example.notarealtld", "public suffix"),
    ],
)
def test_invalid_domains_are_rejected(raw, reason):
    with pytest.raises(InvalidValue, match=reason):
        normalize_domain(raw)


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("HTTP://WWW.Example.COM", "http://www.example.com/"),
        ("www.example.com/a?b=1#top", "http://www.example.com/a?b=1"),
        ("https://example.com:443/x", "https://example.com/x"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("http://user:pw@example.com/", "http://example.com/"),
        ("http://www.icbc.com.cn@evil.example.com/", "http://evil.example.com/"),
        (
            "http://例子.中国/路径 1?q=值",
            "http://xn--fsqu00a.xn--fiqs8s/%E8%B7%AF%E5%BE%84%201?q=%E5%80%BC",
        ),
        ("http://1.2.3.4:8080/x", "http://1.2.3.4:8080/x"),
        ("http://[2001:DB8:0::1]/x", "http://[2001:db8::1]/x"),
        ("ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ／ａ", "https://example.com/a"),
    ],
)
def test_urls_are_canonical(raw, url):
    assert normalize_url(raw) == url


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("ftp://example.com/file", "only http and https"),
        ("javascript:alert(1)", "public suffix"),
        ("http://localhost/", "public suffix"),
        ("http://example.com:99999/", "invalid port"),
        ("http:///path", "not a valid domain name"),
        ("http://[::1", "not a valid URL"),
    ],
)
def test_invalid_urls_are_rejected(raw, reason):
    with pytest.raises(InvalidValue, match=reason):
        normalize_url(raw)


def test_the_suffix_list_comes_from_the_bundled_snapshot(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tldextract tried to use the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    web._extractor.cache_clear()
    try:
        assert normalize_domain("forums.bbc.co.uk") == "bbc.co.uk"
        assert normalize_url("http://news.example.com.cn/") == "http://news.example.com.cn/"
    finally:
        web._extractor.cache_clear()


@given(st.from_regex(r"[a-zA-Z0-9.\-]*", fullmatch=True))
def test_a_bare_host_is_read_as_url_parsing_reads_it(raw):
    """normalize_domain skips URL parsing for these: it would give the same host."""
    assert web._BARE_HOST.fullmatch(raw)
    assert raw.lower() == (web._url_parts(raw).hostname or "")


@given(st.one_of(st.text(alphabet="0123456789.:abcdefx%", max_size=45), st.ip_addresses().map(str),
                 st.text(max_size=20)))
def test_ip_addresses_are_told_as_ipaddress_tells_them(hostname):
    try:
        ipaddress.ip_address(hostname)
        expected = True
    except ValueError:
        expected = False
    assert web._is_ip_address(hostname) == expected


@given(st.from_regex(r"[a-z0-9.\-]{0,70}", fullmatch=True))
def test_a_host_name_is_valid_when_every_label_is(host):
    label = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
    assert (web._HOST_NAME.fullmatch(host) is not None) == all(
        label.fullmatch(part) for part in host.split("."))
