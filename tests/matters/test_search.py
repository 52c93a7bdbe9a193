"""Full-text search for the list's `q` (app/matters/search.py): the tokens, and the list page
finding matters by one, two and three Chinese characters, Latin words and mixed queries, on
SQLite (FTS5) and PostgreSQL (tsvector) alike."""

import importlib.util
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, update

from app.extensions import db
from app.matters import search, services
from app.matters.models import MicroMatter
from app.moderation import services as moderation
from tests.database import ON_POSTGRES
from tests.helpers import login
from tests.once_per_module import once_per_module

from .helpers import fields

BASE = "/c/xinglin/matters"
RAMP = "3号楼入口加装无障碍坡道"
BENCH = "小区花园增设遮阳座椅"
LIGHT = "夜间步道照明"
PLAIN = "居民提出，请居委会考虑。"  # the helpers' description mentions 坡道


# ---------------------------------------------------------------- the tokens


def found(text, q):
    """Whether `q` finds `text`, decided as the databases do: every CJK term is a token, every
    word term starts one."""
    tokens = search.tokens(text)
    return all(
        any(token.startswith(term.text) for token in tokens) if term.prefix else term.text in tokens
        for term in search.query_terms(q)
    )


def test_chinese_is_split_into_characters_and_bigrams_words_into_lower_case_words():
    assert search.tokens("坡道") == ["坡", "道", "坡道"]
    assert search.tokens("3号楼 WiFi，１２B栋") == ["3", "3号", "号", "楼", "号楼", "wifi", "12", "b", "b栋", "栋"]
    assert search.document("坡道", "坡道 ramp") == "坡 道 坡道 ramp"  # each token once
    assert search.query_terms("无障碍坡道") == [
        search.Term(bigram, False) for bigram in ("无障", "障碍", "碍坡", "坡道")
    ]
    assert search.query_terms("坡 Wif") == [search.Term("坡", False), search.Term("wif", True)]
    assert search.query_terms("100% _ ！") == [search.Term("100", True)]
    assert search.query_terms("3号楼") == [search.Term("3号", False), search.Term("号楼", False)]
    assert search.query_terms("　\t") == []


def test_the_query_strings_quote_every_term():
    terms = search.query_terms("3号楼 wifi")
    assert search.fts_query(terms) == '"3号" "号楼" "wifi"*'
    assert search.ts_query(terms) == "'3号' & '号楼' & 'wifi':*"


def test_what_finds_and_what_does_not():
    for q in ("坡", "坡道", "无障碍", "3号楼 坡道", "号楼 3", "入口加装", "３号楼"):
        assert found(RAMP, q), q
    for q in ("道坡", "坡路", "3号楼 座椅", "4号楼", "坡道 ramp", "33号楼"):
        assert not found(RAMP, q), q
    assert not found("13号楼入口", "3号楼") and found("13号楼入口", "13号")  # building 3 is not 13
    assert found("Path lighting for the evening walk", "LIGHT evening")
    assert not found("Path lighting for the evening walk", "ighting")  # words are found from their start


CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40)  # few characters: repeats happen
OTHER = st.sampled_from(list("ab3Z7 ，。-()\n") + ["Ｆ", "々"])
TEXT = st.lists(st.one_of(CJK, CJK, OTHER), min_size=1, max_size=40).map("".join)


@given(text=TEXT, data=st.data())
def test_any_stretch_of_chinese_in_a_title_finds_it(text, data):
    runs = [run for run, cjk, _ in search._runs(text) if cjk]
    if not runs:
        return
    run = data.draw(st.sampled_from(runs))
    start = data.draw(st.integers(0, len(run) - 1))
    end = data.draw(st.integers(start + 1, len(run)))
    assert found(text, run[start:end])


@given(words=st.lists(st.text(st.one_of(CJK, st.sampled_from("abcXY0123")), min_size=1, max_size=8), min_size=1))
def test_whole_words_and_the_start_of_the_last_find_the_text(words):
    text = " ".join(words)
    assert found(text, text)
    assert found(text, text.upper())
    assert found(text, " ".join(reversed(words)))  # in any order
    assert found(text, text[: max(1, len(text) - 1)])  # still typing


# ---------------------------------------------------------------- the list page


@pytest.fixture
def listed(new_matter, residents):
    ramp = new_matter(title=RAMP, location="3号楼门口")
    bench = new_matter(title=BENCH, description="夏天太晒，老人没处歇脚。", category="elderly", location="中心花园")
    light = new_matter(title=LIGHT, description="Path lighting for the evening walk.", location="河边步道")
    services.support(residents[0], bench)
    return {"ramp": ramp, "bench": bench, "light": light}


@pytest.fixture
def listed_once(request, app):
    """`listed`, built once for the queries below (tests/once_per_module.py)."""
    return once_per_module(request, lambda: request.getfixturevalue("listed"))


def shown(client, q, **filters):
    """The titles of the list page's cards for `q`, in page order."""
    response = client.get(BASE + "/", query_string={"q": q, **filters})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    titles = re.findall(r'class="card-title">\s*<a [^>]*>([^<]*)</a>', body)
    assert body.count('class="card matter-card"') == len(titles)
    return titles


@pytest.mark.parametrize(
    "q,expected",
    [
        ("坡", [RAMP]),  # one character
        ("坡道", [RAMP]),  # two
        ("无障碍", [RAMP]),  # three
        ("步道", [LIGHT]),  # the title
        ("河边", [LIGHT]),  # the location
        ("老人", [BENCH]),  # the description
        ("lighting", [LIGHT]),
        ("EVEN", [LIGHT]),  # a word's start, in any case
        ("3号楼 坡道", [RAMP]),  # mixed: every word must match
        ("坡道 3号楼", [RAMP]),
        ("加装", [RAMP]),
        ("门口", [RAMP]),
        ("道坡", []),  # both characters are there, not as written
        ("3号楼 座椅", []),
        ("4号楼", []),
        ("13号楼", []),
        ("电梯", []),
        ("ighting", []),
        ("！！", []),  # nothing to look for finds nothing
    ],
)
def test_the_list_finds_by_chinese_words_and_mixed_queries(client, listed_once, q, expected):
    assert shown(client, q) == expected


def test_results_keep_the_lists_order_and_filters(client, listed, new_matter):
    new_matter(title="花园小路加装路灯", description=PLAIN, category="safety", location="花园")
    assert shown(client, "花园") == ["花园小路加装路灯", BENCH]  # newest first, as the list orders
    assert shown(client, "加装") == ["花园小路加装路灯", RAMP]
    assert shown(client, "花园", category="elderly") == [BENCH]
    assert shown(client, "花园", sort="supported") == [BENCH, "花园小路加装路灯"]
    assert shown(client, "道", sort="supported") == [LIGHT, RAMP]  # 步道, 坡道: no supports, newest first


def test_rare_common_and_unknown_words_list_the_same_whichever_way_the_database_reads_the_matches(
    client, listed, new_matter, residents, monkeypatch
):
    gardens = [new_matter(title=f"花园第{i}处加装座椅", description=PLAIN, location="花园") for i in range(11)]
    services.support(residents[1], gardens[3])
    queries = {"坡道": 1, "花园": 12, "电梯": 0, "！！": 0}  # one match, two pages of them, none, nothing to look for
    seen = {}
    for few in (0, search.FEW):  # SQLite: walk the list in its order testing each row, or read the matches by id
        monkeypatch.setattr(search, "FEW", few)
        seen[few] = {
            (q, sort, page): shown(client, q, sort=sort, page=page)
            for q in queries
            for sort in ("newest", "supported")
            for page in (1, 2)
        }
    assert seen[0] == seen[search.FEW]
    for q, matches in queries.items():
        assert len(seen[0][q, "newest", 1]) + len(seen[0][q, "newest", 2]) == matches
    assert seen[0]["花园", "newest", 1][:2] == [gardens[10].title, gardens[9].title]
    assert seen[0]["花园", "supported", 1][:3] == [gardens[3].title, BENCH, gardens[10].title]  # supported once
    assert seen[0]["坡道", "newest", 1] == [RAMP]


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's query planner")
def test_sqlite_reads_a_rare_words_matches_by_id_and_a_common_words_in_the_lists_order(
    listed, community, proposer, monkeypatch
):
    def plan(q):
        sql = services.list_query(community, proposer, q=q).compile(db.engine, compile_kwargs={"literal_binds": True})
        return " ".join(row.detail for row in db.session.execute(db.text(f"EXPLAIN QUERY PLAN {sql}")))

    assert "USING INTEGER PRIMARY KEY" in plan("坡道") and "ix_micro_matter_list_newest" not in plan("坡道")
    monkeypatch.setattr(search, "FEW", 0)  # as if 坡道 were in every matter
    assert "ix_micro_matter_list_newest" in plan("坡道")


def test_an_edited_title_is_found_by_its_new_words_only(client, listed, proposer):
    ramp = listed["ramp"]
    login(client, proposer)
    response = client.post(
        f"{BASE}/{ramp.id}/edit", data=fields(title="3号楼入口加装电梯", description=PLAIN, location="3号楼", save="1")
    )
    assert response.status_code == 302
    assert shown(client, "电梯") == ["3号楼入口加装电梯"]
    assert shown(client, "坡道") == []
    # an edit that leaves the searched text alone leaves it found
    services.update_matter(proposer, listed["light"], **fields(title=LIGHT, location="河边步道", estimated_cost="9000"))
    assert shown(client, "河边") == [LIGHT]


def test_hidden_matters_and_other_peoples_drafts_are_not_found(client, listed, committee, new_matter, proposer):
    new_matter(submit=False, title="草稿：加装坡道扶手")
    moderation.hide_matter(committee, listed["light"], "与本小区无关")
    assert shown(client, "河边") == []
    assert shown(client, "坡道") == [RAMP]
    login(client, proposer)  # their own draft is in their list
    assert shown(client, "坡道扶手") == ["草稿：加装坡道扶手"]


def test_a_deleted_matter_leaves_nothing_behind_to_find(client, listed, new_matter):
    # Ids are used again after a delete (the tests' reset does this): the index must forget the old text.
    light_id = listed["light"].id
    db.session.execute(delete(MicroMatter).where(MicroMatter.id == light_id))
    db.session.commit()
    assert shown(client, "河边") == []
    again = new_matter(title="楼道堆物清理", description=PLAIN, location="各楼道")
    assert ON_POSTGRES or again.id == light_id  # SQLite gives the id out again
    assert shown(client, "河边") == []
    assert shown(client, "堆物") == ["楼道堆物清理"]


def load_migration():
    path = next((Path(__file__).parents[2] / "migrations" / "versions").glob("7b5793947ee7_*.py"))
    spec = importlib.util.spec_from_file_location("fts_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_fills_search_text_of_existing_rows_in_batches(client, listed, monkeypatch):
    migration = load_migration()
    monkeypatch.setattr(migration, "BATCH", 2)
    db.session.execute(update(MicroMatter).values(search_text=""))  # as the column is added
    db.session.commit()
    assert shown(client, "坡道") == []
    migration.backfill(db.session.connection())
    db.session.commit()
    assert shown(client, "坡道") == [RAMP] and shown(client, "老人") == [BENCH] and shown(client, "河边") == [LIGHT]
    for matter in listed.values():  # each by its whole title
        assert shown(client, matter.title) == [matter.title]
