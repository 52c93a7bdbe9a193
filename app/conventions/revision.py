"""A convention's next version from the adopted amendments: pure, no Flask, no database.

Articles are numbered 1..n by position. Every amendment names an article of the version it was
proposed against: change or delete that article, or insert a new one after it (0: before the
first). The new version renumbers from 1; `rows` is the side-by-side diff (old | new)."""

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    CHANGE = "change"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True)
class Edit:
    kind: Kind
    number: int  # the article changed or deleted, or the one the insertion follows (0: at the start)
    text: str = ""  # the new wording (change, insert)


@dataclass(frozen=True)
class Row:
    """One line of the diff: an old article and what became of it, or an inserted one."""

    kind: str  # "same", or a Kind
    old_number: int | None
    old_text: str | None
    new_number: int | None
    new_text: str | None


class Conflict(ValueError):
    """The edits do not fit the articles: a number out of range, or one article changed twice."""


def revise(articles, edits):
    """The diff rows from applying `edits` to `articles` (texts in order); see new_articles."""
    count = len(articles)
    replaced = {}
    inserted = {}
    for edit in edits:
        if edit.kind == Kind.INSERT:
            if not 0 <= edit.number <= count:
                raise Conflict(f"no article {edit.number} to insert after")
            inserted.setdefault(edit.number, []).append(edit.text)
            continue
        if not 1 <= edit.number <= count:
            raise Conflict(f"no article {edit.number}")
        if edit.number in replaced:
            raise Conflict(f"article {edit.number} is amended twice")
        replaced[edit.number] = edit
    rows = []
    number = 0

    def add_inserted(after):
        nonlocal number
        for text in inserted.get(after, ()):
            number += 1
            rows.append(Row(Kind.INSERT, None, None, number, text))

    add_inserted(0)
    for old_number, text in enumerate(articles, start=1):
        edit = replaced.get(old_number)
        if edit is not None and edit.kind == Kind.DELETE:
            rows.append(Row(Kind.DELETE, old_number, text, None, None))
        else:
            number += 1
            changed = edit is not None and edit.kind == Kind.CHANGE
            rows.append(
                Row(Kind.CHANGE if changed else "same", old_number, text, number, edit.text if changed else text)
            )
        add_inserted(old_number)
    return rows


def new_articles(rows):
    return [row.new_text for row in rows if row.new_number is not None]


def renumbering(rows):
    """{old number: new number} of the articles that survive (0 stays 0: "before the first")."""
    return {0: 0} | {row.old_number: row.new_number for row in rows if row.old_number and row.new_number}
