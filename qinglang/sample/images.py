"""Small attachment images drawn with Pillow: forged proofs that gangs reuse (the same
drawing, a changed name field, then re-encoded, cropped or resized) and distinct pictures of
genuine customers. Pillow's default font has no CJK glyphs, so fields are ASCII; what
matters is the layout, which reused copies share and distinct images do not."""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

W, H = 200, 280
TITLES = {
    "diagnosis": ("DIAGNOSIS CERTIFICATE", ("Name", "ID", "Dept", "Dx", "Date")),
    "unemployment": ("PROOF OF UNEMPLOYMENT", ("Name", "ID", "Employer", "Left on", "Date")),
    "hardship": ("HARDSHIP CERTIFICATE", ("Name", "ID", "Village", "Income", "Date")),
    "attorney": ("POWER OF ATTORNEY", ("Principal", "ID", "Agent", "Scope", "Date")),
    "chat": ("Chat", ()),
}


@lru_cache(maxsize=4)
def _font(size: int):
    return ImageFont.load_default(size=size)


def _lines(d, r, x0, y0, y1, step, colour):
    for y in range(y0, y1, step):
        d.rectangle((x0, y, x0 + r.randrange(60, W - 2 * x0), y + 3), fill=colour)


def draw_document(seed: int, kind: str, name: str) -> Image.Image:
    """A certificate-like document; everything but `name` is fixed by `seed`."""
    r = random.Random(seed)
    paper = (248 - r.randrange(12), 246 - r.randrange(12), 238 - r.randrange(16))
    img = Image.new("RGB", (W, H), paper)
    d = ImageDraw.Draw(img)
    if kind == "chat":
        return _draw_chat(img, d, r, name)
    title, fields = TITLES[kind]
    d.rectangle((6, 6, W - 7, H - 7), outline=(90, 90, 90), width=2)
    d.text((W // 2, 22), title, fill=(20, 20, 20), font=_font(11), anchor="mm")
    d.line((16, 34, W - 16, 34), fill=(120, 20, 20), width=1)
    y = 44
    for label in fields:
        value = name if label in ("Name", "Principal") else _field_value(r, label)
        d.text((16, y), f"{label}: {value}", fill=(30, 30, 60), font=_font(9))
        y += 15
    _lines(d, r, 16, y + 6, 210, 11, (150, 150, 150))
    cx, cy = r.randrange(120, 160), r.randrange(222, 242)
    d.ellipse((cx - 24, cy - 24, cx + 24, cy + 24), outline=(200, 30, 30), width=3)
    d.regular_polygon((cx, cy, 9), 5, fill=(200, 30, 30))
    pts = [(20 + 8 * k, 240 + r.randrange(-6, 7)) for k in range(8)]
    d.line(pts, fill=(20, 20, 90), width=2)
    return img


def _field_value(r, label: str) -> str:
    if label == "ID":
        return f"{r.randrange(110000, 660000)}********{r.randrange(1000, 9999)}"
    if label in ("Date", "Left on"):
        return f"2024-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}"
    return r.choice(("No.1 People's Hosp", "Oncology", "ward 3", "J-4471", "Huilan Co.", "none", "full"))


def _draw_chat(img, d, r, name):
    d.rectangle((0, 0, W, 22), fill=(237, 237, 237))
    d.text((W // 2, 11), name, fill=(0, 0, 0), font=_font(10), anchor="mm")
    y = 30
    while y < H - 30:
        right = r.random() < 0.4
        w = r.randrange(60, 150)
        box = (W - 10 - w, y, W - 10, y + 22) if right else (34, y, 34 + w, y + 22)
        d.rounded_rectangle(box, 4, fill=(149, 236, 105) if right else (255, 255, 255))
        if not right:
            d.rectangle((8, y, 28, y + 20), fill=(r.randrange(256), 120, 120))
        y += 32
    return img


def variant(img: Image.Image, r) -> tuple[Image.Image, int]:
    """A lightly altered copy: small crop, maybe a resize, and a JPEG quality to save with."""
    left, top = r.randrange(0, 5), r.randrange(0, 5)
    right, bottom = W - r.randrange(0, 5), H - r.randrange(0, 5)
    out = img.crop((left, top, right, bottom))
    if r.random() < 0.6:
        scale = r.uniform(0.9, 1.1)
        out = out.resize((int(out.width * scale), int(out.height * scale)), Image.Resampling.BILINEAR)
    return out, r.randrange(55, 93)


def draw_genuine(seed: int) -> Image.Image:
    """A distinct picture of a genuine customer: an app screenshot or a statement."""
    r = random.Random(seed)
    bg = (r.randrange(200, 256), r.randrange(200, 256), r.randrange(200, 256))
    img = Image.new("RGB", (W, H), bg)
    d = ImageDraw.Draw(img)
    accent = (r.randrange(256), r.randrange(256), r.randrange(256))
    d.rectangle((0, 0, W, r.randrange(24, 60)), fill=accent)
    y = 70
    while y < H - 20:
        h = r.randrange(14, 40)
        if r.random() < 0.5:
            d.rectangle((10, y, r.randrange(40, W - 10), y + h // 3), fill=(r.randrange(160), r.randrange(160), r.randrange(160)))
        else:
            d.text((12, y), f"{r.choice(('Repay', 'Fee', 'Bill', 'Err', 'Paid'))} {r.randrange(100, 99999) / 100:.2f}",
                   fill=(0, 0, 0), font=_font(r.randrange(9, 14)))
        y += h
    for _ in range(r.randrange(1, 5)):
        x0, y0 = r.randrange(W), r.randrange(H)
        d.ellipse((x0, y0, x0 + r.randrange(8, 50), y0 + r.randrange(8, 50)), outline=accent, width=2)
    return img


def save(img: Image.Image, path: Path, quality: int | None) -> None:
    """Write as JPEG with `quality`, or as PNG when quality is None."""
    if quality is None:
        img.save(path, "PNG")
    else:
        img.save(path, "JPEG", quality=quality)
