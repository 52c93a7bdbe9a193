"""full-text search for micro-matters: micro_matter.search_text, SQLite FTS5 table, PostgreSQL tsvector and GIN index

Revision ID: 7b5793947ee7
Revises: 75af09ce879b
Create Date: 2026-12-01 06:00:00

The search objects are made by hand, as app/matters/search.py makes them for db.create_all();
Alembic's autogenerate leaves them alone (search.include_name) and migrations/env.py puts the
SQLite triggers back after any batch migration that copies micro_matter.
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.matters.search import document  # the tokens the code searches for

# revision identifiers, used by Alembic.
revision = "7b5793947ee7"
down_revision = "75af09ce879b"
branch_labels = None
depends_on = None

BATCH = 500

SQLITE_UP = (
    "CREATE VIRTUAL TABLE micro_matter_search USING fts5(search_text, content='micro_matter', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER micro_matter_search_ai AFTER INSERT ON micro_matter BEGIN "
    "INSERT INTO micro_matter_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER micro_matter_search_ad AFTER DELETE ON micro_matter BEGIN "
    "INSERT INTO micro_matter_search(micro_matter_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER micro_matter_search_au AFTER UPDATE OF search_text ON micro_matter BEGIN "
    "INSERT INTO micro_matter_search(micro_matter_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO micro_matter_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    # the index of the rows already there, read from search_text
    "INSERT INTO micro_matter_search(micro_matter_search) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS micro_matter_search_au",
    "DROP TRIGGER IF EXISTS micro_matter_search_ad",
    "DROP TRIGGER IF EXISTS micro_matter_search_ai",
    "DROP TABLE IF EXISTS micro_matter_search",
)
POSTGRES_UP = ("CREATE INDEX ix_micro_matter_search ON micro_matter USING gin (search_text)",)
POSTGRES_DOWN = ("DROP INDEX IF EXISTS ix_micro_matter_search",)


def backfill(connection):
    """search_text of the rows already there, BATCH rows at a time."""
    matter = sa.table(
        "micro_matter",
        sa.column("id"),
        sa.column("title"),
        sa.column("description"),
        sa.column("location"),
        sa.column("search_text"),
    )
    write = matter.update().where(matter.c.id == sa.bindparam("row_id")).values(search_text=sa.bindparam("row_text"))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(matter.c.id, matter.c.title, matter.c.description, matter.c.location)
            .where(matter.c.id > last)
            .order_by(matter.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            write,
            [{"row_id": row.id, "row_text": document(row.title, row.description, row.location)} for row in rows],
        )
        last = rows[-1].id


def upgrade():
    # Plain ALTER TABLE (not a batch copy, which would lose the expression index ix_micro_matter_list_newest).
    op.add_column(
        "micro_matter",
        sa.Column(
            "search_text",
            sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"),  # PostgreSQL reads the tokens as lexemes
            server_default="",
            nullable=False,
        ),
    )
    connection = op.get_bind()
    backfill(connection)
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(connection.dialect.name, ()):
        op.execute(statement)


def downgrade():
    for statement in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    op.drop_column("micro_matter", "search_text")  # SQLite >= 3.35; no batch copy, as above
