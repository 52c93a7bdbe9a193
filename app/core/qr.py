"""QR codes (segno, SVG inline: no image request, no script): printed notices, meeting check-in."""

from functools import lru_cache

import segno
from markupsafe import Markup, escape


def qr_code(url):
    return segno.make(url, error="m", micro=False)


@lru_cache(maxsize=256)
def qr_svg(url, title, scale=4):
    """Inline SVG; dark modules are drawn with presentation attributes only (the CSP allows them).
    Kept per address, title and scale: drawing one takes tens of milliseconds, and every printed
    sheet or projector refresh draws the same few again."""
    svg = qr_code(url).svg_inline(scale=scale, border=4, omitsize=True, title=title, svgclass="qr", lineclass=None)
    # segno escapes the title and writes only numbers into the path: no user markup gets through.
    label = escape(title)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704  # nosec B704
