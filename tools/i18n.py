#!/usr/bin/env python3
"""Translation catalogs, one per feature package (app/<feature>/translations).

    python tools/i18n.py update FEATURE   extract app/FEATURE + templates/FEATURE, merge into zh_Hans
    python tools/i18n.py check            list every message without a Chinese translation
    python tools/i18n.py unify            one translation for a message several catalogs share
    python tools/i18n.py compile          build the .mo files the app loads

Message ids are English; zh_Hans is the default language. Root templates
(base.html, _forms.html) and errors belong to the `core` feature.
"""

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = "zh_Hans"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}
PY_MAP = [("**.py", "python")]
HTML_MAP = [("**.html", "jinja2.ext:babel_extract"), ("**.xml", "jinja2.ext:babel_extract")]


def features():
    return sorted(p.name for p in (ROOT / "app").iterdir() if p.is_dir() and (p / "__init__.py").exists())


def _sources(feature):
    yield ROOT / "app" / feature, PY_MAP
    templates = ROOT / "templates" / feature
    if templates.is_dir():
        yield templates, HTML_MAP
    if feature == "core":
        for path in (ROOT / "templates").glob("*.html"):
            yield path, None


def extract(feature):
    catalog = Catalog(locale=None, project="weiyi", charset="utf-8")
    for source, method_map in _sources(feature):
        if method_map is None:
            from babel.messages.extract import extract_from_file

            messages = (
                (source.name, *m) for m in extract_from_file("jinja2.ext:babel_extract", str(source), keywords=KEYWORDS)
            )
        else:
            messages = extract_from_dir(str(source), method_map, keywords=KEYWORDS)
        for filename, lineno, message, comments, context in messages:
            catalog.add(message, locations=[(str(filename), lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(feature):
    return ROOT / "app" / feature / "translations" / LOCALE / "LC_MESSAGES" / "messages.po"


def load_po(feature):
    path = po_path(feature)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=LOCALE)


def update(feature):
    template = extract(feature)
    if not len(template) and not po_path(feature).exists():
        return
    catalog = load_po(feature) or Catalog(locale=LOCALE, project="weiyi", charset="utf-8")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    path = po_path(feature)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, include_previous=False)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} untranslated")


def missing_translations():
    """(feature, msgid) for every extracted message without a usable zh_Hans translation."""
    problems = []
    for feature in features():
        template = extract(feature)
        catalog = load_po(feature)
        for message in template:
            if not message.id:
                continue
            translated = catalog.get(message.id, context=message.context) if catalog else None
            ok = (
                translated is not None
                and not translated.fuzzy
                and (all(translated.string) if isinstance(translated.string, tuple) else bool(translated.string))
            )
            if not ok:
                problems.append((feature, message.id if isinstance(message.id, str) else message.id[0]))
    return problems


def conflicts():
    """{msgid: {feature: translation}} for messages that catalogs translate differently.

    All catalogs are merged at run time, so one translation would silently win everywhere."""
    seen = {}
    for feature in features():
        catalog = load_po(feature)
        for message in catalog or ():
            if message.id and isinstance(message.id, str) and message.string and not message.context:
                seen.setdefault(message.id, {})[feature] = message.string
    return {msgid: by_feature for msgid, by_feature in seen.items() if len(set(by_feature.values())) > 1}


def unify():
    """Give every clashing message one translation: core's, else the most used one."""
    from collections import Counter

    chosen = {}
    for msgid, by_feature in conflicts().items():
        chosen[msgid] = by_feature.get("core") or Counter(by_feature.values()).most_common(1)[0][0]
    for feature in features():
        catalog = load_po(feature)
        if catalog is None:
            continue
        changed = False
        for message in catalog:
            if message.id in chosen and message.string != chosen[message.id]:
                message.string = chosen[message.id]
                changed = True
        if changed:
            with po_path(feature).open("wb") as handle:
                write_po(handle, catalog, width=0, include_previous=False)
    print(f"{len(chosen)} messages unified")


def compile_all():
    for feature in features():
        catalog = load_po(feature)
        if catalog is None:
            continue
        path = po_path(feature).with_suffix(".mo")
        with path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)


def main(argv):
    if len(argv) >= 2 and argv[0] == "update":
        for feature in argv[1:]:
            update(feature)
    elif argv == ["update-all"]:
        for feature in features():
            update(feature)
    elif argv == ["check"]:
        problems = missing_translations()
        for feature, message in problems:
            print(f"{feature}: {message!r}")
        print(f"{len(problems)} untranslated")
        return 1 if problems else 0
    elif argv == ["unify"]:
        unify()
    elif argv == ["compile"]:
        compile_all()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
