"""Every lifecycle status has a badge of its own: a distinct shape beside its label, and a tone."""

import re

from flask import render_template_string

from app.matters.lifecycle import Status, status_label

BADGE = '{% from "_status.html" import status_badge with context %}{{ status_badge(status) }}'


def test_every_status_has_its_own_shape_and_a_tone(app):
    shapes = {}
    with app.test_request_context():
        for status in Status:
            html = render_template_string(BADGE, status=status.value, status_label=status_label)
            match = re.fullmatch(r'<span class="status (s-\w+)"><span aria-hidden="true">(\S)</span> (.+)</span>', html)
            assert match, html
            assert match.group(3) == str(status_label(status.value))
            shapes[status] = match.group(2)
    assert len(set(shapes.values())) == len(Status), shapes
