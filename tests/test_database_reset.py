"""The reset of the shared database after each test (tests/database.py `clear_tables`), on
SQLite and on PostgreSQL: no row is left and ids start again at 1, as the tests count on."""

from sqlalchemy import func, select

from app.extensions import db
from tests.database import clear_tables


def test_no_row_is_left_and_ids_start_again_at_1(app, make):
    first, second = make.user(), make.user()
    community = make.community()
    db.session.commit()
    assert (first.id, second.id, community.id) == (1, 2, 1)
    clear_tables()
    left = {
        t.name: n for t in db.metadata.sorted_tables if (n := db.session.scalar(select(func.count()).select_from(t)))
    }
    assert left == {}
    assert make.user().id == 1
