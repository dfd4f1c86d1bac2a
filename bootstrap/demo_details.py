"""What the demo's detail pages need to lead somewhere: who to contact, documents and sources, and which
entries the editors have verified. The demo data file says who promotes each entry; from that, this module
gives each good practice and case study a referent (the first promoter, whose address stays private: the
visitor writes through the contact form), a link to each promoter's website as a source, and a printable
sheet as a PDF built from the sections of the UN template (a case study's from its story).

Only fields an editor left empty are filled, so a second run (or an editor's own text) changes nothing. The
addresses are in the reserved `example.org` domain: the demo never writes to anyone."""

import textwrap
from datetime import date

from django.core.files.base import ContentFile
from django.utils.html import strip_tags
from django.utils.text import slugify
from wagtail.documents import get_document_model

from core.publishing import publish
from practices.models import LibraryEntry

# Entries whose content and contacts the demo's editors have checked with the promoters.
VERIFIED = {
    "next-mappatura-contesto-locale": date(2025, 3, 14),
    "next-valori-e-regole-comuni": date(2025, 3, 14),
    "next-progettazione-condivisa": date(2025, 3, 14),
    "next-comunicazione-effetto-eco": date(2025, 3, 14),
    "caso-next-mobilitarsi": date(2025, 3, 14),
    "focus-lab-contratti-di-fiume": date(2025, 5, 6),
    "focus-lab-alleanze-territoriali-famiglia": date(2025, 5, 6),
    "palestre-di-capacita": date(2025, 6, 20),
    "patto-generativo-di-comunita": date(2025, 9, 30),
    "sportello-talenti-chierese": date(2025, 9, 30),
}
SHEET_TITLE = "Scheda da stampare (PDF)"
WEBSITE_TITLE = "{name}: il sito"


def english_strings(organisations):
    """The English of the texts this module writes, for the demo's translations."""
    strings = {SHEET_TITLE: "Printable sheet, in Italian (PDF)"}
    strings.update({WEBSITE_TITLE.format(name=name): f"{name}: website" for name in organisations})
    return strings


def _pdf_text(text):
    """A string for a PDF literal in WinAnsi encoding (Italian letters are in it)."""
    encoded = text.encode("cp1252", "replace").decode("latin-1")
    return encoded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def sheet_pdf(entry):
    """A plain, printable PDF of an entry: title, summary and the sections of the UN template (a case study's
    story), in Helvetica on A4, as many pages as it takes. Written by hand: one small document needs no library."""
    lines = [("title", line) for line in textwrap.wrap(entry.title, 60)]
    lines += [("gap", "")]
    lines += [("text", line) for line in textwrap.wrap(entry.summary, 95)]
    sections = entry.sections() if hasattr(entry, "sections") else []
    if not sections:  # a case study: its story, paragraph by paragraph
        sections = [("", block.value) for block in entry.body if block.block_type == "paragraph"]
    for label, text in sections:
        lines += [("gap", "")] + ([("heading", str(label))] if label else [])
        lines += [("text", line) for line in textwrap.wrap(" ".join(strip_tags(str(text)).split()), 95)]
    pages, current, y = [], [], 780
    for kind, line in lines:
        step = {"title": 22, "heading": 18, "text": 14, "gap": 8}[kind]
        if y - step < 60:
            pages.append(current)
            current, y = [], 780
        y -= step
        if kind != "gap":
            font, size = ("F2", 16) if kind == "title" else ("F2", 12) if kind == "heading" else ("F1", 10)
            current.append(f"BT /{font} {size} Tf 56 {y} Td ({_pdf_text(line)}) Tj ET")
    pages.append(current)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "",  # the page tree, once the pages are numbered
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for content in pages:
        stream = "\n".join(content)
        objects.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {len(objects)} 0 R "
            "/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _sheet_document(entry):
    document_model = get_document_model()
    name = f"scheda-{entry.slug}.pdf"
    existing = document_model.objects.filter(title=f"Scheda: {entry.title}"[:255]).first()
    if existing:
        return existing
    document = document_model(title=f"Scheda: {entry.title}"[:255])
    document.file.save(name, ContentFile(sheet_pdf(entry)), save=False)
    document._set_document_file_metadata()
    document.save()
    return document


def add_details(slugs, report):
    """Contacts, sources, sheets and verification for the demo's own entries, where an editor left them empty."""
    entries = LibraryEntry.objects.filter(slug__in=slugs, locale__language_code="it").specific()
    for entry in entries:
        changed = False
        organisations = [link.organisation for link in entry.organisation_links.select_related("organisation")]
        if entry.entry_type_key in ("good_practice", "case_study") and not (
            entry.contact_name or entry.contact_email or entry.contact_url
        ):
            referent = organisations[0].name if organisations else (entry.networks.first() or entry).title
            entry.contact_name = referent
            entry.contact_email = f"{slugify(referent)[:40]}@promotori.example.org"
            entry.contact_url = organisations[0].website if organisations else ""
            changed = True
        if not entry.resources:
            resources = []
            if entry.entry_type_key in ("good_practice", "case_study"):
                resources.append(("document", {"document": _sheet_document(entry), "title": SHEET_TITLE}))
            resources += [
                ("link", {"url": organisation.website, "title": WEBSITE_TITLE.format(name=organisation.name)})
                for organisation in organisations
                if organisation.website
            ]
            if resources:
                entry.resources = resources
                changed = True
        if entry.slug in VERIFIED and entry.verified_on is None:
            entry.verified_on = VERIFIED[entry.slug]
            changed = True
        if changed:
            publish(entry)
            report.count("entries detailed")
