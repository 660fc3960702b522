"""Text helpers every stage shares: decoding bytes and normalising body text."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

_BOM = "\ufeff"
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode text of unknown encoding; never fails on the encoding.

    A declared charset (HTTP header, ``<meta charset>``) is tried first, then UTF-8,
    then detection. Latin-1 and Windows-1252 text, the usual culprits, decode by
    detection; as a last resort Windows-1252 with replacement characters.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    candidates = [declared] if declared else []
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace")
    return data.decode("cp1252", errors="replace")


def normalize_text(text: str) -> str:
    """Body text as every command gives it: one newline style, no stray outer space.

    Paragraphs stay apart (a blank line between them is kept as one blank line), so
    offsets computed on the result are stable from command to command.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip(_BOM)
    text = _TRAILING_SPACE.sub("\n", text)
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()


def looks_binary(data: bytes) -> bool:
    """True for bytes that are no kind of text (NUL bytes, or mostly control bytes)."""
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control / len(sample) > 0.05
