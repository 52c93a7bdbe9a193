"""Full-text search for the micro-matter list's `q`, in Chinese as in other languages, on SQLite
(FTS5) and PostgreSQL (tsvector).

Neither database splits Chinese into words: unicode61 and PostgreSQL's parser keep a run of
Chinese as one "word", and FTS5's trigram tokenizer cannot match the one- and two-character
queries residents type (坡道). So the words are made here: every CJK character and every pair of
neighbours (overlapping bigrams), every run of letters or of digits, in lower case, and such a
run with the CJK character right after it (3号楼 -> 3号, so that 3号楼 is not 13号楼). A
matter's title, description and location, so split, are kept in its `search_text` column
(services.py), which the databases index as plain words:

- SQLite: search_text is text, with an FTS5 table over it (external content, so the text is not
  stored twice) kept in step by triggers, queried with MATCH;
- PostgreSQL: search_text is a tsvector (the tokens as they are) with a GIN index, queried with
  @@. Stored, not an index on to_tsvector(text): the planner often checks rows one by one (the
  list's order, the count), and to_tsvector of every row then cost more than LIKE did.

A query matches when all its terms do: a CJK run of two characters or more is looked for as its
bigrams, a single character as itself, letters or digits as the start of a word ("wif" finds
WiFi), or with the CJK character after them ("3号楼 坡道" finds 3号楼入口加装无障碍坡道).
"""

import re
import unicodedata
from itertools import pairwise
from typing import NamedTuple

from sqlalchemy import DDL, Text, and_, cast, column, event, false, func, select, table
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from app.extensions import db

WORD_MAX = 40  # longer runs of letters or digits are cut (PostgreSQL ignores words over 2 KB)
QUERY_MAX = 100  # characters of a query looked at
TERMS_MAX = 32  # a longer query only finds more

# Han (with 々〆〇 and the extensions), kana, bopomofo and hangul: scripts written without spaces.
_CJK = (
    "\u3005-\u3007\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U000323af"
)
# A CJK run, a run of digits, or a run of other letters: 12B栋 -> 12, b, 栋.
_RUN = re.compile(rf"([{_CJK}]+)|(\d+)|([^\W\d_{_CJK}]+)")


class Term(NamedTuple):
    text: str
    prefix: bool  # letters or digits: the start of a word


def _runs(text):
    """(run, is it CJK, joined) for each run of CJK characters, digits or letters, NFKC and lower
    case; `joined`: a word with the CJK character right after it (3号楼 -> 3号), else None."""
    matches = list(_RUN.finditer(unicodedata.normalize("NFKC", text).lower()))
    for match, after in pairwise([*matches, None]):
        if match.lastindex == 1:
            yield match.group(), True, None
            continue
        word = match.group()[:WORD_MAX]
        joined = after is not None and after.lastindex == 1 and after.start() == match.end()
        yield word, False, word + after.group()[0] if joined else None


def _bigrams(run):
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(*texts):
    """The words `texts` are found by: each CJK character and bigram, each word; once each."""
    found: dict[str, None] = {}
    for text in texts:
        for run, cjk, joined in _runs(text or ""):
            if cjk:
                found.update(dict.fromkeys(run))  # for one-character queries
                found.update(dict.fromkeys(_bigrams(run)))
            else:
                found.update(dict.fromkeys(filter(None, (run, joined))))
    return list(found)


def document(*texts):
    """What goes in search_text: the tokens, separated by spaces."""
    return " ".join(tokens(*texts))


def query_terms(q):
    """The terms a matching document must all have."""
    terms: dict[Term, None] = {}
    for run, cjk, joined in _runs((q or "")[:QUERY_MAX]):
        if cjk:
            terms.update(dict.fromkeys(Term(bigram, False) for bigram in _bigrams(run) or [run]))
        else:  # 3号楼 is building 3, not 13 or 30
            terms[Term(joined, False) if joined else Term(run, True)] = None
    return list(terms)[:TERMS_MAX]


# ---------------------------------------------------------------- in the databases

FTS_TABLE = "micro_matter_search"  # SQLite; FTS5 adds its shadow tables micro_matter_search_*
GIN_INDEX = "ix_micro_matter_search"  # PostgreSQL
# search_text's type: the tokens as text (SQLite), as a tsvector (PostgreSQL reads '坡 道 坡道' as
# three lexemes; tokens hold no quotes, colons or spaces).
COLUMN_TYPE = Text().with_variant(TSVECTOR(), "postgresql")


def fts_query(terms):
    """FTS5 query syntax: every term, quoted (tokens hold letters and digits only), words as prefixes."""
    return " ".join(f'"{term.text}"' + ("*" if term.prefix else "") for term in terms)


def ts_query(terms):
    """tsquery syntax: every term, quoted, words as prefixes."""
    return " & ".join(f"'{term.text}'" + (":*" if term.prefix else "") for term in terms)


# Up to this many matches SQLite reads them by id and sorts them (a few ms); with more, walking the
# list in its order, testing each row, until the page is full costs less (bench/search_latency.py).
FEW = 200


def matching(q, among, key, search_text):
    """A WHERE clause: the rows `among` (a condition: the community's) whose `search_text` matches
    `q` (`key`: their id, the FTS5 rowid)."""
    terms = query_terms(q)
    if not terms:
        return false()  # only punctuation: nothing to find
    if db.session.get_bind().dialect.name == "postgresql":
        # a tsquery as written (no parser, no dictionary), like the lexemes it is compared with
        return and_(among, search_text.bool_op("@@")(cast(ts_query(terms), TSQUERY)))
    fts = table(FTS_TABLE, column("rowid"), column("search_text"))
    matched = select(fts.c.rowid).where(fts.c.search_text.match(fts_query(terms)))
    few = db.session.scalars(matched.limit(FEW + 1)).all()
    if len(few) > FEW:
        return and_(among, key.in_(matched))
    if not few:
        return false()
    # SQLite cannot tell how many rows a MATCH gives and takes `among` for a handful: it would walk
    # the community's whole list (20-45 ms at 31,000 matters) for a rare word. likely(): most rows
    # are among them, so it starts from the ids instead.
    return and_(func.likely(among), key.in_(few))


_SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_text, content='micro_matter', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
)
# External content: the index is told what it held (old.search_text) to forget it. (Fixed names:
# no input goes into these statements.)
_FORGET = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"  # noqa: S608  # nosec B608
_ADD = f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);"  # noqa: S608  # nosec B608
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON micro_matter BEGIN {_ADD} END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON micro_matter BEGIN {_FORGET} END",
    # Only when search_text is written: support counts and status changes leave the index alone.
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF search_text ON micro_matter "
    f"BEGIN {_FORGET} {_ADD} END",
)
_POSTGRES_INDEX = f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON micro_matter USING gin (search_text)"


def index_with(matter_table):
    """db.create_all() (the tests) builds the search index with the table, as the migration does."""
    for statement in (_SQLITE_TABLE, *_SQLITE_TRIGGERS):
        event.listen(matter_table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    event.listen(matter_table, "after_create", DDL(_POSTGRES_INDEX).execute_if(dialect="postgresql"))
    event.listen(matter_table, "after_drop", DDL(f"DROP TABLE IF EXISTS {FTS_TABLE}").execute_if(dialect="sqlite"))


def include_name(name, type_, parent_names):
    """Alembic: the search objects made here are not in the models' metadata; autogenerate leaves
    them alone (FTS5's table and shadow tables, the GIN index)."""
    if type_ == "table":
        return name != FTS_TABLE and not name.startswith(FTS_TABLE + "_")
    return not (type_ == "index" and name == GIN_INDEX)
