"""Printed paperwork (A4 sheets from the browser's Print command, templates/_print.html): the QR
code and address a sheet carries, so a paper copy leads back to the page online."""

from flask_babel import gettext as _

from .qr import qr_svg
from .urls import absolute_url


def sheet_qr(path, caption):
    """What templates/_print.html shows at the top of a sheet: the address under PUBLIC_BASE_URL,
    its QR code and a line saying what scanning it opens."""
    url = absolute_url(path)
    return {"qr_url": url, "qr": qr_svg(url, _("QR code: %(url)s", url=url)), "qr_caption": caption}
