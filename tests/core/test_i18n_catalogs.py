"""Every user-facing message has a Chinese translation (Chinese is the default language)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import i18n  # noqa: E402


def test_every_message_is_translated_to_chinese():
    missing = i18n.missing_translations()
    assert not missing, "untranslated (run tools/i18n.py update FEATURE and fill msgstr):\n" + "\n".join(
        f"{feature}: {message}" for feature, message in missing[:50])
