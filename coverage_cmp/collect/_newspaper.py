"""newspaper (4k or 3k, whichever is installed), loaded so that it stays offline and quiet.

Both versions provide the ``newspaper`` module. It is imported on first use (it is slow to
import), and newspaper4k's warning about a missing nltk is silenced: we never use its NLP.
"""

from __future__ import annotations

import warnings
from types import ModuleType

import tldextract

#: The public-suffix snapshot bundled with tldextract: no download, no disk cache.
OFFLINE_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def load_newspaper() -> ModuleType:
    """The ``newspaper`` module, with ``newspaper.source`` (``Source``, ``Category``) loaded."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="nltk is not installed")
        import newspaper
        import newspaper.source  # noqa: F401  (Category lives there in 3k and 4k)
    return newspaper


def use_offline_suffix_list() -> None:
    """Point tldextract's shared extractor, which newspaper's site code calls, at the snapshot.

    Left alone it downloads the Public Suffix List on first use: newspaper would open a
    socket of its own. The swap holds for the whole process (tldextract has no other hook).
    """
    module = tldextract.tldextract
    if module.TLD_EXTRACTOR is not OFFLINE_SUFFIXES:
        module.TLD_EXTRACTOR = OFFLINE_SUFFIXES
