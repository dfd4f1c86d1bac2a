"""Checks of the files visitors upload with a proposal, and the names those files are stored under.

A visitor's file is untrusted twice over: its name and extension are whatever the visitor chose, and its
bytes may be built to fool a check that reads only the first few of them (a `%PDF-` header in front of an
HTML page) or to exhaust a worker's memory when a thumbnail is made (a 6,240 × 6,240 PNG of 148 KB
decodes to over 150 MB of pixels). So an image is measured from its header before anything decodes it,
and a document must have the structure of its type, not only its first bytes.

Accepted files are renamed to a random name (the original name, made safe, after 96 random bits): files of
a proposal that is not yet published must not be found by guessing "original_images/foto.jpg", and the
renditions Wagtail makes of an image keep the start of its name, so they cannot be guessed either.
"""

import re
import secrets
import zipfile
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
DOCUMENT_EXTENSIONS = ("pdf", "odt", "docx")

# How far from either end of a file the PDF markers are looked for: the header must open the file, and the
# trailer's `startxref … %%EOF` must close it (PDF 32000-1, 7.5.5; a few bytes of padding are tolerated).
PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
PDF_TAIL_BYTES = 1024
PDF_TRAILER = re.compile(rb"startxref\s+(\d+)\s+%%EOF[\s\x00]*$")
PDF_XREF_AT = re.compile(rb"\s*(xref\b|\d+\s+\d+\s+obj\b)")
# What a browser's content sniffer takes for HTML (the WHATWG MIME Sniffing standard's list, plus elements
# that run or embed content), followed by the end of a tag name. A PDF or office file has no business
# opening with any of them.
SNIFF_BYTES = 1024
HTML_TAG = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frame|object|embed|svg|style|title|meta|link|form|"
    rb"h1|div|font|table|a|b|br|p|img|!--)[\s/>]",
    re.IGNORECASE,
)


def _extension(name):
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _megabytes(size):
    return size // (1024 * 1024)


def max_image_pixels():
    """The pixel cap of every image upload, the admin's (Wagtail's own check) and the proposals' alike."""
    return settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS


def unguessable_name(name):
    """`<24 random hex digits>-<the original name made safe>`: 96 random bits at the start of the name,
    where Wagtail's truncation of long names (and of its rendition names) leaves them alone."""
    path = PurePath(name)
    stem = slugify(path.stem)[:40] or "file"
    extension = _extension(path.name)
    return f"{secrets.token_hex(12)}-{stem}.{extension}" if extension else f"{secrets.token_hex(12)}-{stem}"


def _read(uploaded, start, size):
    uploaded.seek(start)
    data = uploaded.read(size)
    uploaded.seek(0)
    return data


def looks_like_html(uploaded):
    """True when the first bytes hold something a browser would sniff as a web page."""
    return bool(HTML_TAG.search(_read(uploaded, 0, SNIFF_BYTES)))


def is_pdf(uploaded):
    """A PDF from end to end: the header first, and at the end a trailer whose `startxref` points inside
    the file at a cross-reference table or stream. A `%PDF-` line in front of anything else is refused."""
    if not PDF_HEADER.match(_read(uploaded, 0, 16)):
        return False
    size = uploaded.size
    tail = _read(uploaded, max(0, size - PDF_TAIL_BYTES), PDF_TAIL_BYTES)
    trailer = PDF_TRAILER.search(tail)
    if trailer is None:
        return False
    offset = int(trailer[1])
    if not 0 < offset < size:
        return False
    return bool(PDF_XREF_AT.match(_read(uploaded, offset, 64)))


def document_kind(uploaded):
    """The document's real type read from its content ("pdf", "odt", "docx"), or None."""
    head = _read(uploaded, 0, 8)
    if head.startswith(b"%PDF-"):
        return "pdf" if is_pdf(uploaded) else None
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                return "odt"
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        uploaded.seek(0)
    return None


def checked_image(image):
    """The image field's file if it is a JPEG, PNG or WebP within the size and pixel caps, renamed to an
    unguessable name; ValidationError otherwise. `image.image` is the Pillow image Django's ImageField
    opened and verified: opening reads the header only, so the pixels are counted before any are decoded."""
    if not image:
        return None
    if image.size > MAX_IMAGE_BYTES:
        raise forms.ValidationError(
            _("L'immagine pesa %(size)d MB: il massimo è 5 MB."), params={"size": _megabytes(image.size)}
        )
    expected = IMAGE_FORMATS.get(_extension(image.name))
    found = getattr(getattr(image, "image", None), "format", None)
    if expected is None or found != expected:
        raise forms.ValidationError(_("L'immagine deve essere un file JPEG, PNG o WebP."))
    width, height = image.image.size
    frames = getattr(image.image, "n_frames", 1) or 1
    limit = max_image_pixels()
    if width * height * frames > limit:
        raise forms.ValidationError(
            _(
                "L'immagine è troppo grande: %(width)d × %(height)d pixel. Il massimo è %(limit)s milioni di "
                "pixel (per esempio 6000 × 4000): riducila e caricala di nuovo."
            ),
            params={"width": width, "height": height, "limit": f"{limit / 1_000_000:g}"},
        )
    image.seek(0)
    image.name = unguessable_name(image.name)
    return image


def checked_document(document):
    """The document field's file if it is a PDF, ODT or DOCX whose content matches its extension, within the
    size cap and with nothing a browser would take for a web page, renamed to an unguessable name."""
    if not document:
        return None
    if document.size > MAX_DOCUMENT_BYTES:
        raise forms.ValidationError(
            _("Il documento pesa %(size)d MB: il massimo è 10 MB."), params={"size": _megabytes(document.size)}
        )
    extension = _extension(document.name)
    if extension not in DOCUMENT_EXTENSIONS or document_kind(document) != extension or looks_like_html(document):
        raise forms.ValidationError(
            _("Il documento deve essere un PDF, un ODT o un DOCX, e il contenuto deve corrispondere all'estensione.")
        )
    document.name = unguessable_name(document.name)
    return document
