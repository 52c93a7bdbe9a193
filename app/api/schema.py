"""One definition per resource of the open data API.

A `Resource` lists its `Field`s once; that single list builds the JSON Schema in
the OpenAPI document, serialises rows to JSON, flattens them into CSV columns and
yields the example shown on the documentation page. Tests validate responses
against the schema taken from the served document, so the two cannot drift.

    MATTER = Resource("Matter", "A micro-matter ...", [
        Field("id", "integer", minimum=1, example=7),
        community_field(),
        url_field(lambda m: path_for("matters.detail", slug=m.community.slug, matter_id=m.id)),
    ], load=[selectinload(MicroMatter.clarifications)])

The fields many resources share (the community's slug, a public page's address, a list of ids, an
entry made on a resident's behalf) and `PageLookup` (a value read from another table for a whole
page at once) are at the end; the audit log's head is in registry.py. Each family's
resources sit with its operations (communities.py, matters.py, councils.py, ...). A resource
publishes only what the public pages show: no resident is named (the package's rule, __init__.py).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum

from flask import g
from sqlalchemy import select

from app.core.spreadsheet import FORMULA_PREFIXES
from app.core.urls import absolute_url
from app.core.vocabulary import EntryChannel
from app.extensions import db

SCALAR_TYPES = {"integer", "number", "string", "boolean"}


def iso(value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat() + "Z"  # times are stored as naive UTC
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a JSON type: integer, number, string, boolean, array, object
    description: str = ""
    source: object = None  # attribute name, or callable(obj) -> value; default: `name`
    nullable: bool = False
    format: str | None = None  # date-time, date, uri-reference
    enum: tuple | None = None
    items: object = None  # array items: a Resource, or a scalar JSON type name
    resource: object = None  # object fields: the nested Resource
    minimum: int | None = None
    maximum: int | None = None
    example: object = None
    csv: bool = True  # False: left out of CSV downloads (lists of nested objects)
    schema: dict | None = None  # a literal JSON Schema for free-form values (passed through as they are)

    def read(self, obj):
        if callable(self.source):
            value = self.source(obj)
        elif isinstance(obj, dict):
            value = obj.get(self.source or self.name)
        else:
            value = getattr(obj, self.source or self.name)
        return self.convert(value)

    def convert(self, value):
        if value is None or self.schema is not None:
            return value
        if self.resource is not None:
            return self.resource.dump(value)
        if self.type == "array":
            if isinstance(self.items, Resource):
                return [self.items.dump(item) for item in value]
            return [self._scalar(item) for item in value]
        return self._scalar(value)

    def _scalar(self, value):
        if isinstance(value, Enum):
            value = value.value
        if self.format == "date-time" and isinstance(value, str):
            value = datetime.fromisoformat(value.removesuffix("Z"))  # ISO text kept in JSON snapshots
        value = iso(value)
        if self.type == "integer" and not isinstance(value, bool):
            return int(value)
        if self.type == "number":
            return float(value)
        if self.type == "string":
            return str(value)
        return value

    def json_schema(self):
        if self.schema is not None:
            schema = dict(self.schema)
        elif self.resource is not None:
            schema = {"$ref": self.resource.ref}
        elif self.type == "array":
            items = self.items.ref if isinstance(self.items, Resource) else None
            schema = {"type": "array", "items": {"$ref": items} if items else {"type": self.items}}
        else:
            schema = {"type": self.type}
            for key in ("format", "minimum", "maximum"):
                if getattr(self, key) is not None:
                    schema[key] = getattr(self, key)
            if self.enum is not None:
                schema["enum"] = list(self.enum)
        if self.nullable:
            if "$ref" in schema or "type" not in schema:
                schema = {"anyOf": [schema, {"type": "null"}]}
            else:
                schema["type"] = [schema["type"], "null"]
                if "enum" in schema:
                    schema["enum"] = [*schema["enum"], None]
        if self.description:
            schema["description"] = self.description
        return schema

    def example_value(self):
        if self.resource is not None:
            return self.resource.example()
        if self.type == "array" and isinstance(self.items, Resource):
            return [self.items.example()]
        return self.example

    # CSV: nested objects become prefixed columns, scalar lists are joined with ";".
    def csv_columns(self):
        if self.resource is not None:
            return [f"{self.name}_{column}" for column in self.resource.csv_columns()]
        return [self.name]

    def csv_cells(self, value):
        if self.resource is not None:
            return self.resource.csv_cells(value) if value is not None else [""] * len(self.csv_columns())
        if value is None:
            return [""]
        if isinstance(value, list):
            return [";".join(str(v) for v in value)]
        if isinstance(value, bool):
            return ["true" if value else "false"]
        if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            return ["'" + value]
        return [value]


class Resource:
    """A named object in the API, registered for the OpenAPI components."""

    registry: dict[str, "Resource"] = {}

    def __init__(self, name, description, fields, load=(), prepare=None):
        self.name = name
        self.description = description
        self.fields = list(fields)
        # Loader options for the relationships the fields read (nested resources' too), applied to
        # the lists' queries: a page loads them in a fixed number of statements, not one per row.
        self.load = tuple(load)
        # prepare(rows): reads at once, for a page (or a chunk of a CSV), what fields would
        # otherwise ask a service for row by row (kept for the request in flask.g).
        self.prepare = prepare
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate field in {name}")
        if name in Resource.registry:
            raise ValueError(f"resource {name} defined twice")
        Resource.registry[name] = self

    @property
    def ref(self):
        return f"#/components/schemas/{self.name}"

    def json_schema(self):
        return {
            "type": "object",
            "description": self.description,
            "properties": {f.name: f.json_schema() for f in self.fields},
            "required": [f.name for f in self.fields],
            "additionalProperties": False,
        }

    def dump(self, obj):
        return {f.name: f.read(obj) for f in self.fields}

    def dump_rows(self, rows):
        """Several rows: what they need is prepared once, then each is dumped."""
        if self.prepare is not None:
            self.prepare(rows)
        return [self.dump(row) for row in rows]

    def example(self):
        return {f.name: f.example_value() for f in self.fields}

    def nested(self):
        """Resources this one refers to (for the OpenAPI components)."""
        for f in self.fields:
            child = f.resource or (f.items if isinstance(f.items, Resource) else None)
            if child is not None:
                yield child
                yield from child.nested()

    def csv_columns(self):
        return [column for f in self.fields if f.csv for column in f.csv_columns()]

    def csv_cells(self, dumped):
        return [cell for f in self.fields if f.csv for cell in f.csv_cells(dumped.get(f.name))]

    def csv_rows(self, rows):
        return [self.csv_cells(dumped) for dumped in self.dump_rows(rows)]


# --- Fields many resources share ------------------------------------------------------------------


def community_field(description=""):
    """The slug of the community the row belongs to (through its `community` relationship)."""
    return Field("community", "string", description, source=lambda obj: obj.community.slug, example="xinglin")


def ids_field(name, description, source, example):
    """A list of row numbers (ids, or option numbers) read by `source(obj)`."""
    return Field(name, "array", description, items="integer", source=source, example=example)


def url_field(path_of, description="Address of the public page."):
    return Field(
        "url",
        "string",
        description,
        source=lambda obj: absolute_url(path_of(obj)),
        format="uri",
        example="https://weiyi.example/c/xinglin/",
    )


def on_behalf_fields(what):
    """代录: whether a committee member or grid worker entered `what` for the resident (app.onbehalf)
    and how they heard it, as the public pages show it; never who entered it."""
    return [
        Field(
            "entered_on_behalf",
            "boolean",
            f"The {what} was entered for the resident by a committee member or grid worker (代录), "
            "with the resident's agreement; false for the resident's own.",
            source=lambda obj: obj.on_behalf,
            example=False,
        ),
        Field(
            "channel",
            "string",
            f"How the {what} entered on behalf was received: paper form, phone call, home visit or "
            "suggestion box; null for the resident's own.",
            enum=tuple(c.value for c in EntryChannel),
            nullable=True,
            example=None,
        ),
    ]


class PageLookup:
    """`column` of the row each object points to by `key(obj)` (an id), e.g. an attachment's community
    slug: read for a whole page (or CSV chunk) in one statement by `prepare`, the resource's prepare,
    and kept for the request in flask.g; the lookup itself is the field's source."""

    def __init__(self, column, key):
        self.column = column
        self.key = key
        self.name = f"api_{column.class_.__name__}_{column.key}"

    def prepare(self, rows):
        model = self.column.class_
        ids = {self.key(row) for row in rows}
        values = db.session.execute(select(model.id, self.column).where(model.id.in_(ids))).all()
        setattr(g, self.name, dict(values))

    def __call__(self, obj):
        return getattr(g, self.name)[self.key(obj)]
