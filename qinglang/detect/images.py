"""Perceptual hashes of attached images, and near copies among them (rule 5.1).

A proof reused across customers is rarely the same file: it is re-saved, cropped by a few
pixels, rescaled. The uniform border is trimmed first (so that a small crop changes
nothing), then two DCT hashes are taken (imagehash): a 64-bit one that is cheap to compare
all-against-all and a 256-bit one that decides. On the sample institution's reused proofs,
trimmed 256-bit hashes of copies differ in at most 34 bits and those of different documents
in at least 44.
"""

from __future__ import annotations

from pathlib import Path

import imagehash
import numpy as np
from PIL import Image, ImageChops, UnidentifiedImageError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
BORDER_TOLERANCE = 40  # grey levels from the corner colour still counted as border
BLOCK = 2048  # rows of the all-against-all comparison held at once


def perceptual_hashes(path: Path) -> tuple[str, str] | None:
    """(64-bit, 256-bit) hex perceptual hashes of an image file; None for anything else,
    including a damaged image or one too large to decode safely."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    try:
        with Image.open(path) as image:
            content = _trim(image.convert("L"))
            return str(imagehash.phash(content, 8)), str(imagehash.phash(content, 16))
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
        return None


def _trim(grey: Image.Image) -> Image.Image:
    background = Image.new("L", grey.size, grey.getpixel((0, 0)))
    mask = ImageChops.difference(grey, background).point(
        lambda p: 255 if p > BORDER_TOLERANCE else 0)
    box = mask.getbbox()
    return grey.crop(box) if box else grey


def near_pairs(coarse: list[str], fine: list[str], coarse_bits: int, fine_bits: int
               ) -> list[tuple[int, int]]:
    """Index pairs (i < j) whose 64-bit hashes differ in at most `coarse_bits` bits and whose
    256-bit hashes differ in at most `fine_bits` (all-against-all, in blocks)."""
    if len(coarse) < 2:
        return []
    small = np.array([int(h, 16) for h in coarse], dtype=np.uint64)
    large = _words(fine)
    found = []
    for start in range(0, len(small), BLOCK):
        block = small[start:start + BLOCK]
        distance = np.bitwise_count(block[:, None] ^ small[None, :])
        rows, cols = np.nonzero(distance <= coarse_bits)
        keep = cols > rows + start
        rows, cols = rows[keep] + start, cols[keep]
        fine_distance = np.bitwise_count(large[rows] ^ large[cols]).sum(axis=1)
        found += zip(rows[fine_distance <= fine_bits].tolist(),
                     cols[fine_distance <= fine_bits].tolist())
    return found


def within(coarse: list[str], fine: list[str], probe_coarse: str, probe_fine: str,
           coarse_bits: int, fine_bits: int) -> list[int]:
    """Indices of the hashes near one probe image."""
    if not coarse:
        return []
    small = np.array([int(h, 16) for h in coarse], dtype=np.uint64)
    close = np.nonzero(np.bitwise_count(small ^ np.uint64(int(probe_coarse, 16)))
                       <= coarse_bits)[0]
    fine_distance = np.bitwise_count(_words([fine[i] for i in close])
                                     ^ _words([probe_fine])).sum(axis=1)
    return close[fine_distance <= fine_bits].tolist()


def _words(hashes: list[str]) -> np.ndarray:
    """256-bit hex hashes as rows of four 64-bit words."""
    raw = np.frombuffer(b"".join(bytes.fromhex(h) for h in hashes), dtype=">u8")
    return raw.astype(np.uint64).reshape(len(hashes), -1)
