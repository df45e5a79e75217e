"""Add translations to a catalog safely while others edit the code: extract, update, apply, compile.

Usage: python translations/translate.py id my-strings.json
  my-strings.json maps English msgids to translations: {"Sign in": "Masuk", ...}
Runs under an exclusive file lock so that two people translating at once never overwrite each other.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main(language: str, strings_file: str) -> None:
    strings = json.loads(Path(strings_file).read_text(encoding="utf-8"))
    with open(ROOT / "translations" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(  # noqa: S603 — a fixed command line of this project
            ["make", "-s", "-C", str(ROOT), "i18n-update"],  # noqa: S607 — make from PATH, as a developer runs it
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        po_path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
        with po_path.open("rb") as f:
            catalog = read_po(f)
        catalog.fuzzy = False  # a fuzzy header makes pybabel skip the whole catalog
        catalog.project, catalog.version = "MPP Digital", "1"
        applied = 0
        for message in catalog:
            # A plural entry's id is a (singular, plural) tuple; it is looked up by its singular and takes a list
            # of forms: {"%(num)d file": ["%(num)d berkas", "%(num)d berkas"]}.
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if key and key in strings:
                value = strings[key]
                if isinstance(message.id, tuple):
                    forms = value if isinstance(value, list) else [value]
                    message.string = tuple(forms[min(i, len(forms) - 1)] for i in range(catalog.num_plurals))
                else:
                    message.string = value
                message.flags.discard("fuzzy")
                applied += 1
        with po_path.open("wb") as f:
            write_po(f, catalog, width=0, omit_header=False, no_location=True)
        subprocess.run(  # noqa: S603 — the venv's own pybabel
            [str(BIN / "pybabel"), "compile", "-d", str(ROOT / "translations")],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        untranslated = [
            m.id for m in catalog if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string)
        ]
    print(f"applied {applied} of {len(strings)}; {len(untranslated)} msgids still untranslated in {language}")
    for msgid in untranslated[:200]:
        print("  -", msgid if isinstance(msgid, str) else msgid[0])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
