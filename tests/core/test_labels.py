"""Labelled enums (app/core/labels.py): the stored value stays the plain string, the label is
translated when shown, and every vocabulary of the app has a Chinese label for every member."""

import pytest
from flask_babel import force_locale

import app.models  # noqa: F401  (every feature's vocabulary)
from app.core.i18n import N_
from app.core.labels import Labelled
from app.matters.lifecycle import Status, status_label
from app.voting.models import RoundState


class Colour(Labelled):
    RED = "red", N_("Red")
    BLUE = "blue", N_("Blue")


def _vocabularies(cls=Labelled):
    for sub in cls.__subclasses__():
        yield sub
        yield from _vocabularies(sub)


def test_a_member_is_its_stored_string():
    assert Colour.RED == "red" and Colour("red") is Colour.RED
    assert str(Colour.RED) == "red" and f"{Colour.BLUE}" == "blue"
    assert {"red": 1}[Colour.RED] == 1
    assert Colour.RED.msgid == "Red"


def test_choices_and_labels(app):
    with app.test_request_context():
        assert [(value, str(label)) for value, label in Colour.choices()] == [("red", "Red"), ("blue", "Blue")]
        assert [value for value, _label in Colour.choices([Colour.BLUE])] == ["blue"]
        assert Colour.labels() == {"red": "Red", "blue": "Blue"}
        assert Colour.label_of("red") == "Red"
        assert Colour.label_of("green") == "green"  # an unknown stored value is shown as it is


def test_labels_are_translated_when_shown(app):
    with app.test_request_context(), force_locale("zh_Hans"):
        assert str(RoundState.OPEN.label) == "投票进行中"
        assert status_label("approved") == status_label(Status.APPROVED) != "Approved"
    with app.test_request_context(), force_locale("en"):
        assert str(RoundState.OPEN.label) == "Open for voting"


@pytest.mark.parametrize("vocabulary", [v for v in _vocabularies() if v is not Colour], ids=lambda v: v.__name__)
def test_every_member_of_every_vocabulary_has_a_chinese_label(app, vocabulary):
    assert len(vocabulary) > 1
    with app.test_request_context(), force_locale("zh_Hans"):
        for member in vocabulary:
            assert member.msgid
            assert vocabulary.label_of(member.value) != member.msgid or not member.msgid.isascii()
