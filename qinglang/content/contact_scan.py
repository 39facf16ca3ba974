"""The contact pattern (contacts.CONTACT_PATTERN) read by a compiled scanner (numba).

Python's `re` spent half of the contact step trying the pattern's six alternatives at every
ASCII character of the searched runs, with backtracking. Each alternative is simple enough to
be decided by one forward look: its character classes do not overlap where it could
backtrack, so the scanner follows the regular expression's own order (alternatives, then
greedy counts from the longest down) and stops where `re` would. It gives what
`CONTACT_PATTERN.finditer` gives — match by match, the alternative, the match's and the
value's start and the end (tests/content/test_batch_path.py holds them equal on real,
obfuscated and random texts).

Characters are code points; `flags` carries, per character, whether it is a `\\d` and whether
it is a `\\s` (Unicode classes, as `re` reads them).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from qinglang.content.scan_chars import (ascii_digit, char_at, digit, in_, label, lower, space,
                                         starts_with)


def _code_points(chars: str) -> np.ndarray:
    return np.array([ord(c) for c in chars], dtype=np.int64)


_GAP = _code_points("-.·_/|,，、~*()（）")
_HOST = _code_points(".-")
_PATH = _code_points("-._~/?#=&%+:@")
_LOCAL = _code_points("._%+-")
_WECHAT_SEP = _code_points(":：号")
_QQ_SEP = _code_points(":：")
_AREA_SEP = _code_points("-)）")
_HTTP = _code_points("http")
_SLASHES = _code_points("://")
_PATH_START = _code_points("/?#")
_WEIXIN = _code_points("weixin")
_WECHAT = _code_points("wechat")
_QQ_MARKS = _code_points("号群")


def scan_contacts(codes: np.ndarray, flags: np.ndarray, groups: dict[str, int],
                  tlds: tuple[str, ...]) -> np.ndarray:
    """(group, match start, value start, end) of every match, as `re.finditer` finds them;
    `groups` are the pattern's group numbers by name."""
    width = max(len(t) for t in tlds)
    table = np.full((len(tlds), width), -1, dtype=np.int64)
    for row, tld in enumerate(tlds):
        table[row, :len(tld)] = [ord(c) for c in tld]
    numbers = np.array([groups[name] for name in
                        ("url", "email", "wechat", "qq", "phone", "domain")], dtype=np.int64)
    return _scan(codes, flags, numbers, table,
                 np.array([len(t) for t in tlds], dtype=np.int64)).reshape(-1, 4)


@njit(cache=True, nogil=True)
def _scan(codes, flags, numbers, tlds, tld_lengths):
    """The matches as rows of four in one array (see scan_contacts). Each alternative is
    tried, in the pattern's order, only where its first character stands, and the e-mail
    and domain answers are kept for the run a position stands in (`memo`): a call passing
    arrays costs tens of nanoseconds here (reference counts), a test of the character one."""
    found = np.empty(4 * (len(codes) + 1), dtype=np.int64)
    memo = np.full(4, -1, dtype=np.int64)
    count, at = 0, 0
    while at < len(codes):
        code = codes[at]
        word = lower(code) | ascii_digit(code)
        kind, value, end = 0, at, -1
        if code == 104:                                                        # h
            kind, end = 0, _url(codes, flags, at)
        if end < 0 and word:
            kind, end = 1, memo[1] if at < memo[0] else _email(codes, at, memo)
        if end < 0 and (code == 118 or code == 119 or code == 0x5FAE          # v w 微
                        or code == 0x8587 or code == 0x5A01 or code == 0x7EF4):  # 薇 威 维
            kind = 2
            value, end = _wechat(codes, flags, at)
        if end < 0 and (code == 113 or code == 0x6263 or code == 0x4F01):     # q 扣 企
            kind = 3
            value, end = _qq(codes, flags, at)
        if end < 0 and (code == 43 or code == 48 or code == 49 or code == 52   # + 0 1 4
                        or code == 56):                                        # 8
            kind, value, end = 4, at, _phone(codes, flags, at)
        if end < 0 and (word or code == 45):
            kind, value = 5, at
            end = memo[3] if at < memo[2] else _domain(codes, at, tlds, tld_lengths, memo)
        if end < 0:
            at += 1
            continue
        found[count], found[count + 1], found[count + 2], found[count + 3] = (
            numbers[kind], at, value, end)
        count += 4
        at = end
    return found[:count]


@njit
def _url(codes, flags, at):
    """https?://[a-z0-9.\\-]+(?::\\d+)?(?:[/?#][a-z0-9\\-._~/?#=&%+:@]*)?"""
    if not starts_with(codes, at, _HTTP):
        return -1
    place = at + 4
    if char_at(codes, place) == 115 and starts_with(codes, place + 1, _SLASHES):  # s://
        place += 4
    elif starts_with(codes, place, _SLASHES):
        place += 3
    else:
        return -1
    host = place
    while place < len(codes) and (lower(codes[place]) or ascii_digit(codes[place])
                                  or in_(codes[place], _HOST)):
        place += 1
    if place == host:
        return -1
    return _url_rest(codes, flags, place)


@njit
def _url_rest(codes, flags, place):
    """The optional port and path after a URL's host."""
    if char_at(codes, place) == 58 and digit(codes, flags, place + 1):           # :port
        place += 1
        while digit(codes, flags, place):
            place += 1
    if in_(char_at(codes, place), _PATH_START):
        place += 1
        while place < len(codes) and (lower(codes[place]) or ascii_digit(codes[place])
                                      or in_(codes[place], _PATH)):
            place += 1
    return place


@njit
def _email(codes, at, memo):
    """[a-z0-9][a-z0-9._%+\\-]*@[a-z0-9\\-]+(?:\\.[a-z0-9\\-]+)+; the same answer for every
    start in one run of the local part's characters: memo[0] is where the run ends, memo[1]
    the answer (_scan reads them)."""
    code = char_at(codes, at)
    if not (lower(code) or ascii_digit(code)):
        return -1
    place = at + 1
    while place < len(codes) and (lower(codes[place]) or ascii_digit(codes[place])
                                  or in_(codes[place], _LOCAL)):
        place += 1
    memo[0], memo[1] = place, _email_domain(codes, place)
    return memo[1]


@njit
def _email_domain(codes, place):
    """Where the @ and domain that follow a local part end, or -1."""
    if char_at(codes, place) != 64:                                                # @
        return -1
    place += 1
    first = place
    while place < len(codes) and label(codes[place]):
        place += 1
    if place == first:
        return -1
    labels = 0
    while char_at(codes, place) == 46 and place + 1 < len(codes) and label(codes[place + 1]):
        place += 1
        while place < len(codes) and label(codes[place]):
            place += 1
        labels += 1
    return place if labels else -1


@njit
def _wechat(codes, flags, at):
    """(?:微(?:信号?)?|薇信?|威信?|维信|vx|wx|weixin|wechat|v信|v)[\\s:：号]*
    ([a-z][a-z0-9_\\-]{5,19})(?![a-z0-9_\\-]): each way of reading the trigger, in the
    pattern's order, until the handle after it fits."""
    code, after = char_at(codes, at), char_at(codes, at + 1)
    first = second = third = -1
    if code == 0x5FAE:                                                         # 微
        if after == 0x4FE1:                                                    # 信
            first = at + 3 if char_at(codes, at + 2) == 0x53F7 else -1             # 号
            second = at + 2
        third = at + 1
    elif code == 0x8587 or code == 0x5A01:                                     # 薇 威
        first = at + 2 if after == 0x4FE1 else -1
        second = at + 1
    elif code == 0x7EF4:                                                       # 维
        first = at + 2 if after == 0x4FE1 else -1
    elif code == 118:                                                          # v
        first = at + 2 if after == 120 else -1                                 # vx
        second = at + 2 if after == 0x4FE1 else -1                             # v信
        third = at + 1
    elif code == 119:                                                          # w
        if after == 120:
            first = at + 2                                                     # wx
        elif starts_with(codes, at, _WEIXIN) or starts_with(codes, at, _WECHAT):
            first = at + 6
    for trigger in (first, second, third):
        if trigger >= 0:
            place, end = _handle(codes, flags, trigger)
            if end >= 0:
                return place, end
    return at, -1


@njit
def _handle(codes, flags, trigger):
    """(value start, end) of the handle after a WeChat trigger, end -1 when none fits."""
    place = trigger
    while place < len(codes) and (space(codes, flags, place) or in_(codes[place], _WECHAT_SEP)):
        place += 1
    if not lower(char_at(codes, place)):
        return place, -1
    end = place + 1
    while end < len(codes) and (lower(codes[end]) or ascii_digit(codes[end])
                                or codes[end] == 95 or codes[end] == 45):
        end += 1
    return (place, end) if 6 <= end - place <= 20 else (place, -1)


@njit
def _qq(codes, flags, at):
    """(?:qq|扣扣|企鹅|q)(?:号|群)?[\\s:：]*([1-9](?: \\d){4,10}|[1-9]\\d{4,10})(?!\\d)"""
    code, after = char_at(codes, at), char_at(codes, at + 1)
    first = second = -1
    if code == 113:                                                            # q
        first = at + 2 if after == 113 else -1
        second = at + 1
    elif (code == 0x6263 and after == 0x6263) or (code == 0x4F01 and after == 0x9E45):
        first = at + 2                                                         # 扣扣 企鹅
    for trigger in (first, second):
        if trigger < 0:
            continue
        for place in (trigger + 1 if in_(char_at(codes, trigger), _QQ_MARKS) else -1, trigger):
            if place < 0:
                continue
            while place < len(codes) and (space(codes, flags, place)
                                          or in_(codes[place], _QQ_SEP)):
                place += 1
            end = _qq_number(codes, flags, place)
            if end >= 0:
                return place, end
    return at, -1


@njit
def _qq_number(codes, flags, place):
    """[1-9](?: \\d){4,10}|[1-9]\\d{4,10}, not followed by a digit."""
    if not 49 <= char_at(codes, place) <= 57:
        return -1
    pairs = 0
    while (pairs < 10 and char_at(codes, place + 1 + 2 * pairs) == 32
           and digit(codes, flags, place + 2 + 2 * pairs)):
        pairs += 1
    for count in range(pairs, 3, -1):
        if not digit(codes, flags, place + 1 + 2 * count):
            return place + 1 + 2 * count
    digits = 0
    while digit(codes, flags, place + 1 + digits):
        digits += 1
    return place + 1 + digits if 4 <= digits <= 10 else -1


@njit
def _gap(codes, flags, place):
    """Where a separator gap of at most three characters that starts at `place` ends, or
    -1 when four or more separators follow (the pattern then needs a digit among them)."""
    end = place
    while end < len(codes) and (space(codes, flags, end) or in_(codes[end], _GAP)):
        end += 1
    return end if end - place <= 3 else -1


@njit
def _phone(codes, flags, at):
    """The phone alternatives in order, each candidate end tried against (?!\\d)."""
    end = _mobile(codes, flags, at)
    if end >= 0 and not digit(codes, flags, end):
        return end
    if char_at(codes, at) == 48:                                                   # 0
        for area in (3, 2):
            end = _landline(codes, flags, at, area)
            for number in (7, 6):
                if end >= 0 and _digits(codes, flags, end + 1, number) \
                        and not digit(codes, flags, end + 1 + number):
                    return end + 1 + number
    end = _service(codes, flags, at)
    if end >= 0 and not digit(codes, flags, end):
        return end
    return -1


@njit
def _digits(codes, flags, place, count):
    for k in range(count):
        if not digit(codes, flags, place + k):
            return False
    return True


@njit
def _mobile(codes, flags, at):
    """(?:\\+?86 GAP)?1 GAP [3-9](?: GAP \\d){9}"""
    place = at
    if char_at(codes, place) == 43:                                                # +
        place += 1
    if char_at(codes, place) == 56 and char_at(codes, place + 1) == 54:                # 86
        place = _gap(codes, flags, place + 2)
        if place < 0:
            return -1
    elif place != at:
        return -1
    if char_at(codes, place) != 49:                                                # 1
        return -1
    place = _gap(codes, flags, place + 1)
    if place < 0 or not 51 <= char_at(codes, place) <= 57:                         # [3-9]
        return -1
    place += 1
    for _ in range(9):
        place = _gap(codes, flags, place)
        if place < 0 or not digit(codes, flags, place):
            return -1
        place += 1
    return place


@njit
def _landline(codes, flags, at, area):
    """0\\d{area}[\\s\\-)）]{0,2}[2-9]: where the [2-9] stands, or -1."""
    if not _digits(codes, flags, at + 1, area):
        return -1
    place = end = at + 1 + area
    while end < len(codes) and (space(codes, flags, end) or in_(codes[end], _AREA_SEP)):
        end += 1
    if end - place > 2 or not 50 <= char_at(codes, end) <= 57:
        return -1
    return end


@njit
def _service(codes, flags, at):
    """[48]00 GAP \\d{3} GAP \\d{4}"""
    code = char_at(codes, at)
    if not ((code == 52 or code == 56) and char_at(codes, at + 1) == 48 and char_at(codes, at + 2) == 48):
        return -1
    place = _gap(codes, flags, at + 3)
    if place < 0 or not _digits(codes, flags, place, 3):
        return -1
    place = _gap(codes, flags, place + 3)
    if place < 0 or not _digits(codes, flags, place, 4):
        return -1
    return place + 4


@njit
def _domain(codes, at, tlds, tld_lengths, memo):
    """(?:[a-z0-9\\-]+\\.)+(?:TLDS)(?![a-z0-9\\-]): the labels up to the last dot that is
    followed by a known top-level domain as a whole label, the most labels first (the dots
    between `at` and the last one are the labels' dots: labels hold no dot). The same answer
    for every start in one label: memo[2] is where the label ends, memo[3] the answer."""
    if not label(char_at(codes, at)):
        return -1
    label_end = at
    while label_end < len(codes) and label(codes[label_end]):
        label_end += 1
    memo[2], memo[3] = label_end, _domain_end(codes, at, tlds, tld_lengths)
    return memo[3]


@njit
def _domain_end(codes, at, tlds, tld_lengths):
    place, last_dot = at, -1
    while True:
        first = place
        while place < len(codes) and label(codes[place]):
            place += 1
        if place == first or char_at(codes, place) != 46:
            break
        last_dot = place
        place += 1
    dot = last_dot
    while dot > at:
        end = dot + 1
        while end < len(codes) and label(codes[end]):
            end += 1
        for row in range(len(tlds)):
            if tld_lengths[row] == end - dot - 1 and starts_with(
                    codes, dot + 1, tlds[row, :tld_lengths[row]]):
                return end
        dot -= 1
        while dot > at and codes[dot] != 46:
            dot -= 1
    return -1
