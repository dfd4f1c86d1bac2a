"""Pictures drawn with Pillow: the demo entries' hero images, the share card of every entry (its og:image)
and the site's icons.

Hero images carry no text: a title baked into a picture is cut by `object-fit: cover`, repeats the page's
heading, cannot be read by a screen reader and stays Italian on English pages. What is written goes on the
share card, which is drawn per language with a font that has every Italian glyph (DejaVu Sans, shipped in
pictures/fonts/ with its licence: Pillow's default font draws "à" as a box)."""

import hashlib
import io
import random
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONTS = Path(__file__).resolve().parent / "fonts"
INK = (29, 39, 51)
MUTED = (85, 96, 110)
PAPER = (255, 255, 255)
SOFT = (244, 246, 248)
ACCENT = (11, 92, 138)
SHARE_SIZE = (1200, 630)


@cache
def font(size, bold=False):
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def rgb(colour, default=ACCENT):
    """'#E5243B' → (229, 36, 59); anything that is not a hex colour gives `default`."""
    text = (colour or "").lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    try:
        return tuple(int(text[i : i + 2], 16) for i in (0, 2, 4)) if len(text) == 6 else default
    except ValueError:
        return default


def mix(colour, other, amount):
    return tuple(round(a + (b - a) * amount) for a, b in zip(colour, other, strict=True))


def _jpeg(picture, quality=84):
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=quality, optimize=True)
    buffer.seek(0)
    return buffer


def hero_art(colours, seed_text, size=(1200, 630)):
    """An abstract picture in the given colours (the entry's goals): a field of the first, broad arcs and
    discs of the others, placed by a seed taken from `seed_text` so that every entry has its own. JPEG bytes."""
    palette = [rgb(colour) for colour in colours] or [ACCENT]
    chance = random.Random(int(hashlib.sha1(seed_text.encode()).hexdigest()[:12], 16))
    width, height = size
    scale = 2  # drawn large and reduced: smooth edges without an anti-aliasing library
    picture = Image.new("RGB", (width * scale, height * scale), mix(palette[0], PAPER, 0.12))
    draw = ImageDraw.Draw(picture)
    others = palette[1:] or [mix(palette[0], PAPER, 0.45), mix(palette[0], INK, 0.25)]
    # Broad rings, each in one of the goals' colours, from a corner chosen by the seed.
    corner = (chance.choice((0.1, 0.9)) * width * scale, chance.uniform(0.1, 0.9) * height * scale)
    for ring in range(max(4, len(others) + 3)):
        colour = others[ring % len(others)]
        radius = (180 + ring * 95 + chance.randint(0, 40)) * scale
        band = chance.randint(34, 60) * scale
        box = [corner[0] - radius, corner[1] - radius, corner[0] + radius, corner[1] + radius]
        draw.ellipse(box, outline=colour, width=band)
    # A few discs, lighter, for depth.
    for index in range(3 + chance.randint(0, 2)):
        colour = mix(palette[(index + 1) % len(palette)], PAPER, 0.35)
        radius = chance.randint(40, 120) * scale
        centre = (chance.uniform(0.05, 0.95) * width * scale, chance.uniform(0.1, 0.9) * height * scale)
        draw.ellipse([centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius], fill=colour)
    return _jpeg(picture.resize(size, Image.Resampling.LANCZOS))


def _wrapped(draw, text, typeface, width, max_lines):
    """`text` in lines no wider than `width`; the last kept line ends with an ellipsis when text is left."""
    lines, line = [], ""
    for word in text.split():
        while draw.textlength(word, font=typeface) > width:  # one word longer than the line: cut it
            cut = len(word)
            while cut > 1 and draw.textlength(word[:cut] + "-", font=typeface) > width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut] + "-")
            word = word[cut:]
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=typeface) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and draw.textlength(last + " …", font=typeface) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = last + " …"
    return lines


def share_card(title, kind, goals, places, site_name):
    """The picture shown when an entry is shared: the site's name, the entry's type and title, its goals as
    numbered squares in their colours, and its places. `goals` are (number, colour, short name). PNG bytes."""
    width, height = SHARE_SIZE
    picture = Image.new("RGB", SHARE_SIZE, PAPER)
    draw = ImageDraw.Draw(picture)
    colours = [rgb(colour) for _number, colour, _name in goals] or [ACCENT]
    # A band of the goals' colours down the left edge.
    band = height / len(colours)
    for index, colour in enumerate(colours):
        draw.rectangle([0, round(index * band), 36, round((index + 1) * band)], fill=colour)
    left, right = 88, width - 72
    draw.text((left, 56), site_name, font=font(28, bold=True), fill=ACCENT)
    y = 112
    if kind:
        draw.text((left, y), kind.upper(), font=font(24), fill=MUTED)
        y += 44
    title_font = font(60, bold=True)
    lines = _wrapped(draw, title, title_font, right - left, 4 if len(goals) < 7 else 3)
    if len(lines) == 4:
        title_font = font(52, bold=True)
        lines = _wrapped(draw, title, title_font, right - left, 4)
    line_height = round(title_font.size * 1.18)
    for line in lines:
        draw.text((left, y), line, font=title_font, fill=INK)
        y += line_height
    # Goals, then places, from the bottom up.
    bottom = height - 56
    if places:
        place_font = font(28)
        place_line = _wrapped(draw, places, place_font, right - left, 1)[0]
        draw.text((left, bottom - 34), place_line, font=place_font, fill=MUTED)
        bottom -= 56
    if goals:
        x, size = left, 64
        number_font = font(30, bold=True)
        for number, colour, _name in goals[:12]:
            draw.rounded_rectangle([x, bottom - size, x + size, bottom], radius=8, fill=rgb(colour))
            label = str(number)
            draw.text((x + size / 2, bottom - size / 2), label, font=number_font, fill=PAPER, anchor="mm")
            x += size + 12
        if len(goals) == 1:
            draw.text((x + 6, bottom - size / 2), goals[0][2], font=font(30), fill=INK, anchor="lm")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def icon(size, colours, rounded=True):
    """The site's icon: tiles in the first colours of the goals on the site's blue, like a shelf of the
    library's entries. RGBA; `rounded=False` fills the square (Apple rounds touch icons itself)."""
    scale = 4
    side = size * scale
    picture = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.rounded_rectangle([0, 0, side - 1, side - 1], radius=side // 5 if rounded else 0, fill=ACCENT)
    stripes = [rgb(colour) for colour in colours] or [PAPER]
    margin, gap = side * 0.2, side * 0.06
    column = (side - 2 * margin - gap) / 2
    rows = len(stripes[:6]) // 2 or 1
    for index, colour in enumerate(stripes[:6]):
        col, row = index % 2, index // 2
        x0 = margin + col * (column + gap)
        row_height = (side - 2 * margin - gap * (rows - 1)) / rows
        y0 = margin + row * (row_height + gap)
        draw.rounded_rectangle([x0, y0, x0 + column, y0 + row_height], radius=side // 40, fill=colour)
    return picture.resize((size, size), Image.Resampling.LANCZOS)
