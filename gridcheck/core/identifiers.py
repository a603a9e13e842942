"""Identifiers typed or pasted by people: account numbers, codes, meter and asset numbers, usernames.

A value copied from a spreadsheet, a web page or a chat can look like ``12345`` and still differ from it:
full-width digits (``１２３４５``), a zero-width space or joiner, a byte-order mark, a soft hyphen or a
non-breaking space. Stored as such, it makes a second customer that nobody can tell from the first.
So every identifier is normalised where it enters (import files, the API, the admin): Unicode NFKC
(full-width → ASCII, non-breaking → ordinary space), format characters (category Cf: zero-width, BOM,
soft hyphen, directional marks) removed, surrounding whitespace stripped. What remains must consist of
the allowed characters, or the value is refused with the offending characters named (invisible ones as
``U+XXXX``).
"""

import re
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: Codes and numbers: ASCII letters and digits, and - _ . / ( ) #.
CODE_RE = re.compile(r"[A-Za-z0-9_./()#-]+")
CODE_ALLOWED = "A-Z a-z 0-9 - _ . / ( ) #"
#: Usernames: what Django's ``UnicodeUsernameValidator`` accepts (letters, digits and @ . + - _).
USERNAME_RE = re.compile(r"[\w.@+-]+")
USERNAME_ALLOWED = gettext_lazy("letters, digits and @ . + - _")


class IdentifierError(ValueError):
    """An identifier that normalisation cannot save; the message (translated) says why."""


def normalize_identifier(value: str) -> str:
    """``value`` in NFKC, without format (zero-width, BOM, …) characters, stripped of whitespace."""
    text = unicodedata.normalize("NFKC", value)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.strip()


def _describe(ch: str) -> str:
    """``「号」(U+53F7)`` for a visible character; ``U+200B ZERO WIDTH SPACE`` for an invisible one."""
    code = f"U+{ord(ch):04X}"
    if ch.isprintable() and not ch.isspace() and not unicodedata.category(ch).startswith("M"):
        return f"「{ch}」({code})"
    name = unicodedata.name(ch, "")
    return f"{code} {name}" if name else code


def _disallowed(text: str, pattern: re.Pattern) -> list[str]:
    """The distinct characters of ``text`` that ``pattern`` does not allow, described for a person."""
    seen: list[str] = []
    for ch in text:
        if not pattern.fullmatch(ch) and ch not in seen:
            seen.append(ch)
    return [_describe(ch) for ch in seen]


def clean_identifier(value: str, pattern: re.Pattern = CODE_RE, allowed=CODE_ALLOWED) -> str:
    """The normalised ``value`` (see the module docstring); "" for an empty one.

    Raises :class:`IdentifierError` when ``value`` holds only invisible characters, or characters that
    ``pattern`` does not allow once normalised.
    """
    text = normalize_identifier(value)
    if not text:
        if value:
            raise IdentifierError(
                _("holds only invisible characters (%(chars)s)")
                % {"chars": "、".join(_disallowed(value, pattern))}
            )
        return ""
    bad = _disallowed(text, pattern)
    if bad:
        raise IdentifierError(
            _('"%(value)s" contains characters not allowed here: %(chars)s (allowed: %(allowed)s)')
            % {"value": text, "chars": "、".join(bad), "allowed": allowed}
        )
    return text
