"""The contacts behind an ad — phones, WeChat ids, QQ numbers, e-mail, links — as indicators.

Read from the contact view (normalise.py), where full-width forms, circled and Chinese
numerals are already digits and emoji are spaces, one character for one, so every match
keeps its place in the original text. Each candidate is cleaned by the value type of
`qinglang.model.values` (a phone becomes E.164) and written `kind:value` (formats.md).

The pattern is written as a regular expression, CONTACT_PATTERN, and read by a compiled
scanner that stops where `re.finditer` would (contact_scan.py; `re` took half of the contact
step). A batch is not searched whole: a match only ever spans characters the pattern can
consume (ASCII, white space, digits and a few Chinese trigger characters), so the view is cut
into runs of those, and only the runs that can hold a valid contact (a dot, five digits, or a
WeChat cue and six handle characters) are joined with BOUNDARY and searched, which gives the
same matches as searching the whole view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from threading import Lock

import numpy as np

from qinglang.content.normalise import BOUNDARY, LazyCodeArray, code_points, text_of
from qinglang.errors import InvalidValue
from qinglang.model.values import (
    mask_email, mask_phone, normalize_domain, normalize_email, normalize_phone, normalize_qq,
    normalize_wechat,
)

_GAP = r"[\s\-.·_/|,，、~*()（）]{0,3}"
_TLDS = ("com|cn|net|org|top|xyz|vip|cc|info|ltd|shop|site|club|online|wang|co|me|io|app|"
         "link|biz|pro|fun|icu|work|live|tv|hk")
CONTACT_PATTERN = re.compile(
    r"(?P<url>https?://[a-z0-9.\-]+(?::\d+)?(?:[/?#][a-z0-9\-._~/?#=&%+:@]*)?)"
    r"|(?P<email>[a-z0-9][a-z0-9._%+\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+)"
    r"|(?:微(?:信号?)?|薇信?|威信?|维信|vx|wx|weixin|wechat|v信|v)[\s:：号]*"
    r"(?P<wechat>[a-z][a-z0-9_\-]{5,19})(?![a-z0-9_\-])"
    r"|(?:qq|扣扣|企鹅|q)(?:号|群)?[\s:：]*(?P<qq>[1-9](?: \d){4,10}|[1-9]\d{4,10})(?!\d)"
    rf"|(?P<phone>(?:\+?86{_GAP})?1{_GAP}[3-9](?:{_GAP}\d){{9}}"
    rf"|0\d{{2,3}}[\s\-)）]{{0,2}}[2-9]\d{{6,7}}|[48]00{_GAP}\d{{3}}{_GAP}\d{{4}})(?!\d)"
    rf"|(?P<domain>(?:[a-z0-9\-]+\.)+(?:{_TLDS}))(?![a-z0-9\-])"
)
"""No alternative starts with a look-behind, so that `re` skips at once every character that
cannot begin one (most of a Chinese text); what a look-behind would have refused is refused
after the match by `_CONTINUES` instead."""
_CONTINUES = {"phone": "0123456789+", "domain": "abcdefghijklmnopqrstuvwxyz0123456789.@-",
              "wechat": "abcdefghijklmnopqrstuvwxyz", "qq": "abcdefghijklmnopqrstuvwxyz"}
_NOT_DIGIT = re.compile(r"[^\d+]")
_URL_HOST = re.compile(r"https?://([a-z0-9.\-]+)")
_CONSUMED_CHINESE = "微信号薇威维扣企鹅群：·，、（）"
"""The characters outside ASCII, white space and digits that CONTACT_PATTERN can consume."""
_HANDLE_CUES = "微薇威维vw"
"""Every WeChat trigger of CONTACT_PATTERN holds one of these."""
_IN_CONTACT, _DIGIT, _HANDLE_CHAR, _DOT, _HANDLE_CUE, _SPACE = 1, 2, 4, 8, 16, 32
MIN_DIGITS = 5   # a QQ number; phones have more
MIN_HANDLE_CHARS = 6

INDICATOR_KINDS = ("phone", "wechat", "qq", "email", "domain")
_TLD_NAMES = tuple(_TLDS.split("|"))
_GROUP_NAMES = {index: name for name, index in CONTACT_PATTERN.groupindex.items()}
_KIND_OF_GROUP = np.zeros(max(_GROUP_NAMES) + 1, dtype=np.int64)
for _index, _name in _GROUP_NAMES.items():
    _KIND_OF_GROUP[_index] = INDICATOR_KINDS.index("domain" if _name == "url" else _name)
_CONTINUES_TABLE = np.zeros((max(_GROUP_NAMES) + 1, 128), dtype=bool)
for _name, _chars in _CONTINUES.items():
    _CONTINUES_TABLE[CONTACT_PATTERN.groupindex[_name], [ord(c) for c in _chars]] = True
_NUMBER_GROUP = np.zeros(max(_GROUP_NAMES) + 1, dtype=bool)
_NUMBER_GROUP[[CONTACT_PATTERN.groupindex[name] for name in ("phone", "domain")]] = True
_BARE_TRIGGERS = np.array([ord("v"), ord("q")])
_SPELLED_TRIGGERS = np.array([ord("x"), ord("q"), ord("信")])


@dataclass(frozen=True, slots=True)
class Contact:
    kind: str
    value: str
    start: int
    end: int

    @property
    def indicator(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class ContactTable:
    """The contacts of a batch, in order, as arrays: the text of each, its kind (index in
    INDICATOR_KINDS), its place in its text and its canonical value."""

    n_texts: int
    text: np.ndarray
    kind: np.ndarray
    start: np.ndarray
    end: np.ndarray
    value: list[str]

    @cached_property
    def _bounds(self) -> list[int]:
        return np.searchsorted(self.text, np.arange(self.n_texts + 1)).tolist()

    @cached_property
    def _rows(self) -> list[tuple]:
        return list(zip([INDICATOR_KINDS[k] for k in self.kind.tolist()], self.value,
                        self.start.tolist(), self.end.tolist()))

    def of_text(self, index: int) -> list[Contact]:
        """`Contact` objects of one text."""
        first, last = self._bounds[index], self._bounds[index + 1]
        return [Contact(*row) for row in self._rows[first:last]] if first < last else []


def find_contacts(view: str) -> list[Contact]:
    """Contacts in a contact view (normalise.contact_view), in order."""
    return find_batch_contacts(code_points(view), np.zeros(1, dtype=np.int64), 1).of_text(0)


def find_batch_contacts(view: np.ndarray, text_starts: np.ndarray,
                        n_texts: int) -> ContactTable:
    """Contacts in the contact view of a batch (code points; texts begin at `text_starts`),
    with positions in their own text. Only the runs of characters that can hold a contact
    are searched (module doc); a match is cleaned once per distinct value it depends on."""
    from qinglang.content.contact_scan import scan_contacts  # numba: on the first scan only

    codes, places = _searched_runs(view)
    found = scan_contacts(codes, _CLASSES[codes], CONTACT_PATTERN.groupindex, _TLD_NAMES)
    group, start, value_start, end = found[~_glued(codes, found[:, 0], found[:, 1])].T
    valid, values = _SEEN.values(codes, *map(np.ascontiguousarray, (group, value_start, end)))
    starts = places[value_start[valid]]
    texts = np.searchsorted(text_starts, starts, side="right") - 1
    starts -= text_starts[texts]
    return ContactTable(n_texts, texts, _KIND_OF_GROUP[group[valid]], starts,
                        starts + (end - value_start)[valid], values)


class _Remembered:
    """The canonical value (None: not valid) of every (group, matched text) met so far: ads
    repeat their numbers, handles and sites. A match is found again by a compiled lookup on
    its code points (kernels.remembered_spans): a dictionary looked up per match in Python
    took longer than the scan that found them. Only new matches become strings and are
    cleaned; all is forgotten when more than _MAX_SEEN would be remembered. One scan at a
    time uses it (the API scans in several threads, and the lookup runs without the GIL)."""

    def __init__(self) -> None:
        self._allocate(_FIRST_ROOM, _FIRST_ROOM * 16)
        self._lock = Lock()

    def _allocate(self, pairs: int, chars: int) -> None:
        self.slots = np.full(2 * pairs, -1, dtype=np.int64)
        self.group, self.start, self.end = (np.empty(pairs, dtype=np.int64) for _ in range(3))
        self.chars = np.empty(chars, dtype=np.int64)
        self.used = np.zeros(2, dtype=np.int64)           # pairs, characters
        self.cleaned = np.empty(pairs, dtype=object)
        self.valid = np.zeros(pairs, dtype=bool)

    def values(self, codes: np.ndarray, group: np.ndarray, start: np.ndarray,
               end: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Whether each match codes[start:end] of `group` is valid, and the valid values."""
        with self._lock:
            return self._values(codes, group, start, end)

    def _values(self, codes: np.ndarray, group: np.ndarray, start: np.ndarray,
                end: np.ndarray) -> tuple[np.ndarray, list[str]]:
        from qinglang.content.kernels import remembered_spans  # numba: on the first scan only

        self._make_room(len(group), int((end - start).sum()))
        known, known_chars = self.used.tolist()
        numbers = remembered_spans(codes, group, start, end, self.slots, self.group, self.start,
                                   self.end, self.chars, self.used)
        new = slice(known, int(self.used[0]))
        added = text_of(self.chars[known_chars:self.used[1]])     # the new ones, one after
        cleaned = [_clean(_GROUP_NAMES[kind], added[first:last])  # the other
                   for kind, first, last in zip(self.group[new].tolist(),
                                                (self.start[new] - known_chars).tolist(),
                                                (self.end[new] - known_chars).tolist())]
        self.cleaned[new] = cleaned
        self.valid[new] = [value is not None for value in cleaned]
        valid = self.valid[numbers]
        return valid, self.cleaned[numbers[valid]].tolist()

    def _make_room(self, pairs: int, chars: int) -> None:
        """Room for `pairs` more matches of `chars` characters: the arrays doubled (what is
        known is added again, in order, so it keeps its numbers), or all forgotten."""
        from qinglang.content.kernels import remembered_spans

        known, known_chars = self.used.tolist()
        if known + pairs <= len(self.group) and known_chars + chars <= len(self.chars):
            return
        if known + pairs > _MAX_SEEN:
            self._allocate(_room(pairs), max(_FIRST_ROOM * 16, 2 * chars))
            return
        old = (self.chars, self.group[:known], self.start[:known], self.end[:known])
        cleaned, valid = self.cleaned[:known], self.valid[:known]
        self._allocate(_room(known + pairs), 2 * (known_chars + chars))
        remembered_spans(*old, self.slots, self.group, self.start, self.end, self.chars,
                         self.used)
        self.cleaned[:known], self.valid[:known] = cleaned, valid


def _room(pairs: int) -> int:
    """The number of pairs to make room for: a power of two (the slots of the table are)."""
    return 1 << max(pairs - 1, _FIRST_ROOM - 1).bit_length()


_MAX_SEEN = 65536
_FIRST_ROOM = 1024
_SEEN = _Remembered()


def _glued(codes: np.ndarray, group: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Whether each match is glued to a character before it that makes it part of a longer
    token (what a look-behind would have refused): always for numbers and domains; for
    handles only when the trigger is a bare latin 'v' or 'q'."""
    if not len(group):
        return np.zeros(0, dtype=bool)
    before = codes[np.maximum(start - 1, 0)]
    glued = (start > 0) & (before < 128) & _CONTINUES_TABLE[group, np.minimum(before, 127)]
    second = codes[np.minimum(start + 1, len(codes) - 1)]
    bare = _one_of(codes[start], _BARE_TRIGGERS) & ~_one_of(second, _SPELLED_TRIGGERS)
    return glued & (_NUMBER_GROUP[group] | bare)


def _one_of(codes: np.ndarray, members: np.ndarray) -> np.ndarray:
    """np.isin for two or three members: a comparison each is 5× faster here."""
    found = codes == members[0]
    for member in members[1:]:
        found |= codes == member
    return found


def _searched_runs(view: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The runs of `view` that can hold a contact, joined with BOUNDARY (code points), and for
    each of their characters its index in `view` (-1 for the BOUNDARY put between two runs)."""
    from qinglang.content.kernels import kept_runs  # numba loads on the first scan only

    places = kept_runs(_CLASSES[view], _IN_CONTACT, _DIGIT, _HANDLE_CHAR, _DOT, _HANDLE_CUE,
                       MIN_DIGITS, MIN_HANDLE_CHARS)
    codes = view[places]
    codes[places < 0] = ord(BOUNDARY)
    return codes, places


def _contact_class(char: str) -> int:
    """Flags of a contact-view character for `_searched_runs` and the scanner."""
    if char == BOUNDARY:
        return 0
    digit = re.fullmatch(r"\d", char) is not None
    space = re.fullmatch(r"\s", char) is not None
    flags = _IN_CONTACT if (char.isascii() or char in _CONSUMED_CHINESE or digit
                            or space) else 0
    flags |= _SPACE if space else 0
    flags |= _DIGIT if digit else 0
    flags |= _HANDLE_CHAR if digit or re.fullmatch(r"[a-z0-9_\-]", char) else 0
    flags |= _DOT if char == "." else 0
    return flags | (_HANDLE_CUE if char in _HANDLE_CUES else 0)


_CLASSES = LazyCodeArray(np.uint8, _contact_class, 255)


def _clean(kind: str, raw: str) -> str | None:
    """The canonical value, or None. Cached on what the value depends on (digits, host name),
    because ads repeat their numbers, handles and sites."""
    if kind in ("phone", "qq"):
        return _cleaned(kind, _NOT_DIGIT.sub("", raw))
    if kind == "url":
        return _cleaned("domain", _URL_HOST.match(raw).group(1))
    return _cleaned(kind, raw)


@lru_cache(maxsize=65536)
def _cleaned(kind: str, raw: str) -> str | None:
    try:
        if kind == "phone":
            return normalize_phone(raw).e164
        if kind == "domain":
            return normalize_domain(raw)
        if kind == "email":
            return normalize_email(raw)
        if kind == "wechat":
            return normalize_wechat(raw)
        return normalize_qq(raw)
    except InvalidValue:
        return None


def indicators(contacts: list[Contact]) -> list[str]:
    """Distinct `kind:value` strings in order of first appearance."""
    return list(dict.fromkeys(c.indicator for c in contacts))


@lru_cache(maxsize=65536)
def mask_indicator(indicator: str) -> str:
    """'phone:+86 138****8000', 'wechat:ab*****9'; domains are not personal and stay whole."""
    kind, _, value = indicator.partition(":")
    if kind == "phone":
        return f"phone:{mask_phone(value)}"
    if kind == "email":
        return f"email:{mask_email(value)}"
    if kind in ("wechat", "qq"):
        return f"{kind}:{value[:2]}{'*' * max(1, len(value) - 3)}{value[-1:]}"
    return indicator
