"""Every user-facing message has a Chinese translation (Chinese is the default language)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import i18n  # noqa: E402


def test_every_message_is_translated_to_chinese():
    missing = i18n.missing_translations()
    assert not missing, "untranslated (run tools/i18n.py update FEATURE and fill msgstr):\n" + "\n".join(
        f"{feature}: {message}" for feature, message in missing[:50]
    )


def test_shared_messages_have_one_translation():
    """Catalogs merge at run time: a message translated two ways would show one of them everywhere."""
    clashes = i18n.conflicts()
    assert not clashes, "run tools/i18n.py unify:\n" + "\n".join(
        f"{msgid}: {by_feature}" for msgid, by_feature in list(clashes.items())[:30]
    )
