"""Character tests of the compiled contact scanner (`contact_scan`), inlined where used.

Characters are code points; `flags` carries, per character, whether it is a `\\d` and whether
it is a `\\s` (Unicode classes, as `re` reads them). The tests return from `if`s, because an
inlined `a and b` value is slow.
"""

from __future__ import annotations

from numba import njit

DIGIT, SPACE = 2, 32   # the bits of contacts._CLASSES that say \d and \s (a test holds them equal)


@njit(inline="always")
def char_at(codes, place):
    if place < len(codes):
        return codes[place]
    return -1


@njit(inline="always")
def lower(code):
    return (code >= 97) & (code <= 122)


@njit(inline="always")
def ascii_digit(code):
    return (code >= 48) & (code <= 57)


@njit(inline="always")
def in_(code, chars):
    for char in chars:
        if code == char:
            return True
    return False


@njit(inline="always")
def digit(codes, flags, place):
    if place < len(codes):
        return (flags[place] & DIGIT) != 0
    return False


@njit(inline="always")
def space(codes, flags, place):
    if place < len(codes):
        return (flags[place] & SPACE) != 0
    return False


@njit(inline="always")
def label(code):
    return lower(code) | ascii_digit(code) | (code == 45)


@njit(inline="always")
def starts_with(codes, place, text):
    if place + len(text) > len(codes):
        return False
    for k in range(len(text)):
        if codes[place + k] != text[k]:
            return False
    return True
