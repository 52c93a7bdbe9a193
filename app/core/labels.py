"""Labelled enums: a stored value and the words that name it, written once.

    class Kind(Labelled):
        URBAN = "urban", N_("Urban community (社区)")

A member is the `str` the database stores ("urban", unchanged) and carries its label's message id;
the label is translated when shown, in the reader's language.
"""

from enum import StrEnum

from flask_babel import gettext, lazy_gettext


class Labelled(StrEnum):
    msgid: str

    def __new__(cls, value, msgid):
        member = str.__new__(cls, value)
        member._value_ = value
        member.msgid = msgid
        return member

    @property
    def label(self):
        """The label, translated when it is rendered (lazy, so it also serves at import time)."""
        return lazy_gettext(self.msgid)

    @classmethod
    def choices(cls, members=None):
        """(value, label) pairs for a WTForms select or radio field."""
        return [(member.value, member.label) for member in members or cls]

    @classmethod
    def labels(cls):
        """{value: message id}, for templates that show a stored value: `_(labels[value])`."""
        return {member: member.msgid for member in cls}

    @classmethod
    def label_of(cls, value):
        """The translated label of a stored value; a value no member has is shown as it is."""
        try:
            return gettext(cls(value).msgid)
        except ValueError:
            return value
