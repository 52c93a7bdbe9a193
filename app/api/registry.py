"""API operations: declared once, served, documented and tested from the same record.

    @collection("/communities/{slug}/matters", MATTER, summary=N_("..."), params=[...])
    def matters(slug, status):
        return select(MicroMatter)...          # a Select of rows the resource dumps

registers GET /api/v1/communities/<slug>/matters (paginated JSON), the streamed
CSV twin at .../matters.csv, and both operations in the OpenAPI document; with
`one=One("matter", MATTER_ID, N_("One micro-matter."))` also one of its rows by id
at .../matters/<matter_id>.
"""

import csv
import io
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Response, g, jsonify, request, stream_with_context, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.audit.services import head
from app.core.errors import refuse
from app.core.i18n import N_
from app.core.params import MAX_ID
from app.extensions import db

from . import bp
from .schema import Field, Resource

PREFIX = "/api/v1"
MAX_PAGE = 100_000
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
CSV_CHUNK = 64 * 1024
SLUG_PATTERN = "^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$"


@dataclass(frozen=True)
class Param:
    name: str
    location: str = "query"  # "path" or "query"
    type: str = "string"  # "string" or "integer"
    description: str = ""
    enum: tuple | None = None
    minimum: int | None = None
    maximum: int | None = None
    default: object = None
    pattern: str | None = None
    example: object = None

    def schema(self):
        schema = {"type": self.type}
        for key in ("enum", "minimum", "maximum", "default", "pattern"):
            value = getattr(self, key)
            if value is not None:
                schema[key] = list(value) if key == "enum" else value
        return schema

    def openapi(self):
        spec = {
            "name": self.name,
            "in": self.location,
            "required": self.location == "path",
            "description": self.description,
            "schema": self.schema(),
        }
        if self.example is not None:
            spec["example"] = self.example
        return spec

    def parse(self, raw):
        """A query value, checked against the declared schema; 400 when it does not fit."""
        if raw is None:
            return self.default
        if self.type == "integer":
            text = raw.strip()
            if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 12:
                refuse(400, _("The parameter “%(name)s” must be a whole number.", name=self.name))
            value = int(text)
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                refuse(
                    400,
                    _(
                        "The parameter “%(name)s” must be between %(low)s and %(high)s.",
                        name=self.name,
                        low=self.minimum,
                        high=self.maximum,
                    ),
                )
            return value
        if self.enum is not None and raw not in self.enum:
            refuse(
                400,
                _("The parameter “%(name)s” must be one of: %(values)s.", name=self.name, values=", ".join(self.enum)),
            )
        return raw


SLUG = Param("slug", "path", description="The community's web address (slug).", pattern=SLUG_PATTERN, example="xinglin")


def id_param(name, description):
    return Param(name, "path", "integer", description, minimum=1, maximum=MAX_ID, example=1)


def id_filter(name, description):
    """A query parameter keeping the rows that belong to one row of another list (by its id)."""
    return Param(name, type="integer", description=description, minimum=1, maximum=MAX_ID)


PAGE = Param("page", type="integer", description="Page number, from 1.", minimum=1, maximum=MAX_PAGE, default=1)
PER_PAGE = Param(
    "per_page", type="integer", description="Items per page.", minimum=1, maximum=MAX_PER_PAGE, default=DEFAULT_PER_PAGE
)


@dataclass
class Operation:
    path: str  # OpenAPI path template below /api/v1, e.g. /communities/{slug}
    endpoint: str
    kind: str  # "item", "page", "csv" or "index"
    resource: Resource | None
    summary: str  # an English msgid (translated on the docs page)
    tag: str
    params: list = field(default_factory=list)
    description: str = ""

    @property
    def full_path(self):
        return PREFIX + self.path

    @property
    def path_params(self):
        return [p for p in self.params if p.location == "path"]

    @property
    def query_params(self):
        return [p for p in self.params if p.location == "query"]

    def example_url(self):
        values = {p.name: p.example for p in self.path_params}
        return self.full_path.format(**values)


OPERATIONS: list[Operation] = []


def flask_rule(path, params):
    rule = path
    for p in params:
        if p.location != "path":
            continue
        converter = f"<int(min=1, max={MAX_ID}):{p.name}>" if p.type == "integer" else f"<{p.name}>"
        rule = rule.replace("{" + p.name + "}", converter)
    return rule


def _register(path, endpoint, view, params):
    for p in params:
        if p.location == "path" and "{" + p.name + "}" not in path:
            raise ValueError(f"{path}: path parameter {p.name} not in the path")
    bp.add_url_rule(flask_rule(path, params), endpoint, view, methods=["GET"])


def _query_values(params):
    return {p.name: p.parse(request.args.get(p.name)) for p in params if p.location == "query"}


def _links(endpoint, view_args, filters, page, pages, per_page):
    def link(number):
        args = {k: v for k, v in filters.items() if v is not None}
        args.update(page=number, per_page=per_page)
        return url_for(f"api.{endpoint}", **view_args) + "?" + urlencode(args)

    last = max(pages, 1)
    return {
        "self": link(page),
        "first": link(1),
        "last": link(last),
        "next": link(page + 1) if page < pages else None,
        "prev": link(min(page - 1, last)) if page > 1 else None,
    }


def request_head():
    """The audit log's head, read once per request (a GET writes nothing: it is the same for every row)."""
    if "api_audit_head" not in g:
        g.api_audit_head = head()
    return g.api_audit_head


def witnessed(response):
    """Every data response carries the audit log's head, so that any copy of it witnesses the log."""
    response.headers["Audit-Head"] = request_head().token
    return response


EXAMPLE_HASH = "3f1b9c0e7d2a" + "0" * 52
AUDIT_HEAD = Resource(
    "AuditHead",
    "The audit log's head when this response was made: keep a copy, and "
    "`flask --app wsgi audit verify --head COUNT:HASH` later shows whether the log still "
    "contains it (a rewritten or rolled-back log does not).",
    [
        Field("entries", "integer", "Entries in the log.", minimum=0, example=1234),
        Field(
            "hash",
            "string",
            "SHA-256 of the last entry (64 hex digits).",
            schema={"type": "string", "pattern": "^[0-9a-f]{64}$"},
            example=EXAMPLE_HASH,
        ),
        Field(
            "short",
            "string",
            "The hash's first 12 hex digits, as the pages print it.",
            schema={"type": "string", "pattern": "^[0-9a-f]{12}$"},
            example=EXAMPLE_HASH[:12],
        ),
        Field(
            "token",
            "string",
            "COUNT:HASH, as `audit verify --head` takes it.",
            schema={"type": "string", "pattern": "^[0-9]+:[0-9a-f]{64}$"},
            example=f"1234:{EXAMPLE_HASH}",
        ),
    ],
)
# Published records (index, rounds with their results, locked minutes, notices) carry it in the body;
# every API response also has it in the Audit-Head header (`witnessed`).
AUDIT_HEAD_FIELD = Field("audit_head", "object", resource=AUDIT_HEAD, source=lambda _obj: request_head(), csv=False)


def paginate(statement, resource, endpoint, view_args, filters, page, per_page):
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = -(-total // per_page)
    rows = db.session.scalars(statement.options(*resource.load).limit(per_page).offset((page - 1) * per_page)).all()
    return {
        "items": resource.dump_rows(rows),
        "meta": {"page": page, "per_page": per_page, "total": total, "pages": pages},
        "links": _links(endpoint, view_args, filters, page, pages, per_page),
    }


def csv_response(rows, columns, filename):
    """Stream `rows` (an iterator of cell lists) as UTF-8 CSV with a BOM, in chunks."""

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        buffer.write("\ufeff")  # Excel reads the file as UTF-8 (Chinese text) only with the BOM
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            if buffer.tell() >= CSV_CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def stream_rows(statement, resource, chunk=1000):
    """ORM rows read `chunk` at a time (yield_per), each chunk prepared and flattened by the resource."""
    result = db.session.scalars(statement.options(*resource.load).execution_options(yield_per=chunk))
    for rows in result.partitions():
        yield from resource.csv_rows(rows)


@dataclass(frozen=True)
class One:
    """A collection's item twin: one of its rows by id, at the collection's path + /{id}."""

    endpoint: str
    id: Param  # the row's path parameter (id_param)
    summary: str  # an English msgid, as Operation.summary


def collection(path, resource, *, summary, tag, params=(), csv=True, csv_rows=None, description="", one=None):
    """A paginated list (and, unless csv=False, its streamed CSV twin at `path`.csv).

    The view receives the path parameters and the declared query parameters and
    returns a Select. `csv_rows(statement)` may replace the default ORM row reader
    for large collections (it yields lists of cells in `resource.csv_columns()` order).
    `one` (a `One`) adds the item twin: the row with that id among those the unfiltered
    list selects, so a row is published on its own exactly when the list shows it.
    """
    params = list(params)

    def decorator(func):
        endpoint = func.__name__

        def page_view(**view_args):
            filters = _query_values(params)
            page = PAGE.parse(request.args.get("page"))
            per_page = PER_PAGE.parse(request.args.get("per_page"))
            statement = func(**view_args, **filters)
            return witnessed(jsonify(paginate(statement, resource, endpoint, view_args, filters, page, per_page)))

        page_params = [*params, PAGE, PER_PAGE]
        _register(path, endpoint, page_view, page_params)
        OPERATIONS.append(Operation(path, endpoint, "page", resource, summary, tag, page_params, description))
        if csv:

            def csv_view(**view_args):
                statement = func(**view_args, **_query_values(params))
                rows = csv_rows(statement) if csv_rows else stream_rows(statement, resource)
                name = "-".join(str(v) for v in view_args.values()) or "weiyi"
                return witnessed(csv_response(rows, resource.csv_columns(), f"{name}-{endpoint}.csv"))

            _register(path + ".csv", endpoint + "_csv", csv_view, params)
            OPERATIONS.append(
                Operation(
                    path + ".csv",
                    endpoint + "_csv",
                    "csv",
                    resource,
                    N_("The same list as CSV (UTF-8 with BOM), streamed."),
                    tag,
                    params,
                )
            )
        if one is not None:
            unfiltered = {p.name: p.default for p in params if p.location == "query"}

            def one_row(**view_args):
                row_id = view_args.pop(one.id.name)
                statement = func(**view_args, **unfiltered)
                model = statement.column_descriptions[0]["entity"]
                return db.session.scalar(statement.where(model.id == row_id))

            item_params = [*(p for p in params if p.location == "path"), one.id]
            _serve_item(f"{path}/{{{one.id.name}}}", one.endpoint, resource, one_row, one.summary, tag, item_params)
        return func

    return decorator


def _serve_item(path, endpoint, resource, find, summary, tag, params, description=""):
    """Registers GET `path`: `find` (given the path and query parameters) returns the object or None (404)."""

    def view(**view_args):
        obj = find(**view_args, **_query_values(params))
        if obj is None:
            refuse(404, _("Not found."))
        return witnessed(jsonify(resource.dump_rows([obj])[0]))

    _register(path, endpoint, view, params)
    OPERATIONS.append(Operation(path, endpoint, "item", resource, summary, tag, params, description))


def item(path, resource, *, summary, tag, params=(), description=""):
    """One object; the view returns it (dumped by the resource) or None for a 404."""

    def decorator(func):
        _serve_item(path, func.__name__, resource, func, summary, tag, list(params), description)
        return func

    return decorator
