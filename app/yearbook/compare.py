"""A figure compared with the previous year's, pure: the change with its sign and in words, so
that a printed page says it without colour."""

from flask_babel import lazy_gettext as _l


def compare(current, previous):
    """{this_year, previous_year, change, trend} for two figures (None: not known that year).

    The change carries its sign ("+3", "−2.5", "0"); the trend says it in words. With either
    figure unknown there is no change to state."""
    out = {"this_year": current, "previous_year": previous}
    if current is None or previous is None:
        return {**out, "change": "", "trend": str(_l("not comparable")), "direction": 0}
    delta = round(current - previous, 1)
    if isinstance(current, int) and isinstance(previous, int):
        delta = current - previous
    if delta > 0:
        return {**out, "change": f"+{delta}", "trend": str(_l("increase")), "direction": 1}
    if delta < 0:
        return {**out, "change": f"\u2212{-delta}", "trend": str(_l("decrease")), "direction": -1}
    return {**out, "change": "0", "trend": str(_l("no change")), "direction": 0}
