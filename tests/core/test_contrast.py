"""The colours of static/style.css pass WCAG 2.x AA: every text/background pair the stylesheet
uses, read from its custom properties, has a contrast ratio of at least 4.5:1 (3:1 for the
focus ring and field borders, which are not text). The ratio is WCAG's own formula."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "static" / "style.css"

# (text or foreground, background, minimum ratio): the pairs style.css puts together.
PAIRS = [
    ("fg", "bg", 4.5),
    ("fg", "soft", 4.5),
    ("muted", "bg", 4.5),  # hints, meta lines, the footer
    ("muted", "soft", 4.5),  # a closed or withdrawn status, a done tag
    ("accent", "bg", 4.5),  # links, secondary buttons
    ("accent", "soft", 4.5),  # links on tiles
    ("accent-dark", "accent-tint", 4.5),  # tags, statuses in progress
    ("on-accent", "accent", 4.5),  # primary buttons
    ("on-accent", "accent-dark", 4.5),  # the header and its menu
    ("on-accent", "bad", 4.5),  # danger buttons
    ("on-accent", "ok", 4.5),  # confirmation panels
    ("ok", "bg", 4.5),
    ("ok", "ok-tint", 4.5),  # approved, completed statuses
    ("ok", "soft", 4.5),  # success messages
    ("warn", "bg", 4.5),
    ("warn", "warn-tint", 4.5),  # rectification, tasks waiting
    ("bad", "bg", 4.5),
    ("bad", "bad-tint", 4.5),  # rejected statuses
    ("bad", "soft", 4.5),  # error messages
    ("focus-text", "focus", 4.5),  # a focused link or button
    ("fg", "highlight", 4.5),  # the unread count
    ("field-line", "bg", 3),  # a field's border (non-text contrast)
    ("focus", "accent-dark", 3),  # the focus ring on the header
    ("focus-text", "bg", 3),  # the focus ring's dark edge on the page
]


def custom_properties(css):
    """{name: value} of the --custom properties in the :root rule(s), var() references resolved."""
    found = {}
    for block in re.findall(r":root\s*\{([^}]*)\}", css):
        for name, value in re.findall(r"--([\w-]+)\s*:\s*([^;]+)", block):
            found[name] = value.strip()
    for name, value in found.items():
        while (ref := re.fullmatch(r"var\(--([\w-]+)\)", value)) is not None:
            value = found[ref.group(1)]
        found[name] = value
    return found


def rgb(value):
    match = re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value)
    assert match, f"not a hex colour: {value}"
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))


def luminance(colour):
    """WCAG relative luminance of an sRGB colour."""

    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_matches_known_ratios():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast((255, 255, 255), (255, 255, 255)) == pytest.approx(1)
    assert contrast(rgb("#767676"), rgb("#fff")) == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert contrast(rgb("#777"), rgb("#fff")) < 4.5


COLOURS = custom_properties(CSS.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "background", "minimum"), PAIRS, ids=[f"{t}-on-{b}" for t, b, _m in PAIRS])
def test_colour_pairs_pass_wcag_aa(text, background, minimum):
    ratio = contrast(rgb(COLOURS[text]), rgb(COLOURS[background]))
    assert ratio >= minimum, f"--{text} on --{background}: {ratio:.2f}:1 < {minimum}:1"


def test_every_colour_property_is_in_a_checked_pair():
    """A colour added to :root without naming where it is used would go unchecked."""
    colours = {name for name, value in COLOURS.items() if value.startswith("#")}
    checked = {name for text, background, _m in PAIRS for name in (text, background)}
    assert colours - checked <= {"line", "accent-deep", "bad-deep"}, colours - checked  # borders and shadows only
