"""What a free text in the public forms may hold, with a Danish message per field when it may not.

Single-line fields (names, addresses, e-mail, phone, references, interests, the contact adult's name
and organisation, the guardian's name) end up in email headers and greetings, in the consultants'
pages and in letters that carry the Red Cross name. They refuse anything that can break a line, hide
or reorder text, or carry a link: line breaks, control characters, zero-width and bidirectional
characters, and web addresses.

Multi-line fields (motivation, experience, wishes) are read only by Red Cross staff, on pages that
show them as escaped text and never in an email. They keep line breaks and tabs (a browser sends a
textarea's line breaks as CR LF; they are kept as LF), and an applicant may mention a website there
("I coach at www.klub.dk") because it is never turned into a link, and staff read it knowing who
wrote it. They still refuse control characters and the bidirectional controls that make what staff
read differ from what was written.
"""

from __future__ import annotations

import re
import unicodedata


class FieldError(ValueError):
    """One Danish message for one field."""


# A field named with its definite article, so each message says which field is wrong.
LABELS = {
    "first_name": "Fornavnet",
    "last_name": "Efternavnet",
    "email": "E-mailadressen",
    "phone": "Telefonnummeret",
    "address": "Adressen",
    "postcode": "Postnummeret",
    "city": "Bynavnet",
    "references": "Referencen",
    "interests": "Interessen",
    "contact_adult_name": "Navnet",
    "contact_adult_email": "E-mailadressen",
    "contact_adult_phone": "Telefonnummeret",
    "contact_adult_organisation": "Arbejdspladsens navn",
    "guardian_name": "Navnet",
    "motivation": "Teksten",
    "experience": "Teksten",
    "wishes": "Teksten",
}

# Characters that break a line in some reader: CR, LF, vertical tab, form feed, NEL and the
# Unicode line and paragraph separators.
LINE_BREAKS = frozenset("\r\n\x0b\x0c\x85\u2028\u2029")
# Bidirectional controls: they reorder the text around them ("Trojan Source").
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x061C))
# Zero-width and invisible characters: they hide text, or make two equal-looking names differ.
INVISIBLE = (
    frozenset(chr(c) for c in (*range(0x200B, 0x2010), *range(0x2060, 0x2065), 0xFEFF, 0x180E, 0x00AD)) | BIDI_CONTROLS
)
# Any scheme (https://, ftp://, javascript://), or an address starting with www.
URL = re.compile(r"\b[a-z][a-z0-9+.\-]*://|\bwww\.", re.IGNORECASE)
# In a person's name also a bare web address (eksempel.dk): mail programs turn it into a link.
# Initials ("H.C. Andersen") have one letter before the dot and pass.
BARE_DOMAIN = re.compile(r"[^\W_]{2,}\.[a-z]{2,}\b", re.IGNORECASE)
NAME_FIELDS = frozenset({"first_name", "last_name", "contact_adult_name", "guardian_name"})


def _label(field: str) -> str:
    return LABELS.get(field, "Feltet")


def _is_control(char: str) -> bool:
    # Cc: C0 and C1 controls (NUL, ESC, DEL, ...); Cs: a lone surrogate from a JSON escape
    return unicodedata.category(char) in ("Cc", "Cs")


def _invisible_message(field: str) -> str:
    return (
        f"{_label(field)} indeholder usynlige tegn, fx fra en kopieret tekst. "
        "Skriv det venligst selv i stedet for at sætte det ind."
    )


def _control_message(field: str) -> str:
    return (
        f"{_label(field)} indeholder et styretegn, som vi ikke kan gemme. "
        "Skriv det venligst selv i stedet for at sætte det ind."
    )


def single_line(value: str, field: str) -> str:
    """A one-line text: no line break, control, invisible character or link; FieldError otherwise."""
    if any(char in LINE_BREAKS for char in value):
        raise FieldError(f"{_label(field)} skal stå på én linje. Fjern linjeskiftet, og prøv igen.")
    if any(char in INVISIBLE for char in value):
        raise FieldError(_invisible_message(field))
    if any(_is_control(char) for char in value):  # a tab too: it has no place in a one-line field
        raise FieldError(_control_message(field))
    # compatibility forms too: a full-width "ｗｗｗ．" is a web address to a mail program
    folded = unicodedata.normalize("NFKC", value)
    if URL.search(folded) or (field in NAME_FIELDS and BARE_DOMAIN.search(folded)):
        raise FieldError(f"{_label(field)} må ikke indeholde links eller webadresser (som www.eksempel.dk).")
    return value


def multi_line(value: str, field: str) -> str:
    """A text of several lines: line breaks become LF and are kept with tabs; other controls and
    the bidirectional controls are refused (FieldError)."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    if any(char in BIDI_CONTROLS for char in text):
        raise FieldError(_invisible_message(field))
    if any(_is_control(char) and char not in "\n\t" for char in text):
        raise FieldError(_control_message(field))
    return text


def one_line(text: str) -> str:
    """Any text as one line, for an email header: each run of line breaks, controls and invisible
    characters becomes one space. A header can then never be split, whatever reaches it."""
    kept = "".join(" " if char in LINE_BREAKS or char in INVISIBLE or _is_control(char) else char for char in text)
    return re.sub(r" {2,}", " ", kept).strip()
