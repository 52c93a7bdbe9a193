"""The yearly record printed to PDF in chromium: the cover (with the figures against last year and
the audit head) on the first sheet, each section from a new sheet, and no table row cut across two
sheets even when a section runs over several; axe on the page at phone and desktop size."""

import io
import re
from pathlib import Path

import pytest
from freezegun import freeze_time
from pypdf import PdfReader

from app.extensions import db
from app.yearbook import services
from tests.helpers import Builder
from tests.publishing.helpers import new_matter
from tests.yearbook.helpers import YEAR, build_world

from .helpers import assert_accessible, screenshot

ROOT = Path(__file__).resolve().parents[2]
# A narrow title column makes each matter's row several lines tall, so that a sheet would end inside rows.
TALL_ROWS = ".section-matters td:nth-child(2){width:25mm;max-width:25mm}"
SECTIONS = (
    "Council meetings",
    "Micro-matters from proposal to rating",
    "Resident voting rounds",
    "Implementations, money and satisfaction",
    "Notices and objections",
    "Fund ledger summary",
)


def seed(live_app, extra_matters=0):
    """The test world; `extra_matters` long-titled matters make the matters section run over pages.
    Each title starts with R<n>A and ends with R<n>Z, so a row cut in two shows on two sheets."""
    with live_app.app_context():
        world = build_world(Builder())
        with freeze_time("2025-08-01 02:00:00"):
            for n in range(extra_matters):
                filler = " ".join(["word"] * 14)
                new_matter(
                    world.community, world.residents[0], title=f"R{n:02}A {filler} R{n:02}Z", status="collecting"
                )
        assert len(services.community_report(world.community, YEAR).sections[1].rows) == 2 + extra_matters
        db.session.remove()


def printed_pages(page, url, extra_css=None):
    """The text of each printed A4 sheet; `extra_css` is appended to the print stylesheet."""
    if extra_css is not None:
        css = (ROOT / "static" / "print.css").read_text(encoding="utf-8") + extra_css
        page.route("**/print.css*", lambda route: route.fulfill(body=css, content_type="text/css"))
    page.goto(url)
    page.emulate_media(media="print")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    return [re.sub(r"\s+", " ", p.extract_text()) for p in reader.pages]


def section_pages(pages):
    return [next(i for i, text in enumerate(pages) if f"{n}. {title}" in text) for n, title in enumerate(SECTIONS, 1)]


def test_each_section_prints_from_a_new_sheet(live_app, live_server, new_page):
    seed(live_app)
    pages = printed_pages(new_page("desktop"), f"{live_server.url}/c/xinglin/yearbook/?year={YEAR}&lang=en")
    assert len(pages) == 1 + len(SECTIONS)  # the cover, then one sheet a section
    assert "Compared with the previous year" in pages[0] and "Audit log as of this page" in pages[0]
    assert section_pages(pages) == list(range(1, 7))


def cut_rows(pages, count):
    """The rows whose first and last words are not on one and the same sheet."""
    return [
        n
        for n in range(count)
        if [i for i, text in enumerate(pages) if f"R{n:02}A" in text]
        != [i for i, text in enumerate(pages) if f"R{n:02}Z" in text]
    ]


def test_no_table_row_is_cut_across_sheets(live_app, live_server, new_page):
    seed(live_app, extra_matters=40)
    url = f"{live_server.url}/c/xinglin/yearbook/?year={YEAR}&lang=en"
    pages = printed_pages(new_page("desktop"), url, TALL_ROWS)
    starts = section_pages(pages)
    assert starts[2] - starts[1] >= 3  # the matters section runs over several sheets
    assert cut_rows(pages, 40) == []
    assert starts == sorted(set(starts))
    # The check sees a cut: without the rule that keeps a row whole, sheets end inside rows.
    assert cut_rows(printed_pages(new_page("desktop"), url, TALL_ROWS + ".sheet tr{break-inside:auto}"), 40)


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_the_report_page_is_accessible(live_app, live_server, new_page, kind):
    seed(live_app)
    page = new_page(kind)
    page.goto(f"{live_server.url}/c/xinglin/yearbook/?year={YEAR}")
    assert str(YEAR) in page.locator("h1").inner_text()
    screenshot(page, f"yearbook-report-{kind}")
    assert_accessible(page, f"yearbook report ({kind})")
