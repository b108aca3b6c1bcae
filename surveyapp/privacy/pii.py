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
mobile (mainland)      ``1[3-9]`` + 9 digits, whole or        ``138****5678`` (first 3,
                       grouped 3-4-4, 7-4 or 3-8, or digit    last 4; a prefix is kept)
                       by digit with one separator;
                       ``+86``/``0086``/``86``/``(+86)``
                       prefix
landline               ``0`` + 2-3 digit area code (in        ``0879-***3456`` (area
                       brackets or not), optional separator,  code and last 4)
                       7-8 digit number, whole or 3-4/4-4
                       (grouped: not inside a longer
                       grouped number, such as a bank card)
resident ID, 18        17 digits + digit or ``X`` with a      ``530802********1234``
                       valid ISO 7064 MOD 11-2 check digit    (first 6, last 4)
                       and a real birth date (1900-2099),
                       whole or with separators anywhere
resident ID, 15 (old)  15 digits with a real ``YYMMDD``       ``530802*****1234``
                       birth date at digits 7-12
e-mail                 ``local@domain.tld``, also written     ``z***@example.com``
                       ``＠``, `` @ ``, ``[at]``, ``(at)``,   (first character, then
                       `` at ``, ``#``, ``艾特``, with dots   the rest from the "at")
                       as ``.``, ``[dot]``, `` dot ``, ``点``
=====================  =====================================  =========================

Separators are a space, a dot or a hyphen (full-width ones and the ideographic space
too).  A masked number is written without its separators.  Digits may be ASCII,
full-width (``１３８…``, typed by Chinese input methods) or Chinese numerals read out
digit by digit (``一三八一二三四五六七八``; ``〇``/``零``/``○`` for 0, ``幺`` for 1,
and the financial forms ``壹贰叁…``); the masked text keeps the resident's characters.

Numbers are only taken whole: a run of digits longer than the pattern (an order
number, a bank card) is left alone, and an 18-digit run whose check digit or birth date
is wrong is not an ID.  Ordinary numbers are left alone because no pattern fits them:
prices ("35元", "三十五元": ``十`` is no digit), dates ("2026年12月6日", "2026.12.06"),
times, counts, scores.  Known limits, chosen on purpose:

* any 11-digit ``1[3-9]…`` number is taken for a mobile, and any ``0``-led 10-12 digit
  number for a landline, because a masked order number costs less than a leaked phone
  number; for the same reason `` at `` between a word and a domain is taken for an
  e-mail address ("it at jd.com" shows as "i*** at jd.com");
* a 6-digit postcode (``665000``) is not masked: it names a town, not a person;
* a number in Chinese numerals is taken whole, so one followed at once by another
  numeral of the sentence ("一三八一二三四五六七八一定回电") is one digit too long and
  not masked (with ASCII digits, "13812345678一定" is masked);
* an old 15-digit ID is recognised without separators only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

__all__ = ["id18_valid", "mask_pii"]

# Every fold maps one character to one character, so positions found in the folded text
# are positions in the original.
_FOLD = str.maketrans(
    {
        **{0xFF10 + i: str(i) for i in range(10)},  # full-width digits
        **{0xFF21 + i: chr(0x41 + i) for i in range(26)},  # full-width A-Z
        **{0xFF41 + i: chr(0x61 + i) for i in range(26)},  # full-width a-z
        0xFF0B: "+",
        0xFF0D: "-",
        0x2010: "-",  # hyphen
        0x2012: "-",  # figure dash
        0x2013: "-",  # en dash
        0x2014: "-",  # em dash
        0xFF0E: ".",
        0x3002: ".",  # 。
        0xFF08: "(",
        0xFF09: ")",
        0xFF3B: "[",
        0xFF3D: "]",
        0x3010: "[",  # 【
        0x3011: "]",  # 】
        0xFF20: "@",
        0xFE6B: "@",  # small commercial at
        0xFF03: "#",
        0x3000: " ",
    }
)
#: Chinese numerals read out digit by digit, as in "幺三八…" or "壹叁捌…".
_HAN_DIGITS = {
    "〇": "0",
    "零": "0",
    "○": "0",
    "一": "1",
    "幺": "1",
    "壹": "1",
    "二": "2",
    "贰": "2",
    "三": "3",
    "叁": "3",
    "四": "4",
    "肆": "4",
    "五": "5",
    "伍": "5",
    "六": "6",
    "陆": "6",
    "七": "7",
    "柒": "7",
    "八": "8",
    "捌": "8",
    "九": "9",
    "玖": "9",
}
_FOLD_HAN = _FOLD | str.maketrans(_HAN_DIGITS)
_HAN = "".join(_HAN_DIGITS)

# What each kind needs in the text, looked for first (C-speed scans).  Most open answers
# have no character of _HINT at all and are returned after that one scan.
_HINT = re.compile(rf"[0-9\uff10-\uff19@\uff20\ufe6b#\uff03艾Aa\uff21\uff41{_HAN}]")
_HAS_DIGIT = re.compile(r"[0-9\uff10-\uff19]")
_HAS_HAN_NUMBER = re.compile(rf"[{_HAN}][ .\-\u3000\uff0e]?[{_HAN}]")
_HAS_AT = re.compile(
    r"[@\uff20\ufe6b#\uff03]|艾特|(?<![A-Za-z])[Aa\uff21\uff41][Tt\uff34\uff54](?![A-Za-z])"
)

_S = r"[ .\-]"  # one separator between digits (after folding)
_OPEN, _CLOSE = r"[\[(<{]", r"[\])>}]"
_AT = rf"(?:\s*[@#]\s*|\s*{_OPEN}\s*(?i:at)\s*{_CLOSE}\s*|\s+(?i:at)\s+|\s*艾特\s*)"
_DOT = rf"(?:\.|\s*{_OPEN}\s*(?i:dot)\s*{_CLOSE}\s*|\s+(?i:dot)\s+|\s*点\s*)"

#: One pattern per kind, in order of precedence: where two overlap, the first wins.
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.VERBOSE | re.ASCII))
    for kind, pattern in (
        (
            "email",
            rf"""[A-Za-z0-9][A-Za-z0-9._%+-]*(?P<at>{_AT})
                 [A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*{_DOT}[A-Za-z]{{2,}}""",
        ),
        ("id18", rf"(?<![0-9A-Za-z])[1-9](?:{_S}?[0-9]){{16}}{_S}?[0-9Xx](?![0-9A-Za-z])"),
        ("id15", r"(?<![0-9A-Za-z])[1-9][0-9]{14}(?![0-9A-Za-z])"),
        (
            "mobile",
            rf"""(?<![0-9+])(?P<prefix>(?:\(\+?86\)|\+86|0086|86){_S}?)?
                 (?:1[3-9][0-9](?:{_S}?[0-9]{{4}}){{2}}
                 | 1(?P<s>{_S})[3-9](?P=s)[0-9](?:(?P=s)[0-9]){{8}})
                 (?![0-9])""",
        ),
        ("landline", rf"(?<![0-9])(?P<area>0[0-9]{{2,3}}\)?{_S}?)[1-9][0-9]{{6,7}}(?![0-9])"),
        (  # 0879 212 3456: not a piece of a longer grouped number (a bank card)
            "landline",
            rf"""(?<![0-9])(?<![0-9]{_S})(?P<area>0[0-9]{{2,3}}\)?{_S}?)
                 [1-9][0-9]{{2,3}}{_S}[0-9]{{4}}(?![0-9])(?!{_S}[0-9])""",
        ),
    )
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


def _digit_positions(folded: str, start: int, end: int) -> list[int]:
    """Positions of the digits (and a final ``X``) of the number at ``start:end``."""
    return [i for i in range(start, end) if folded[i] in "0123456789Xx"]


def _masked_number(match: re.Match[str], kind: str, original: str) -> str | None:
    """The masked text of a number, or ``None`` when it is no ID after all."""
    folded = match.string
    start = match.start()
    if kind == "mobile":
        start = match.end("prefix") if match.group("prefix") else start
    elif kind == "landline":
        start = match.end("area")
    at = _digit_positions(folded, start, match.end())
    digits = "".join(folded[i] for i in at)
    keep = "".join(original[i] for i in at)
    head = original[match.start() : start]
    if kind == "id18":
        return keep[:6] + "*" * 8 + keep[-4:] if id18_valid(digits) else None
    if kind == "id15":
        real = _real_date(1900 + int(digits[6:8]), digits[8:10], digits[10:12])
        return keep[:6] + "*" * 5 + keep[-4:] if real else None
    if kind == "mobile":
        return head + keep[:3] + "****" + keep[-4:]
    return head + "*" * (len(keep) - 4) + keep[-4:]  # landline: area code kept


def _masked_email(match: re.Match[str], original: str) -> str:
    return original[match.start()] + "***" + original[match.start("at") : match.end()]


def _finds(folded: str, original: str, kinds: range) -> Iterator[tuple[int, int, int, str]]:
    """(precedence, start, end, masked text) of everything of ``kinds`` (positions in
    :data:`_KINDS`) to mask in ``folded``.

    A number that turns out to be no ID does not hide the numbers inside it: the search
    goes on one character further, not after it.
    """
    for rank in kinds:
        kind, pattern = _KINDS[rank]
        pos = 0
        while (match := pattern.search(folded, pos)) is not None:
            if kind == "email":
                masked: str | None = _masked_email(match, original)
            else:
                masked = _masked_number(match, kind, original)
            if masked is None:
                pos = match.start() + 1
                continue
            yield rank, match.start(), match.end(), masked
            pos = match.end()


def _pick(found: list[tuple[int, int, int, str]], taken: list[tuple[int, int, str]]) -> None:
    """Add to ``taken`` each find (best precedence first) that overlaps none taken."""
    for _, start, end, masked in sorted(found):
        if all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, masked))


def mask_pii(text: str) -> str:
    """``text`` with mobile and landline numbers, resident ID numbers and e-mail
    addresses masked (see the module docstring for the rules).

    Text without a digit, an "a" or a Chinese numeral is returned as it is after one
    C-speed scan (and text without a digit, an "at" or two numerals in a row after four),
    so calling this on every open answer of a million-row export costs little.  Numbers in Chinese numerals are looked for in a second pass (with
    the numerals read as digits), after those written in digits.
    """
    if not text or _HINT.search(text) is None:
        return text
    digits = _HAS_DIGIT.search(text) is not None
    numerals = _HAS_HAN_NUMBER.search(text) is not None
    at = _HAS_AT.search(text) is not None
    if not (digits or numerals or at):
        return text
    taken: list[tuple[int, int, str]] = []
    folded = text.translate(_FOLD)
    kinds = range(0 if at else 1, len(_KINDS) if digits else 1)
    _pick(list(_finds(folded, text, kinds)), taken)
    if numerals:
        han = text.translate(_FOLD_HAN)
        found = _finds(han, text, range(1, len(_KINDS)))
        _pick([f for f in found if han[f[1] : f[2]] != folded[f[1] : f[2]]], taken)
    if not taken:
        return text
    out: list[str] = []
    last = 0
    for start, end, masked in sorted(taken):
        out += (text[last:start], masked)
        last = end
    out.append(text[last:])
    return "".join(out)
