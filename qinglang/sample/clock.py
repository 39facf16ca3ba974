"""Dates and times of the sample, relative to a reference date derived from the seed (never
the wall clock), written in the mixed spellings institutions export, and mixed booleans."""

from __future__ import annotations

from datetime import date, timedelta

HISTORY_DAYS = 6 * 366          # how far back customer accounts go
BOOLS = (("true", "false"), ("1", "0"), ("是", "否"), ("Y", "N"))


def reference_date(seed: int) -> date:
    """The day the export was taken: somewhere in 2024-2025, fixed by the seed."""
    return date(2024, 3, 1) + timedelta(days=(seed * 7919 + 17) % 540)


class Clock:
    """Day `d` means d days before the reference date (0 = the reference date itself)."""

    def __init__(self, seed: int):
        self.ref = reference_date(seed)
        days = [self.ref - timedelta(days=d) for d in range(HISTORY_DAYS + 1)]
        self.dash = [x.isoformat() for x in days]
        self.slash = [x.strftime("%Y/%m/%d") for x in days]
        self.cn = [f"{x.year}年{x.month}月{x.day}日" for x in days]
        self.md = [f"{x.month}月{x.day}日" for x in days]
        self.compact = [x.strftime("%Y%m%d") for x in days]
        self.times = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]

    def stamp(self, day: int, sec: int, x: float, iso_share: float = 0.1, slash_share: float = 0.25) -> str:
        """A timestamp in one of three spellings chosen by x in [0, 1)."""
        if x < iso_share:
            return f"{self.dash[day]}T{self.times[sec]}+08:00"
        if x < iso_share + slash_share:
            return f"{self.slash[day]} {self.times[sec][:5]}"
        return f"{self.dash[day]} {self.times[sec]}"

    def office_second(self, r) -> int:
        """A second of the day, mostly in office hours."""
        if r.random() < 0.85:
            return r.randrange(8 * 3600 + 30 * 60, 20 * 3600)
        return r.randrange(86400)


def spell_bool(value: bool, x: float) -> str:
    """A boolean in the spelling family chosen by x in [0, 1)."""
    pair = BOOLS[0 if x < 0.4 else 1 if x < 0.7 else 2 if x < 0.85 else 3]
    return pair[0] if value else pair[1]
