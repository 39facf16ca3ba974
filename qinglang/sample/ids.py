"""Synthetic identifiers that pass real validity checks: mobile numbers (valid prefixes,
unique by construction), landlines and service numbers, resident id numbers (GB 11643) and
unified social credit codes (GB 32100), plus the many ways people write phone numbers."""

from __future__ import annotations

from datetime import date

# 174 is left out: its numbers are satellite and special services, not ordinary mobiles.
MOBILE_PREFIXES = tuple(str(p) for p in (
    *range(130, 140), 145, 147, 150, 151, 152, 153, *range(155, 160), 166, 170, 171, 172, 173,
    175, 176, 177, 178, *range(180, 190), 191, 193, *range(195, 200)))

# Disjoint ranges of the phone index space (47 prefixes x 10^8 suffixes = 4.7e9 numbers).
RESERVED, SECOND, FAMILY, GANG = 0, 1_200_000_000, 2_400_000_000, 3_600_000_000

AREA_CODES = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0755",
              "0571", "0512", "0531", "0371", "0731", "0591", "0532", "0551", "0871", "0769", "0574")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class Shuffle:
    """A keyed pseudo-random permutation of range(m): a balanced Feistel network over the
    next even power of two, walking the cycle until the value falls inside the range."""

    def __init__(self, r, m: int):
        self.m = m
        bits = max(2, (m - 1).bit_length())
        self.half = (bits + 1) // 2
        self.mask = (1 << self.half) - 1
        self.keys = [r.getrandbits(32) for _ in range(4)]

    def __call__(self, x: int) -> int:
        h, mask, keys = self.half, self.mask, self.keys
        while True:
            left, right = x >> h, x & mask
            for k in keys:
                left, right = right, left ^ ((((right * 0x9E3779B1) ^ k) * 0x85EBCA6B >> 11) & mask)
            x = (left << h) | right
            if x < self.m:
                return x


class PhoneBook:
    """Maps an index to a distinct 11-digit mobile number (a keyed permutation per seed)."""

    def __init__(self, r):
        self.shuffle = Shuffle(r, len(MOBILE_PREFIXES) * 10**8)

    def mobile(self, k: int) -> str:
        q, p = divmod(self.shuffle(k), len(MOBILE_PREFIXES))
        return f"{MOBILE_PREFIXES[p]}{q:08d}"


def spell_mobile(n: str, x: float) -> str:
    """One of the spellings real exports hold, chosen by x in [0, 1)."""
    if x < 0.55:
        return n
    if x < 0.64:
        return f"{n[:3]} {n[3:7]} {n[7:]}"
    if x < 0.72:
        return f"+86 {n[:3]}-{n[3:7]}-{n[7:]}"
    if x < 0.80:
        return "86" + n
    if x < 0.87:
        return "+86" + n
    if x < 0.94:
        return f"{n[:3]}-{n[3:7]}-{n[7:]}"
    return f"+86 {n}"


def landline(r) -> str:
    """A fixed-line number with its area code, in one of the usual spellings."""
    area = r.choice(AREA_CODES)             # all of them cities with 8-digit local numbers
    local = f"{r.randrange(2, 9)}{r.randrange(10**7):07d}"
    x = r.random()
    if x < 0.6:
        return f"{area}-{local}"
    if x < 0.8:
        return f"({area}){local}"
    return area + local


def service_number(r) -> str:
    """A 400 service number as companies print it."""
    a, b = r.randrange(100, 1000), r.randrange(1000, 10000)
    x = r.random()
    return f"400-{a}-{b}" if x < 0.6 else (f"400{a}{b}" if x < 0.85 else f"400 {a} {b}")


def id_check(body17: str) -> str:
    """GB 11643 MOD 11-2 check character of the first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS)) % 11]


class IdBook:
    """Maps a customer index to a distinct resident id number.

    A keyed permutation picks (district slot, birth day, two sequence digits, sex); the last
    sequence digit carries the slot copy and the sex, so distinct indices give distinct ids."""

    def __init__(self, r, districts, slots, first_birth_ordinal: int, n_days: int):
        self.districts, self.slots = districts, slots
        self.first, self.n_days = first_birth_ordinal, n_days
        self.shuffle = Shuffle(r, len(slots) * n_days * 100 * 2)
        self.births = [date.fromordinal(first_birth_ordinal + k).strftime("%Y%m%d") for k in range(n_days)]

    def number(self, i: int) -> tuple[str, int, int, int]:
        """(id number, district index, sex 1=male/0=female, birth ordinal) of customer i."""
        x = self.shuffle(i)
        x, slot = divmod(x, len(self.slots))
        x, day = divmod(x, self.n_days)
        sex, seq2 = divmod(x, 100)
        d_index, copy = self.slots[slot]
        body = f"{self.districts[d_index].code}{self.births[day]}{seq2:02d}{2 * copy + sex}"
        return body + id_check(body), d_index, sex, self.first + day


def org_check(body8: str) -> str:
    """GB 11714 check character of an organisation code body."""
    s = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, ORG_WEIGHTS))
    c = 11 - s % 11
    return "X" if c == 10 else ("0" if c == 11 else str(c))


def uscc_check(body17: str) -> str:
    """GB 32100 check character of the first 17 characters."""
    s = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - s % 31) % 31]


def credit_code(r, region: str) -> str:
    """A unified social credit code of a company registered in `region` (6 digits)."""
    letters = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    if r.random() < 0.6:
        org = "MA" + "".join(r.choice(letters) for _ in range(6))
    else:
        org = "".join(r.choice("0123456789") for _ in range(8))
    body = "91" + region + org + org_check(org)
    return body + uscc_check(body)
