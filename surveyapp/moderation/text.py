"""What of a free text may be shown: one key per text, and its publishable form.

A person's text is published (after approval) in its publishable form only:

1. whitespace collapsed (:func:`normalise`), which is also what identifies a text —
   two answers that differ only in spacing are one text with one decision
   (:func:`text_key`, the SHA-256 of the normalised text);
2. phone, landline, resident-ID numbers and e-mail addresses masked by
   :func:`surveyapp.privacy.pii.mask_pii` — masked first, so no partial number survives;
3. links and contact details removed and replaced by ``[…]``: web addresses
   (``http://…``, ``www.…``, bare domains such as ``evil.example/claim``, also written
   with a full-width or ideographic full stop), the masked numbers and addresses of
   step 2, hotline numbers (``400``/``800``), and QQ, WeChat (微信, VX, WX) or
   Telegram handles;
4. cut to :data:`MAX_CHARS` characters.

A published text never carries a link or a way to contact its writer: an approved
text is shown as the evaluator saw it in the queue, in this form.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from surveyapp.privacy.pii import mask_pii

__all__ = ["MAX_CHARS", "Publishable", "normalise", "publishable", "text_key"]

#: The longest text shown, in characters (after masking and removing).
MAX_CHARS = 300
#: What a removed link or contact detail is replaced with.
REMOVED = "[…]"

_DOTS = str.maketrans({"。": ".", "．": ".", "｡": ".", "／": "/", "：": ":"})
_URL = re.compile(
    r"""(?ix)
    (?:[a-z][a-z0-9+.-]*://|www\.)[!-~]*       # scheme:// or www. and what follows
    | (?<![a-z0-9@*-])(?:[a-z0-9](?:[a-z0-9-]{0,62})\.)+[a-z]{2,24}(?![a-z0-9])
      (?::[0-9]{1,5})?(?:/[!-~]*)?              # a bare domain, port and path
    """,
    re.ASCII,
)
# a masked number or address of mask_pii: digits or letters around a run of "*"
_MASKED = re.compile(
    r"[+(（]?[0-9A-Za-z\uff10-\uff19〇零○一幺壹二贰三叁四肆五伍六陆七柒八捌九玖()（）.\-_%+]*"
    r"\*{3,}[0-9A-Za-z\uff10-\uff19〇零○一幺壹二贰三叁四肆五伍六陆七柒八捌九玖xX@.\-_\[\]()]*"
)
_HOTLINE = re.compile(r"(?<![0-9])[48]00[ \-]?[0-9]{3}[ \-]?[0-9]{4}(?![0-9])")
_HANDLE = re.compile(
    r"""(?ix)
    (?:qq|q\s*q|扣扣|微信|薇信|威信|v\s*x|w\s*x|vx号|wechat|telegram|tg|加\s*v|加微|飞机)
    \s*(?:号|群|号码|id)?\s*[:：]?\s*
    [a-z0-9_\-]{5,}
    """
)
_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"(?:\[…\]\s*){2,}")


@dataclass(frozen=True)
class Publishable:
    """The publishable form of a text and how many links or contact details it lost."""

    text: str
    removed: int


def normalise(text: str) -> str:
    """``text`` with runs of whitespace made one space and the ends trimmed."""
    return " ".join(text.split())


def text_key(text: str) -> str:
    """The key of a text's decision: the SHA-256 (hex) of its normalised form."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def publishable(text: str) -> Publishable:
    """``text`` masked, with links and contact details removed, at most
    :data:`MAX_CHARS` long (see the module docstring)."""
    out = mask_pii(normalise(text))
    removed = 0
    for pattern in (_URL, _HANDLE, _MASKED, _HOTLINE):
        # found in a copy with full-width stops and colons folded (one character for
        # one, so the positions hold), removed from the text as written
        spans = [m.span() for m in pattern.finditer(out.translate(_DOTS))]
        for start, end in reversed(spans):
            out = out[:start] + REMOVED + out[end:]
        removed += len(spans)
    if removed:
        out = _REPEATS.sub(REMOVED + " ", out)
        out = _SPACES.sub(" ", out).strip()
    return Publishable(out[:MAX_CHARS], removed)
