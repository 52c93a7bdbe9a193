"""The OpenAPI 3.1 document, built from the registered operations and resources."""

from .registry import OPERATIONS

# The shape app.core.routes gives every error under /api/.
ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: the message (in the request's language) and the HTTP status.",
    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
    "required": ["error", "status"],
}
ERROR_REF = "#/components/schemas/Error"

META_SCHEMA = {
    "type": "object",
    "properties": {
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "total": {"type": "integer", "minimum": 0},
        "pages": {"type": "integer", "minimum": 0},
    },
    "required": ["page", "per_page", "total", "pages"],
    "additionalProperties": False,
}
LINKS_SCHEMA = {
    "type": "object",
    "description": "Links to pages of the same list, with the same filters.",
    "properties": {
        "self": {"type": "string", "format": "uri-reference"},
        "first": {"type": "string", "format": "uri-reference"},
        "last": {"type": "string", "format": "uri-reference"},
        "next": {"type": ["string", "null"], "format": "uri-reference"},
        "prev": {"type": ["string", "null"], "format": "uri-reference"},
    },
    "required": ["self", "first", "last", "next", "prev"],
    "additionalProperties": False,
}


# app.api.routes sets it on every response.
AUDIT_HEAD_HEADER = {
    "description": "The audit log's head when the response was made, COUNT:HASH (see the AuditHead schema).",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]+:[0-9a-f]{64}$"},
}


def page_schema_name(resource):
    return f"{resource.name}Page"


def page_schema(resource):
    return {
        "type": "object",
        "description": f"One page of {resource.name} objects.",
        "properties": {
            "items": {"type": "array", "items": {"$ref": resource.ref}},
            "meta": {"$ref": "#/components/schemas/PageMeta"},
            "links": {"$ref": "#/components/schemas/PageLinks"},
        },
        "required": ["items", "meta", "links"],
        "additionalProperties": False,
    }


def _error_response(description):
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}


def _success(operation):
    headers = {"Audit-Head": AUDIT_HEAD_HEADER}
    if operation.kind == "csv":
        return {
            "description": "CSV file, UTF-8 with a byte order mark; one row per item.",
            "headers": headers,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    if operation.kind == "page":
        ref = f"#/components/schemas/{page_schema_name(operation.resource)}"
        example = {
            "items": [operation.resource.example()],
            "meta": {"page": 1, "per_page": 50, "total": 1, "pages": 1},
            "links": {
                "self": operation.full_path + "?page=1&per_page=50",
                "first": operation.full_path + "?page=1&per_page=50",
                "last": operation.full_path + "?page=1&per_page=50",
                "next": None,
                "prev": None,
            },
        }
    else:
        ref = operation.resource.ref
        example = operation.resource.example()
    return {
        "description": "OK",
        "headers": headers,
        "content": {"application/json": {"schema": {"$ref": ref}, "example": example}},
    }


def example_response(operation):
    """The example shown on the documentation page (the one in the document)."""
    content = _success(operation)["content"]
    return content.get("application/json", {}).get("example")


def build_document():
    paths = {}
    schemas = {"Error": ERROR_SCHEMA, "PageMeta": META_SCHEMA, "PageLinks": LINKS_SCHEMA}
    for operation in OPERATIONS:
        responses = {"200": _success(operation)}
        if operation.query_params:
            responses["400"] = _error_response("A query parameter is malformed or out of range.")
        if operation.path_params:
            responses["404"] = _error_response("No such community or object.")
        paths.setdefault(operation.full_path, {})["get"] = {
            "operationId": operation.endpoint,
            "summary": operation.summary,
            "description": operation.description or operation.summary,
            "tags": [operation.tag],
            "parameters": [p.openapi() for p in operation.params],
            "responses": responses,
        }
        if operation.resource is not None:
            for resource in (operation.resource, *operation.resource.nested()):
                schemas[resource.name] = resource.json_schema()
            if operation.kind == "page":
                schemas[page_schema_name(operation.resource)] = page_schema(operation.resource)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Weiyi 微议 open data API",
            "version": "1.0.0",
            "description": (
                "Read-only public data of every community: micro-matters, agenda lists, meetings and "
                "locked minutes, resident voting rounds with anonymised ballots, implementation records, "
                "notices (公示). No personal data: residents are never named. Lists are paginated "
                "(page, per_page) and carry links; every list has a streamed CSV twin (path + .csv)."
            ),
        },
        "paths": paths,
        "components": {"schemas": dict(sorted(schemas.items()))},
    }
