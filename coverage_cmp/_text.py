"""Text helpers every stage shares: decoding bytes and normalising body text."""

from __future__ import annotations

import codecs
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
    return data.decode(detect_encoding(data[:200_000]), errors="replace")


def detect_encoding(sample: bytes) -> str:
    """The encoding of bytes that declare none, judged from (the start of) them.

    UTF-8 when it decodes (a sample may end mid-character); else charset-normalizer's
    guess, except that Windows-1252 wins a near tie.

    A few accented letters or a pound sign fit Central European and Mac code pages just
    as well (chaos within 0.1 of the best), and undeclared news copy in English is nearly
    always Western: "£5,000" must not come out as "Ł5,000".
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    matches = list(from_bytes(sample))
    if not matches:
        return "cp1252"
    least_chaos = min(match.chaos for match in matches)
    tied = {match.encoding for match in matches if match.chaos <= least_chaos + 0.1}
    for western in ("cp1252", "latin_1", "iso8859_15"):
        if western in tied:
            return western
    return matches[0].encoding


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
