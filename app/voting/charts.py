"""Geometry for the server-rendered SVG charts (pure Python, no Flask). The template draws it;
every chart is shown next to a table with the same numbers."""

WIDTH = 320  # viewBox units; narrow so that text stays readable on a 360 px phone
LABEL = 18  # height of the label line above each bar
BAR = 16
GAP = 12
VALUE_ROOM = 64  # room right of the longest bar for its number
LABEL_CHARS = 22

FUNDED = "#1d6b2f"
NOT_FUNDED = "#6b7178"
YES, NO, ABSTAIN = "#1d6b2f", "#a3161b", "#9aa0a6"


def _label(text):
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def bar_chart(rows):
    """rows: [{"label", "value", "highlight"}] -> {"width", "height", "bars": [...]}."""
    top = max([r["value"] for r in rows] + [1])
    span = WIDTH - VALUE_ROOM
    bars, y = [], 4
    for row in rows:
        width = round(span * row["value"] / top, 1)
        bars.append(
            {
                "label": _label(row["label"]),
                "label_y": y + 13,
                "bar_y": y + LABEL,
                "width": max(width, 1 if row["value"] else 0),
                "value": row["value"],
                "value_x": width + 6,
                "value_y": y + LABEL + 13,
                "fill": FUNDED if row.get("highlight") else NOT_FUNDED,
            }
        )
        y += LABEL + BAR + GAP
    return {"width": WIDTH, "height": y, "bar_height": BAR, "bars": bars}


def stacked_chart(rows):
    """rows: [{"label", "yes", "no", "abstain"}] -> segments scaled to the largest total."""
    top = max([r["yes"] + r["no"] + r["abstain"] for r in rows] + [1])
    span = WIDTH - VALUE_ROOM
    bars, y = [], 4
    for row in rows:
        x, segments = 0.0, []
        for key, fill in (("yes", YES), ("no", NO), ("abstain", ABSTAIN)):
            width = round(span * row[key] / top, 1)
            if width:
                segments.append({"x": x, "width": width, "fill": fill})
            x += width
        bars.append(
            {
                "label": _label(row["label"]),
                "label_y": y + 13,
                "bar_y": y + LABEL,
                "segments": segments,
                "value": f"{row['yes']} / {row['no']} / {row['abstain']}",
                "value_x": x + 6,
                "value_y": y + LABEL + 13,
            }
        )
        y += LABEL + BAR + GAP
    return {"width": WIDTH, "height": y, "bar_height": BAR, "bars": bars}
