"""A guard on a whole blueprint: every page of it for signed-in people a predicate allows."""

from flask_login import current_user, login_required

from .errors import refuse


def guard_blueprint(blueprint, allowed, refusal):
    """Before each page of `blueprint`: a visitor signed out goes to the login page; a person for
    whom `allowed(user)` does not hold gets 403 with `refusal` (translated at the request)."""

    @blueprint.before_request
    @login_required
    def guard():
        if not allowed(current_user):
            refuse(403, str(refusal))
