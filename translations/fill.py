"""Fill English translations into translations/en from a Python dict file: python translations/fill.py FILE.

FILE defines T = {dutch_msgid: english, (singular, plural): (english_singular, english_plural)}.
Entries that already have a translation keep it unless FILE names them.
"""

import runpy
import sys

from babel.messages.pofile import read_po, write_po

PO = "translations/en/LC_MESSAGES/messages.po"

table = runpy.run_path(sys.argv[1])["T"]
with open(PO, "rb") as fh:
    catalog = read_po(fh)
missing = []
for message in catalog:
    if not message.id:
        continue
    if message.id in table:
        value = table[message.id]
        message.string = tuple(value) if isinstance(message.id, tuple) else value
        message.flags.discard("fuzzy")
    elif not (message.string if isinstance(message.string, str) else all(message.string)):
        missing.append(message.id)
with open(PO, "wb") as fh:
    write_po(fh, catalog, width=100)
for m in missing:
    print("untranslated:", m)
