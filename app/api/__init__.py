"""The read-only open data API under /api/v1/, its OpenAPI document and its documentation page.

Only what the public pages show: no resident is named, no phone number, user name, e-mail or
address leaves through here. This holds for every module of the package; each module's docstring
says what its family leaves out."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The families in the order the document's pages list their operations (each registers as imported).
from . import routes  # noqa: E402,F401,I001  (the index first)
from . import communities, matters, notices, councils, voting, tracker  # noqa: E402,F401,I001
from . import attachments, committee_items, conventions, fund, partners  # noqa: E402,F401,I001


def init_app(app):
    app.register_blueprint(bp)
