"""Draws the site's icons into static/icons/: favicon.ico (16, 32, 48 px), the Apple touch icon and the two
icons of the web app manifest. The files are committed; run this after changing pictures/art.py's icon()."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from pictures.art import icon

# The first six goals' official colours: the icon needs no database.
COLOURS = ["#E5243B", "#DDA63A", "#4C9F38", "#C5192D", "#FF3A21", "#26BDE2"]


class Command(BaseCommand):
    help = "Draw the favicon and the app icons into static/icons/."

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "static" / "icons"
        folder.mkdir(parents=True, exist_ok=True)
        big = icon(256, COLOURS)
        big.save(folder / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
        icon(180, COLOURS, rounded=False).convert("RGB").save(folder / "apple-touch-icon.png", optimize=True)
        for size in (192, 512):
            icon(size, COLOURS).save(folder / f"icon-{size}.png", optimize=True)
        self.stdout.write(f"icons written to {folder}")
