"""Masking personal contact and identity numbers in free text (PIPL-minded).

Residents sometimes leave a phone number or an ID-card number in the open question
("请联系我 138 1234 5678").  The survey never asks for them, so nothing of the kind
should leave the system: :func:`mask_pii` is applied to every open answer in the
exports (CSV, XLSX, SPSS, the paged JSON API) and is meant for any other place that
shows open answers to people (dashboard, bulletins).

What is found, and how it is masked (the masked text keeps the shape, so a reader
still sees that a number was given, and which region or operator it was):

=====================  =====================================  =========================
kind                   recognised                             masked as
=====================  =====================================  =========================
mobile (mainland)      ``1[3-9]`` + 9 digits; spaces or       ``138****5678`` (first 3,
                       dashes as 3-4-4; ``+86``/``86``        last 4; a prefix is kept)
                       prefix
landline               ``0`` + 2-3 digit area code (in        ``0879-***3456`` (area
                       brackets or not), optional dash or     code and last 4)
                       space, 7-8 digit number
resident ID, 18        17 digits + digit or ``X`` with a      ``530802********1234``
                       valid ISO 7064 MOD 11-2 check digit    (first 6, last 4)
                       and a real birth date (1900-2099)
resident ID, 15 (old)  15 digits with a real ``YYMMDD``       ``530802*****1234``
                       birth date at digits 7-12
e-mail                 ``local@domain.tld``                   ``z***@example.com``
=====================  =====================================  =========================

Numbers are only taken whole: a run of digits longer than the pattern (an order
number, a bank card) is left alone, and an 18-digit run whose check digit or birth date
is wrong is not an ID.  Full-width digits (``１３８…``, typed by Chinese input methods)
count as digits.  Known limits, chosen on purpose: any 11-digit ``1[3-9]…`` number is
taken for a mobile, and any ``0``-led 10-12 digit number for a landline, because a
masked order number costs less than a leaked phone number.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["mask_pii"]

# Full-width digits, plus, hyphen, brackets and the ideographic space map one character to one,
# so positions found in the folded text are positions in the original.
_FOLD = str.maketrans(
    {
        **{0xFF10 + i: str(i) for i in range(10)},
        0xFF0B: "+",
        0xFF0D: "-",
        0xFF08: "(",
        0xFF09: ")",
        0x3000: " ",
    }
)
_QUICK = re.compile(r"[0-9\uff10-\uff19@]")  # nothing to mask without a digit or an @

_PATTERN = re.compile(
    r"""
    (?P<email>[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})
    | (?<![0-9A-Za-z])(?P<id18>[1-9][0-9]{16}[0-9Xx])(?![0-9A-Za-z])
    | (?<![0-9A-Za-z])(?P<id15>[1-9][0-9]{14})(?![0-9A-Za-z])
    | (?<![0-9+])(?P<mprefix>(?:\+86|86)[ -]?)?(?P<mobile>1[3-9][0-9](?P<sep>[ -]?)[0-9]{4}(?P=sep)[0-9]{4})(?![0-9])
    | (?<![0-9])(?P<area>0[0-9]{2,3})(?P<lsep>\)?[ -]?)(?P<local>[1-9][0-9]{6,7})(?![0-9])
    """,
    re.VERBOSE | re.ASCII,
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"  # ISO 7064 MOD 11-2 check character for sum % 11


def id18_valid(number: str) -> bool:
    """True when ``number`` (18 characters) has a real birth date and the right check digit.

    GB 11643-1999: the check character is ``_CHECK[sum(d_i * w_i) % 11]`` with
    ``w_i = 2**(17 - i) mod 11``; the birth date is digits 7-14 (``YYYYMMDD``).
    """
    if not _real_date(int(number[6:10]), number[10:12], number[12:14]):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17].upper()


def _real_date(year: int, month: str, day: str) -> bool:
    if not 1900 <= year <= 2099:
        return False
    try:
        date(year, int(month), int(day))
    except ValueError:
        return False
    return True


def _mask(match: re.Match[str], original: str) -> str:
    """The masked text for one match (sliced from ``original``, so full-width digits and
    the resident's separators are kept where they are shown)."""
    text = original[match.start() : match.end()]
    kind = match.lastgroup
    if kind == "email":
        at = text.index("@")
        return text[0] + "***" + text[at:]
    if kind == "id18":
        if not id18_valid(match.group("id18")):
            return text
        return text[:6] + "*" * 8 + text[-4:]
    if kind == "id15":
        digits = match.group("id15")
        if not _real_date(1900 + int(digits[6:8]), digits[8:10], digits[10:12]):
            return text
        return text[:6] + "*" * 5 + text[-4:]
    if match.group("mobile") is not None:
        prefix = len(match.group("mprefix") or "")
        number = text[prefix:]
        return text[:prefix] + number[:3] + "****" + number[-4:]
    area = len(match.group("area")) + len(match.group("lsep"))
    local = text[area:]
    return text[:area] + "*" * (len(local) - 4) + local[-4:]


def mask_pii(text: str) -> str:
    """``text`` with mobile and landline numbers, resident ID numbers and e-mail
    addresses masked (see the module docstring for the rules).

    Text without a digit or an ``@`` is returned as it is after one C-speed scan, so
    calling this on every open answer of a million-row export costs little.
    """
    if not text or _QUICK.search(text) is None:
        return text
    folded = text.translate(_FOLD)
    out: list[str] = []
    last = 0
    for match in _PATTERN.finditer(folded):
        out.append(text[last : match.start()])
        out.append(_mask(match, text))
        last = match.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)
