"""What a new password may be, and how strongly passwords are hashed.

`password_problem` is the one password rule: every place that sets a password (registration, profile,
reset, create-admin) asks it, through `services.set_new_password`. The common passwords are Django's
list (common-passwords.txt.gz; origin and licence in common-passwords.NOTICE.txt).
"""

import gzip
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")


@cache
def common_passwords():
    """The 20,000 most common passwords, lower case."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def password_problem(password, user_name="", phone=""):
    """Why `password` may not be chosen by the account `user_name` (with phone number `phone`), or None."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(count)s characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(count)s characters.", count=MAX_LENGTH)
    folded = password.strip().casefold()
    for own in (user_name, phone):
        own = (own or "").strip().casefold()
        if own and own in folded:
            return _l("The password must not contain your phone number or user name.")
    if folded in common_passwords():
        return _l("This is one of the most common passwords, which are guessed first. Choose another.")
    return None


def hash_password(password):
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def needs_rehash(password_hash):
    """True when the hash was made with other parameters than the configured ones (e.g. a weaker N)."""
    return _parameters(password_hash) != _parameters(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]))


def _parameters(password_hash):
    """The method and parameters of a werkzeug hash ("scrypt:131072:8:1"), however the configured
    method is spelt ("scrypt" alone means werkzeug's default parameters)."""
    return password_hash.split("$", 1)[0]


@cache
def _dummy_hash(method):
    return generate_password_hash("not a password of anyone", method=method)


def verify_nobody(password):
    """Spend the time a password check takes, for a user name that does not exist: the answer's
    timing must not tell which names (often phone numbers) are registered."""
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
    return False
