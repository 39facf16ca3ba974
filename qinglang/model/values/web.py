"""Domains and URLs, spelled one way so indicators from different sources match.

The registered domain comes from tldextract's bundled Public Suffix List snapshot, never from
the network: imports run offline and must give the same answer every time. Private suffixes
(github.io, vercel.app…) count as suffixes, so two sites hosted on one platform stay apart.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from urllib.parse import SplitResult, quote, urlsplit

import idna
import tldextract

from qinglang.errors import InvalidValue

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_MAX_HOSTNAME = 253
_HAS_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")
_BARE_HOST = re.compile(r"[a-zA-Z0-9.-]*")
_IPV4_CHARS = re.compile(r"[0-9.]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def normalize_domain(raw: str) -> str:
    """The registered domain ('example.com.cn') of a domain name or of a URL's host. A bare
    host name, as the content scanner finds thousands of, skips the URL parser (same host)."""
    hostname = raw.lower() if _BARE_HOST.fullmatch(raw) else _url_parts(raw).hostname or ""
    if _is_ip_address(hostname):
        raise InvalidValue("an IP address is not a domain name")
    return _registered_domain(ascii_hostname(hostname))


def normalize_url(raw: str) -> str:
    """'http(s)://host[:port]/path[?query]': host lowercased and IDNA-encoded, user info,
    default port and fragment dropped, path and query percent-encoded where not ASCII."""
    parts = _url_parts(raw)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidValue("only http and https addresses are accepted")
    host = _url_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:
        raise InvalidValue("URL has an invalid port") from None
    port_part = "" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}"
    path = quote(parts.path, safe=_PATH_SAFE) or "/"
    query = f"?{quote(parts.query, safe=_QUERY_SAFE)}" if parts.query else ""
    return f"{scheme}://{host}{port_part}{path}{query}"


def ascii_hostname(host: str) -> str:
    """A host name lowercased and IDNA (punycode) encoded, checked label by label."""
    host = host.strip().rstrip(".")
    if host.isascii():
        host = host.lower()
    else:
        try:
            host = idna.encode(host.replace("。", "."), uts46=True).decode("ascii")
        except idna.IDNAError:
            raise InvalidValue("not a valid internationalised domain name") from None
    if len(host) > _MAX_HOSTNAME or not _HOST_NAME.fullmatch(host):   # labels between dots
        raise InvalidValue("not a valid domain name")
    return host


def _url_parts(raw: str) -> SplitResult:
    """The parts of a URL; a bare host or 'host/path' is read as an http URL."""
    text = (raw if raw.isascii() else unicodedata.normalize("NFKC", raw)).strip()
    try:
        return urlsplit(text if _HAS_SCHEME.match(text) else "http://" + text)
    except ValueError:
        raise InvalidValue("not a valid URL") from None


def _url_host(hostname: str) -> str:
    """An IP address as written ('[…]' around IPv6) or a domain with a known public suffix."""
    if _is_ip_address(hostname):
        address = ipaddress.ip_address(hostname)
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    host = ascii_hostname(hostname)
    _registered_domain(host)
    return host


def _is_ip_address(hostname: str) -> bool:
    if ":" not in hostname and not _IPV4_CHARS.fullmatch(hostname):
        return False      # IPv4 is digits and dots only, IPv6 always has a colon
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True


def _registered_domain(hostname: str) -> str:
    registered = _extractor()(hostname).top_domain_under_public_suffix
    if not registered:
        raise InvalidValue("domain name is not under a known public suffix")
    return registered


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    """Bundled snapshot only: no suffix-list download, no disk cache."""
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )
