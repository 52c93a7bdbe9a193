"""What an uploaded file is, judged by its bytes, never by its name or the browser's word. Pure.

A PDF must look like one from both ends (the header and the end-of-file marker) and must not name
active content (scripts, launch actions, embedded files, forms that run code): a quote or a drawing
needs none of it. PDFs are also served as downloads in a sandbox (routes.py), so what a compressed
object stream might still hide never runs in the site's origin."""

import re

PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
ACTIVE_NAMES = (b"/javascript", b"/js", b"/launch", b"/embeddedfile", b"/richmedia", b"/xfa", b"/submitform")
NAME_ESCAPE = re.compile(rb"#([0-9a-fA-F]{2})")
NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF")


class NotAllowed(ValueError):
    """Why, as a code: "kind", "damaged" or "active"."""


def kind_of(data):
    """ "pdf" or "image" by the first bytes; NotAllowed otherwise."""
    if PDF_HEADER.match(data[:16]):
        return "pdf"
    if data.startswith(IMAGE_MAGIC):
        return "image"
    raise NotAllowed("kind")


def check_pdf(data):
    if b"%%EOF" not in data[-2048:]:
        raise NotAllowed("damaged")
    names = {NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), n).lower() for n in NAME.findall(data)}
    if names & set(ACTIVE_NAMES):
        raise NotAllowed("active")
