"""A streaming writer of SPSS system files (``.sav``), compressed, UTF-8.

pyreadstat writes a ``.sav`` from one whole data frame, so a round is held in memory
at once; this writer takes the cases a block at a time and writes each block as it
comes, so memory does not grow with the number of cases.  It writes only what the
exports need, following the PSPP developers' description of the format ("System File
Format", https://www.gnu.org/software/pspp/pspp-dev/html_node/System-File-Format.html):

* the file header (``$FL2``, bytecode compression, bias 100; the case count is written
  as -1 and patched at the end when the file can seek);
* a variable record (type 2) per variable, with its label and up to three discrete
  user-missing values; a string wider than 8 bytes is followed by continuation records,
  one per further 8 bytes; a *very long* string (wider than 255 bytes) is written as
  segments of width 255 (the last one narrower), one segment for every 252 bytes of
  width, and listed in the very long string record (subtype 14);
* value labels (type 3 and 4 records) of numeric variables;
* the machine integer and floating-point info records (subtypes 3 and 4; character code
  65001, UTF-8), the variable display record (subtype 11: measurement level, width,
  alignment), the long variable names record (subtype 13), the character encoding
  record (subtype 20) and the dictionary termination record (type 999);
* the cases, compressed with the bytecode scheme: each 8-byte unit of a case gets one
  code in a block of eight; ``1``-``251`` is a whole number ``code - 100``, ``253`` means
  the unit follows uncompressed after the block, ``254`` is eight spaces, ``255`` is the
  system-missing value; ``0`` pads the last block.

Everything is little-endian.  A block of cases is encoded with a few numpy operations
(codes for all units at once, then the raw units and the code blocks interleaved), not
one Python call per value: a million survey responses take seconds.

Numbers are float64 (NaN is written as system-missing); strings are ``bytes`` or
``str`` (encoded as UTF-8), padded with spaces to the variable's width, and cut at a
character boundary if longer.  The string data of a very long string is packed 255
bytes per segment, as SPSS and ReadStat do.
"""

from __future__ import annotations

import io
import struct
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Literal

import numpy as np

__all__ = ["SavWriter", "Variable", "compress_units", "numeric_codes"]

BIAS = 100.0
SYSMIS = -sys.float_info.max
#: bytecodes of the compression scheme
CODE_PAD, CODE_END, CODE_RAW, CODE_SPACES, CODE_SYSMIS = 0, 252, 253, 254, 255
_SPACES = np.frombuffer(b" " * 8, dtype="<u8")[0]
#: width of a string segment, and how much of a very long string's width each segment carries
_SEGMENT_WIDTH, _SEGMENT_SHARE = 255, 252
_FORMATS = {"A": 1, "F": 5, "DATETIME": 22, "DATE": 20}
_MEASURES = {"unknown": 0, "nominal": 1, "ordinal": 2, "scale": 3}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CASES_OFFSET = 80  # of the case count in the file header


@dataclass(frozen=True)
class Variable:
    """One variable of the dictionary.

    ``width`` is 0 for a number, else the string's width in bytes (UTF-8).  ``format``
    is an SPSS print format such as ``"F8.0"``, ``"F8.1"`` or ``"DATETIME27.6"``
    (default ``F8.0`` for numbers, ``A<width>`` for strings).  ``missing`` are up to three
    discrete user-missing values of a number; ``value_labels`` map numbers to labels.
    """

    name: str
    label: str = ""
    width: int = 0
    format: str | None = None
    value_labels: Mapping[float, str] = field(default_factory=dict)
    missing: tuple[float, ...] = ()
    measure: Literal["unknown", "nominal", "ordinal", "scale"] = "unknown"

    def __post_init__(self) -> None:
        if not 0 <= self.width <= 32767:
            raise ValueError(f"{self.name}: a string's width is 1 to 32767 bytes, not {self.width}")
        if self.width and (self.missing or self.value_labels):
            raise ValueError(
                f"{self.name}: missing values and value labels are for numbers only here"
            )
        if len(self.missing) > 3:
            raise ValueError(f"{self.name}: at most 3 discrete missing values")
        if not self.name or len(self.name.encode("utf-8")) > 64:
            raise ValueError(f"variable name {self.name!r}: 1 to 64 bytes")

    @property
    def segments(self) -> list[int]:
        """The widths of the variable's segments: ``[0]`` for a number, one width up to 255
        for a string, several for a very long string."""
        if self.width <= _SEGMENT_WIDTH:
            return [self.width]
        n = (self.width + _SEGMENT_SHARE - 1) // _SEGMENT_SHARE
        return [_SEGMENT_WIDTH] * (n - 1) + [self.width - (n - 1) * _SEGMENT_SHARE]

    @property
    def units(self) -> int:
        """Number of 8-byte units of a case the variable takes."""
        return sum(max(1, (w + 7) // 8) for w in self.segments)


def _format_code(spec: str) -> int:
    letters = spec.rstrip("0123456789.")
    width, _, decimals = spec[len(letters) :].partition(".")
    return (_FORMATS[letters] << 16) | (int(width) << 8) | int(decimals or 0)


def _cut(text: bytes, size: int) -> bytes:
    """``text`` at most ``size`` bytes long, not cutting a UTF-8 character in two."""
    if len(text) <= size:
        return text
    return text[:size].decode("utf-8", "ignore").encode("utf-8")


def _padded(text: str, size: int, pad: bytes = b" ") -> bytes:
    raw = _cut(text.encode("utf-8"), size)
    return raw + pad * (size - len(raw))


def compress_units(units: np.ndarray, codes: np.ndarray) -> tuple[bytes, np.ndarray, np.ndarray]:
    """Interleave the bytecode blocks and the raw units of a stream of 8-byte units.

    ``units`` (uint64) and ``codes`` (uint8) are flat and of the same length; a unit is
    written raw after its block when its code is 253.  Only whole blocks of eight codes
    are written: returns the bytes and the leftover units and codes (fewer than 8), to
    be put in front of the next call's (or padded with code 0 at the end of the file).
    """
    whole = len(codes) // 8 * 8
    c, u = codes[:whole], units[:whole]
    raw = c == CODE_RAW
    blocks = whole // 8
    out = np.empty(blocks + int(raw.sum()), dtype="<u8")
    per_block = raw.reshape(blocks, 8).sum(axis=1)
    # block b's codes go after the b earlier code blocks and the raw units of those blocks;
    # the k-th raw unit, in block b, after b + 1 code blocks and the k earlier raw units
    out[np.arange(blocks) + np.cumsum(per_block) - per_block] = np.ascontiguousarray(c).view("<u8")
    where = np.flatnonzero(raw)
    out[where // 8 + 1 + np.arange(len(where))] = u[where]
    return out.tobytes(), units[whole:].copy(), codes[whole:].copy()


def numeric_codes(values: np.ndarray) -> np.ndarray:
    """Bytecodes of float64 ``values``: ``v + 100`` for whole numbers -99..151, 255 for NaN
    (system-missing), else 253 (written raw)."""
    codes = np.full(values.shape, CODE_RAW, dtype=np.uint8)
    small = (values >= -99) & (values <= 151) & (values == np.floor(values))
    codes[small] = (values[small] + BIAS).astype(np.uint8)
    codes[np.isnan(values)] = CODE_SYSMIS
    return codes


class SavWriter:
    """Write a compressed ``.sav`` to the binary file ``fh``, a block of cases at a time.

    The dictionary is written at once; :meth:`write` takes a block of cases as one
    column per variable (float64 arrays for numbers, sequences of ``str`` or ``bytes`` for
    strings, all of the same length); :meth:`close` ends the data and, when ``fh`` can
    seek, puts the number of cases in the header (otherwise it stays -1, "unknown",
    which readers accept).  Usable as a context manager; ``fh`` is not closed.
    """

    def __init__(
        self,
        fh: BinaryIO | io.RawIOBase,
        variables: Sequence[Variable],
        file_label: str = "",
        now: time.struct_time | None = None,
    ) -> None:
        names = [v.name.upper() for v in variables]
        if len(set(names)) != len(names):
            raise ValueError("variable names must be unique (SPSS ignores case)")
        self.fh, self.variables = fh, list(variables)
        self.cases = 0
        self._start = fh.tell() if fh.seekable() else None
        self._pending_units = np.empty(0, dtype="<u8")
        self._pending_codes = np.empty(0, dtype=np.uint8)
        # unit offsets of each variable in a case
        self._offsets: list[int] = []
        total = 0
        for v in self.variables:
            self._offsets.append(total)
            total += v.units
        self._width = total
        fh.write(self._dictionary(file_label, now or time.gmtime()))

    # --- dictionary ---------------------------------------------------------------------

    def _dictionary(self, file_label: str, now: time.struct_time) -> bytes:
        out = [
            struct.pack(
                "<4s60siiiiid9s8s64s3x",
                b"$FL2",
                _padded("@(#) SPSS DATA FILE surveyapp", 60),
                2,
                self._width,
                1,
                0,
                -1,
                BIAS,
                f"{now.tm_mday:02d} {_MONTHS[now.tm_mon - 1]} {now.tm_year % 100:02d}".encode(),
                time.strftime("%H:%M:%S", now).encode(),
                _padded(file_label, 64),
            )
        ]
        long_names, very_long, display = [], [], []
        serial = 0
        index = 1  # dictionary index (1-based, in 8-byte units) of each variable
        labels_at: list[tuple[int, Variable]] = []
        for v in self.variables:
            for s, width in enumerate(v.segments):
                serial += 1
                name = f"V{serial}"
                if s == 0:
                    long_names.append(f"{name}={v.name}")
                    if v.width > _SEGMENT_WIDTH:
                        very_long.append(f"{name}={v.width:05d}\0\t")
                out.append(self._variable_record(v, name, width, first=s == 0))
                continuations = max(1, (width + 7) // 8) - 1  # one per further 8 bytes of a string
                out += [struct.pack("<iiiiii8s", 2, -1, 0, 0, 0, 0, b" " * 8)] * continuations
                display.append((_MEASURES[v.measure], 8, 0 if v.width else 1))
            if v.value_labels:
                labels_at.append((index, v))
            index += v.units
        for at, v in labels_at:
            out.append(struct.pack("<ii", 3, len(v.value_labels)))
            for value, label in v.value_labels.items():
                text = _cut(label.encode("utf-8"), 255)
                size = (len(text) + 1 + 7) // 8 * 8 - 1
                out.append(
                    struct.pack("<dB", float(value), len(text)) + text + b" " * (size - len(text))
                )
            out.append(struct.pack("<iii", 4, 1, at))
        out.append(self._extension(3, 4, struct.pack("<8i", 1, 0, 0, -1, 1, 1, 2, 65001)))
        out.append(
            self._extension(
                4,
                8,
                struct.pack(
                    "<3d", SYSMIS, sys.float_info.max, np.nextafter(-sys.float_info.max, 0.0)
                ),
            )
        )
        out.append(self._extension(11, 4, b"".join(struct.pack("<3i", *d) for d in display)))
        out.append(self._extension(13, 1, "\t".join(long_names).encode("utf-8")))
        if very_long:
            out.append(self._extension(14, 1, "".join(very_long).encode("utf-8")))
        out.append(self._extension(20, 1, b"UTF-8"))
        out.append(struct.pack("<ii", 999, 0))
        return b"".join(out)

    @staticmethod
    def _variable_record(v: Variable, short: str, width: int, first: bool) -> bytes:
        """The type 2 record of one segment (the whole variable unless a very long string)."""
        if not v.width:
            spec = v.format or "F8.0"
        elif v.width <= _SEGMENT_WIDTH:
            spec = v.format or f"A{width}"
        else:
            spec = f"A{width}"
        code = _format_code(spec)
        label = _cut(v.label.encode("utf-8"), 255) if first else b""
        head = struct.pack(
            "<iiiiii8s",
            2,
            width,
            1 if label else 0,
            len(v.missing) if first else 0,
            code,
            code,
            _padded(short, 8),
        )
        if label:
            head += struct.pack("<i", len(label)) + label + b" " * (-len(label) % 4)
        if first and v.missing:
            head += struct.pack(f"<{len(v.missing)}d", *v.missing)
        return head

    @staticmethod
    def _extension(subtype: int, size: int, data: bytes) -> bytes:
        return struct.pack("<iiii", 7, subtype, size, len(data) // size) + data

    # --- cases ---------------------------------------------------------------------------

    def write(self, columns: Sequence[np.ndarray | Sequence[str] | Sequence[bytes]]) -> None:
        """Append a block of cases: one column per variable, in the dictionary's order."""
        if len(columns) != len(self.variables):
            raise ValueError(f"{len(columns)} columns for {len(self.variables)} variables")
        n = len(columns[0]) if columns else 0
        if n == 0:
            return
        units = np.empty((n, self._width), dtype="<u8")
        codes = np.empty((n, self._width), dtype=np.uint8)
        for v, at, column in zip(self.variables, self._offsets, columns, strict=True):
            if len(column) != n:
                raise ValueError(f"{v.name}: {len(column)} values in a block of {n} cases")
            if not v.width:
                values = np.asarray(column, dtype=np.float64)
                codes[:, at] = numeric_codes(values)
                units[:, at] = values.view("<u8")
            else:
                block = self._string_units(v, column)
                units[:, at : at + v.units] = block
                codes[:, at : at + v.units] = np.where(block == _SPACES, CODE_SPACES, CODE_RAW)
        self._emit(units.reshape(-1), codes.reshape(-1))
        self.cases += n

    @staticmethod
    def _string_units(
        v: Variable, column: Sequence[str] | Sequence[bytes] | np.ndarray
    ) -> np.ndarray:
        """The strings of ``column`` laid out in the variable's units, space padded."""
        width = v.width
        raw = [_cut(s.encode("utf-8") if isinstance(s, str) else s, width) for s in column]
        segments = v.segments
        share = _SEGMENT_WIDTH if len(segments) > 1 else width
        text = np.array(raw, dtype=f"S{len(segments) * share}").view(np.uint8).reshape(len(raw), -1)
        text = np.where(text == 0, np.uint8(32), text)  # numpy pads with NULs; SPSS with spaces
        if len(segments) == 1:
            out = np.full((len(raw), v.units * 8), 32, dtype=np.uint8)
            out[:, :width] = text
        else:
            out = np.full((len(raw), v.units * 8), 32, dtype=np.uint8)
            for s, seg in enumerate(segments):  # 255 bytes of text in each segment's 256
                out[:, s * 256 : s * 256 + min(seg, share)] = text[
                    :, s * share : s * share + min(seg, share)
                ]
        return out.view("<u8")

    def _emit(self, units: np.ndarray, codes: np.ndarray) -> None:
        if len(self._pending_codes):
            units = np.concatenate([self._pending_units, units])
            codes = np.concatenate([self._pending_codes, codes])
        data, self._pending_units, self._pending_codes = compress_units(units, codes)
        self.fh.write(data)

    def close(self) -> None:
        """Write the last, zero-padded block and the case count (when ``fh`` can seek)."""
        pad = -len(self._pending_codes) % 8
        if len(self._pending_codes):
            self._emit(np.zeros(pad, dtype="<u8"), np.full(pad, CODE_PAD, dtype=np.uint8))
        if self._start is not None:
            end = self.fh.tell()
            self.fh.seek(self._start + _CASES_OFFSET)
            self.fh.write(struct.pack("<i", min(self.cases, 2**31 - 1)))
            self.fh.seek(end)

    def __enter__(self) -> SavWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
