"""Bring the Swedish catalogue in step with the code: add new message ids, drop unused ones.

Run: .venv/bin/python scripts/update_catalogue.py — then fill in the empty msgstr lines.
"""

from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from kraftsamling.web._i18n import catalogue_path, extract_messages


def main() -> None:
    path = catalogue_path("sv")
    with path.open("rb") as handle:
        old = read_po(handle, locale="sv")
    new = Catalog(locale="sv", domain="kraftsamling", project="Kraftsamling")
    for message_id in sorted(extract_messages()):
        existing = old.get(message_id)
        new.add(message_id, existing.string if existing is not None else "")
    with path.open("wb") as handle:
        write_po(handle, new, width=100, omit_header=False, sort_output=True)
    missing = [m.id for m in new if m.id and not m.string]
    print(f"{len(new)} meddelanden, {len(missing)} saknar svensk översättning.")
    for message_id in missing:
        print(f"  - {message_id}")


if __name__ == "__main__":
    main()
