"""Input that must never become a 500: every rule in the URL map, for every role, with hostile ids
in the path, hostile page numbers and query values, and forms full of hostile numbers and dates.

The ids and pages are read by one parser (app/core/params.py): ASCII digits, 1 ≤ n ≤ 2^31−1,
otherwise 404 (path), page 1 (query) or a form error. `str.isdigit()` accepts "²" and "١٢", and
20 digits overflow SQLite's INTEGER: each of these answered 500 somewhere before.
"""

import itertools
from datetime import date, datetime
from urllib.parse import quote, unquote, urlencode

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect, ValidationError
from wtforms import DateField, DateTimeLocalField
from wtforms.fields.core import UnboundField

from app.communities.models import Role
from app.core.params import MAX_ID, IdConverter, form_id, in_date_range, parse_id
from tests.helpers import login
from tests.security import test_authz_matrix as matrix
from tests.security.test_authz_matrix import WRITE_METHODS, rules
from tests.security.world import ROLES

HOSTILE_IDS = ("0", "-1", "2147483648", "9" * 20, "²", "١٢", "１", " 1", "1.0")
HOSTILE_NUMBERS = ("0", "-1", "2147483648", "9" * 20, "²", "١٢", "1e309", "NaN", "")
HOSTILE_DATES = ("0001-01-01", "9999-12-31", "0000-00-00", "10000-01-01", "1999-12-31")
# Query values views read (besides `page`): filters, sort orders, references to records.
QUERY_NAMES = (
    "page",
    "per_page",
    "ref",
    "kind",
    "since",
    "q",
    "sort",
    "status",
    "state",
    "stance",
    "category",
    "overdue",
    "mine",
    "code",
    "record_id",
    "matter_id",
    "round_id",
    "year",
)
# Field names read from request.form outside a FlaskForm (selectors and repeated ids).
EXTRA_FIELDS = ("action", "choice", "view", "mode", "direction", "stance", "option", "remove_photo", "remove-value")
world_snapshot, walker = matrix.world_snapshot, matrix.walker  # the matrix's world and clients
MARK = 1357911  # a stand-in id, replaced by the hostile text in the built URL
ASCII_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=12)
ANY_DIGITS = st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=6)


# ------------------------------------------------------------------ the parsers themselves


@given(st.one_of(ASCII_DIGITS, ANY_DIGITS, st.text(max_size=12), st.integers(), st.none(), st.booleans()))
@example("²")
@example("١٢")
@example(str(MAX_ID + 1))
def test_parse_id_is_exactly_an_ascii_id_in_range(value):
    parsed = parse_id(value)
    # leading zeros count as digits: an id is at most as many digits as MAX_ID has
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) <= len(str(MAX_ID))
        and 0 < int(value) <= MAX_ID
    ):
        assert parsed == int(value)
    elif isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        assert parsed == value
    else:
        assert parsed is None


@given(st.one_of(ASCII_DIGITS, ANY_DIGITS, st.text(max_size=12)))
def test_form_id_refuses_what_is_not_an_id(value):
    if parse_id(value) is None:
        with pytest.raises(ValueError):
            form_id(value)
    else:
        assert form_id(value) == int(value)


@given(ASCII_DIGITS)
def test_the_url_converter_takes_only_ids_in_range(text):
    converter = IdConverter(None)
    assert converter.regex == "[0-9]{1,10}"
    if len(text) > 10:
        return  # the rule's regex does not match: the path is not found
    if 0 < int(text) <= MAX_ID:
        assert converter.to_python(text) == int(text)
    else:
        with pytest.raises(ValidationError):
            converter.to_python(text)


def test_the_app_uses_the_bounded_converter(app):
    assert app.url_map.converters["int"] is IdConverter
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/c/x/meetings/12")[1]["meeting_id"] == 12
    assert adapter.match(f"/c/x/rules/v{MAX_ID}")[1]["version"] == MAX_ID
    assert adapter.match("/c/x/notices/007")[1]["notice_id"] == 7
    for path in ("/c/x/meetings/١٢", "/c/x/meetings/²", f"/c/x/notices/{'9' * 20}", f"/c/x/rules/v{MAX_ID + 1}"):
        with pytest.raises(NotFound):
            adapter.match(path)


@given(st.dates() | st.datetimes())
def test_dates_in_range_are_the_ones_the_app_can_compute_with(value):
    day = value.date() if isinstance(value, datetime) else value
    assert in_date_range(value) == (date(2000, 1, 1) <= day <= date(2100, 12, 31))


# ------------------------------------------------------------------ the walk


def send(walker, role, url, method="GET", data=None):
    walker.client.delete_cookie("session", domain="localhost")
    if role != "anonymous":
        walker.client.set_cookie("session", walker.sessions[role], domain="localhost")
    return walker.client.open(url, method=method, data=data, buffered=True)


def url_with(walker, rule, **override):
    """The rule's URL with the world's values (1 for a variable the world has none for)."""
    values = {**walker.snap.args, **walker.snap.endpoint_args.get(rule.endpoint, {}), **override}
    return walker.url_for(rule.endpoint, **{arg: values.get(arg, 1) for arg in rule.arguments})


def hostile_url(walker, rule, arg, value):
    """The rule's URL with the variable `arg` replaced by `value`; None for a fixed list of words
    (`any`): nothing else matches the rule."""
    try:
        url = url_with(walker, rule, **{arg: MARK})
    except ValueError:
        return None
    return url.replace(str(MARK), quote(value, safe=""), 1)


def routed(adapter, url, method):
    """Whether the URL map takes the URL to a rule (its view, or a redirect to it)."""
    try:
        adapter.match(unquote(url), method=method)
    except (NotFound, MethodNotAllowed):
        return False
    except RequestRedirect:
        return True
    return True


def loads_community_first(app, rule):
    """Whether the rule's `slug` is read by the community loader before any view runs
    (app/communities/scoping.py): a hostile slug then meets that one look-up, whatever the rule."""
    blueprint = rule.endpoint.rpartition(".")[0]
    return any(hook.__name__ == "_load_community" for hook in app.url_value_preprocessors.get(blueprint, ()))


def form_fields():
    """Every field of every form in the app, as (name, kind): "date", "datetime" or "number"."""
    fields = {name: "number" for name in EXTRA_FIELDS}
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        for klass in form_class.__mro__:
            for name, value in vars(klass).items():
                if isinstance(value, UnboundField):
                    kind = "number"
                    if issubclass(value.field_class, DateTimeLocalField):
                        kind = "datetime"
                    elif issubclass(value.field_class, DateField):
                        kind = "date"
                    fields.setdefault(name, kind)
    return fields


def hostile_form(fields, number, day, matter_id):
    data = {}
    for name, kind in fields.items():
        data[name] = {"date": day, "datetime": f"{day}T09:30", "number": number}[kind]
    data[f"cost-{matter_id}"] = number
    data[f"answer-{MARK}"] = number
    return data


@pytest.mark.slow
def test_hostile_values_in_paths_are_refused(walker):
    """Every variable of every rule with hostile ids, the roles taking turns: an id variable is
    turned away by the URL map (404, before any view runs), any other variable (slug, token, name)
    by its view, never with a 5xx.

    Every hostile value is tried against every variable; where no view reads the value, most of
    these tries need no request. An id: each value is matched against the URL map itself, and one
    value in turn (with a role in turn) is sent, which proves the refusal reaches the visitor as a
    404. A community's slug: one loader looks it up for every rule under /c/<slug>/ before the view
    runs (`loads_community_first`), so one value in turn per rule sends each value to that loader
    for a ninth of those rules. A variable a view reads itself (a token, a name, a slug outside
    /c/<slug>/) is sent every value."""
    app = walker.app
    adapter = app.url_map.bind("localhost")
    roles = itertools.cycle(ROLES)
    one_in_turn = itertools.cycle(itertools.product(range(len(HOSTILE_IDS)), ROLES))
    failures = []
    for rule in rules(app, {"GET"} | WRITE_METHODS):
        method = "GET" if "GET" in rule.methods else sorted(rule.methods & WRITE_METHODS)[0]
        for arg in sorted(rule.arguments):
            urls = [hostile_url(walker, rule, arg, value) for value in HOSTILE_IDS]
            if urls[0] is None:
                continue
            is_id = isinstance(rule._converters[arg], IdConverter)
            if is_id:
                failures += [f"{method} {url}: taken by the URL map" for url in urls if routed(adapter, url, method)]
            if is_id or (arg == "slug" and loads_community_first(app, rule)):
                value, role = next(one_in_turn)
                sends = [(urls[value], role)]
            else:
                sends = [(url, next(roles)) for url in urls]
            for url, role in sends:
                status = send(walker, role, url, method, {} if method != "GET" else None).status_code
                if status >= 500 or (is_id and status not in (404, 405)):
                    failures.append(f"{method} {url} as {role}: {status}")
    walker.rebuild()
    assert not failures, "hostile path values not refused:\n" + "\n".join(failures)


@pytest.mark.slow
@settings(
    max_examples=2,  # besides the explicit examples: one walk costs a few seconds
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    number=st.sampled_from(HOSTILE_NUMBERS) | st.integers(min_value=MAX_ID + 1).map(str) | ANY_DIGITS,
    day=st.sampled_from(HOSTILE_DATES),
    role=st.sampled_from(ROLES),
)
@example(number="²", day="0001-01-01", role="chair")
@example(number="9" * 20, day="9999-12-31", role="committee")
@example(number="١٢", day="0001-01-01", role="admin")
@example(number="2147483648", day="9999-12-31", role="council")
@example(number="-1", day="0001-01-01", role="proposer")
@example(number="0", day="10000-01-01", role="resident")
@example(number="²", day="0000-00-00", role="anonymous")
@example(number="9" * 20, day="0001-01-01", role="unverified")
@example(number="١٢", day="9999-12-31", role="other")
def test_no_hostile_input_answers_with_a_server_error(walker, number, day, role):
    """As one role, every GET rule with hostile query values (page and the filters views read) and
    every write rule with a form of hostile numbers and dates: never a 5xx. The explicit examples
    give every role a walk."""
    app, failures = walker.app, []
    data = hostile_form(form_fields(), number, day, walker.snap.args["matter_id"])

    def check(method, url, data=None):
        response = send(walker, role, url, method, data)
        if response.status_code >= 500:
            failures.append(f"{method} {url} as {role}: {response.status_code}")

    for rule in rules(app, {"GET"}):
        if rule.endpoint == "static":
            continue
        check("GET", f"{url_with(walker, rule)}?{urlencode(dict.fromkeys(QUERY_NAMES, number))}")
    for rule in rules(app, WRITE_METHODS):
        method = sorted(rule.methods & WRITE_METHODS)[0]
        check(method, url_with(walker, rule), data)
    walker.rebuild()
    assert not failures, "server errors:\n" + "\n".join(failures)


# ------------------------------------------------------------------ dates in the committee's forms


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T10:00"])
def test_a_meeting_or_round_in_an_impossible_year_is_a_form_error(client, make, when):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    login(client, committee)
    meeting = {"title": "第4次议事会", "starts_at": when, "place": "党群服务中心", "chair_id": committee.id}
    round_form = {"title": "2026年预算投票", "budget": "100000", "opens_at": when, "closes_at": "2026-06-01T10:00"}
    for path, data in (("meetings/new", meeting), ("rounds/new", round_form)):
        response = client.post(f"/c/{community.slug}/{path}", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 400), (path, response.status_code)
        assert "between 2000 and 2100" in html or "2000 年至 2100 年" in html, path
        assert data["title"] in html  # the form comes back as typed
