"""QR codes for printed notices (segno, SVG inline: no image request, no script)."""
import segno
from markupsafe import Markup


def qr_code(url):
    return segno.make(url, error="m", micro=False)


def qr_svg(url, title):
    """Inline SVG; dark modules are drawn with presentation attributes only (the CSP allows them)."""
    svg = qr_code(url).svg_inline(scale=4, border=4, omitsize=True, title=title, svgclass="qr",
                                  lineclass=None)
    # segno escapes the title and writes only numbers into the path: no user markup gets through.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704  # nosec B704
