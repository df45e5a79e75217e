"""Bahasa Indonesia is the default locale: every string in the code must reach the `id` catalog, translated.

A string added to the code without going through `translations/translate.py` makes the committed .pot stale
and fails here, so an untranslated (English) label can never reach a citizen unnoticed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
HOW_TO_FIX = "add the Indonesian text with: .venv/bin/python translations/translate.py id /tmp/strings.json"


def _msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _read_po(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _msgids(catalog) -> set[str]:
    return {_msgid(m) for m in catalog if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """Extract the strings from the code now, with the same options as `make i18n-extract`."""
    output = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(output),
         "--no-location", "--sort-output", "--omit-header", "--no-wrap", "."],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )  # fmt: skip
    return _msgids(_read_po(output))


def test_the_committed_template_lists_exactly_the_strings_in_the_code(extracted):
    committed = _msgids(_read_po(POT))
    missing = sorted(extracted - committed)
    stale = sorted(committed - extracted)
    assert not missing, f"strings in the code but not in messages.pot ({HOW_TO_FIX}): {missing}"
    assert not stale, f"messages.pot lists strings no longer in the code (run `make i18n-update`): {stale}"


@pytest.mark.parametrize("language", ["id", "en"])
def test_each_catalog_is_merged_with_the_template(language):
    catalog = _read_po(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    assert _msgids(catalog) == _msgids(_read_po(POT)), f"the {language} catalog is not merged ({HOW_TO_FIX})"
    assert not catalog.fuzzy, f"the {language} catalog header is fuzzy; pybabel would skip compiling it"


def test_the_indonesian_catalog_has_no_untranslated_or_fuzzy_entries():
    catalog = _read_po(TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.po")
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s and s.strip() for s in strings):
            untranslated.append(_msgid(message))
        if message.fuzzy:
            fuzzy.append(_msgid(message))
    assert not untranslated, f"untranslated in id ({HOW_TO_FIX}): {untranslated}"
    assert not fuzzy, f"fuzzy (guessed) translations in id, review them: {fuzzy}"


def test_translations_keep_their_placeholders():
    """A translation that drops or renames %(name)s or {name} raises at runtime or shows the wrong value."""
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
    broken = []
    for message in _read_po(TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.po"):
        if not message.id or not message.string or message.pluralizable:
            continue  # plural forms may legitimately drop the count in the singular
        if sorted(placeholder.findall(message.string)) != sorted(placeholder.findall(message.id)):
            broken.append(message.id)
    assert not broken, f"placeholders differ between English and Indonesian: {broken}"


def test_the_compiled_indonesian_catalog_is_current():
    """`make test` compiles the catalogs first; a stale .mo would show old or English text in the tests."""
    mo = TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.mo"
    assert mo.exists(), "compile the catalogs first: make i18n-compile"
    with mo.open("rb") as f:
        compiled = {_msgid(m) for m in read_mo(f) if m.id}
    translated = {_msgid(m) for m in _read_po(mo.with_suffix(".po")) if m.id and m.string}
    assert translated <= compiled, (
        f"messages.mo is older than messages.po: run make i18n-compile ({translated - compiled})"
    )


GLOSSARY = TRANSLATIONS / "GLOSSARY.md"


def _avoided_words() -> list[str]:
    """The "Bukan" (avoid) column of translations/GLOSSARY.md; entries marked * have a second, correct use."""
    avoided = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[0] in ("English (msgid)", "---") or set(cells[0]) <= {"-"}:
            continue
        for word in cells[2].split(","):
            word = word.strip().strip('"').strip()
            if word and word != "—" and not word.endswith("*"):
                avoided.append(word)
    return avoided


def test_the_indonesian_catalog_follows_the_glossary():
    avoided = _avoided_words()
    assert {"peramban", "digit", "galat", "antrian"} <= set(avoided)
    offenders = []
    for message in _read_po(TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.po"):
        if not message.id:
            continue  # the catalog's header
        texts = [message.string] if isinstance(message.string, str) else list(message.string or [])
        for text in (re.sub(r"%\(\w+\)\w", "", text or "") for text in texts):
            for word in avoided:
                if re.search(rf"(?<![\w@.-]){re.escape(word)}(?![\w-])", text or "", re.IGNORECASE):
                    offenders.append(f"{_msgid(message)!r}: “{word}” in “{text}”")
    assert not offenders, "the id catalog uses words the glossary avoids:\n" + "\n".join(offenders)


def test_templates_follow_the_language_in_force_even_as_it_changes_within_a_request(app):
    """Templates remember the request's translations (app/i18n.py); a page or notice rendered inside
    ``force_locale`` (the offline page, a notice in the recipient's language) still gets its own language, and
    the request's own language again afterwards."""
    from flask_babel import force_locale, refresh

    template = app.jinja_env.from_string("{{ _('Overdue') }} {{ ngettext('%(num)d day', '%(num)d days', 2) }}")
    with app.test_request_context("/", headers={"Cookie": "bahasa=en"}):
        assert template.render().startswith("Overdue")
        with force_locale("id"):
            assert template.render().startswith("Terlambat")
        assert template.render().startswith("Overdue")
    with app.test_request_context("/"):
        assert template.render().startswith("Terlambat")
        with force_locale("en"):
            assert template.render().startswith("Overdue")
            with force_locale("id"):
                assert template.render().startswith("Terlambat")
            assert template.render().startswith("Overdue")
        refresh()
        assert template.render().startswith("Terlambat")
