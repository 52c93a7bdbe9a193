from tests.councils.conftest import council  # noqa: F401  # the council fixture, shared
