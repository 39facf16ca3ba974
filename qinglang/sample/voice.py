"""Voiceprints: ids from the call centre's voice system and embedding vectors. Calls of one
speaker have vectors close in cosine (about 0.95 between two calls); different speakers are far apart."""

from __future__ import annotations

from .ids import Shuffle

DIM = 32
NOISE = 0.22
FMT = " ".join(["%.2f"] * DIM)
CUSTOMER, FAMILY, GANG = 0, 300_000_000, 600_000_000   # disjoint ranges of speaker index


class Voices:
    """Distinct voiceprint ids by speaker index, and noisy samples of a speaker's vector."""

    def __init__(self, r):
        self.shuffle = Shuffle(r, 10**9)

    def vp_id(self, k: int) -> str:
        """The voice system's id of speaker k (a keyed permutation of 9 digits)."""
        return f"VP{self.shuffle(k):09d}"

    @staticmethod
    def base(r) -> list[float]:
        """A new speaker's vector."""
        g = r.gauss
        return [g(0.0, 1.0) for _ in range(DIM)]

    @staticmethod
    def sample(base: list[float], r) -> str:
        """One call's embedding of the speaker with vector `base`, as text."""
        u = r.random
        return FMT % tuple(x + NOISE * 3.46 * (u() - 0.5) for x in base)
