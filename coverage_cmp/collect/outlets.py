"""Who published an article: outlet name, scope and region from its URL or site name.

``OutletDirectory.load()`` reads the shipped ``coverage_cmp/data/outlets.toml`` and then an
optional user file of the same shape, whose entries win. ``lookup`` tries, in order:

1. the URL's host against the mapped domains, the longest match first, so
   ``news.bbc.co.uk`` finds ``bbc.co.uk`` and ``www.cambs.police.uk`` finds
   ``cambs.police.uk`` before the ``police.uk`` family;
2. the page's site name (``og:site_name``, an export's outlet column) against the mapped
   names, case-insensitively;
3. the site name as given, else the registered domain (public-suffix rules from the list
   tldextract ships; nothing is downloaded).

User entries are tried (by domain, then by name) before the shipped ones.

Example:
    >>> OutletDirectory.load().lookup("https://news.bbc.co.uk/1/hi/uk/1.stm").name
    'BBC News'
"""

from __future__ import annotations

import ipaddress
import logging
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tldextract

from coverage_cmp.errors import SettingsError
from coverage_cmp.model import SCOPES, Outlet

__all__ = ["OutletDirectory"]

log = logging.getLogger(__name__)

# The public-suffix snapshot bundled with tldextract: no download, no disk cache.
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_ENTRY_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*outlet[ \t]*\]\]", re.MULTILINE)
_KEYS = {"name", "domain", "domains", "site_name", "site_names", "scope", "region"}


@dataclass(frozen=True)
class _Entry:
    """One ``[[outlet]]`` of a file; without a name it only sets scope and region."""

    name: str | None
    domains: tuple[str, ...]
    site_names: tuple[str, ...]
    scope: str
    region: str | None


@dataclass
class _Layer:
    """The entries of one file, indexed by domain and by folded site name."""

    by_domain: dict[str, _Entry] = field(default_factory=dict)
    by_name: dict[str, _Entry] = field(default_factory=dict)

    def add(self, entry: _Entry) -> None:
        for domain in entry.domains:
            self.by_domain[domain] = entry
        names = (entry.name, *entry.site_names) if entry.name else entry.site_names
        for name in names:
            self.by_name[_fold(name)] = entry


class OutletDirectory:
    """Maps URLs and site names to ``Outlet`` records.

    Build it with ``OutletDirectory.load(user_file)``; it is read-only afterwards and
    safe to share between threads and to pickle for worker processes.
    """

    def __init__(self, layers: list[_Layer]) -> None:
        self._layers = layers
        """Most important first: the user file, then the shipped file."""

    @classmethod
    def load(cls, path: str | Path | None = None) -> OutletDirectory:
        """The shipped directory, overridden by the user's ``outlets.toml`` if given.

        Raises:
            SettingsError: the user file is missing, is not TOML, or has a bad entry
                (the message names the file and line).
        """
        shipped = resources.files("coverage_cmp").joinpath("data/outlets.toml")
        layers = [_parse(shipped.read_text(encoding="utf-8"), "outlets.toml (shipped)")]
        if path is not None:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise SettingsError(f"{path}: cannot read outlets file ({_reason(exc)})") from exc
            layers.insert(0, _parse(text, str(path)))
        return cls(layers)

    def lookup(self, url: str | None, site_name: str | None = None) -> Outlet | None:
        """The outlet that published the page at ``url`` calling itself ``site_name``.

        Args:
            url: the page's canonical or fetched URL, if known.
            site_name: the name the page or export gives its publisher, if any.

        Returns:
            The mapped outlet; else one named after the site name or the registered
            domain, else the URL's address (scope ``other`` unless a domain family such
            as ``police.uk`` sets one); None only when there is neither a URL with a
            host nor a site name.
        """
        host = _host(url)
        site_name = " ".join(site_name.split()) if site_name else None
        family: _Entry | None = None
        for layer in self._layers:
            by_host = _match_host(layer, host) if host else None
            by_name = layer.by_name.get(_fold(site_name)) if site_name else None
            for entry in (by_host, by_name):
                if entry is not None and entry.name:
                    domain = _registered_domain(host) or next(iter(entry.domains), None)
                    return Outlet(name=entry.name, domain=domain, scope=entry.scope,
                                  region=entry.region)
            family = family or by_host or by_name
        domain = _registered_domain(host) or None
        name = site_name or domain or _netloc(url)
        if not name:
            return None
        if family is None:
            return Outlet(name=name, domain=domain)
        return Outlet(name=name, domain=domain, scope=family.scope, region=family.region)


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _host(url: str | None) -> str | None:
    """The URL's host name, lower case and without ``www.``; None for IPs and localhost."""
    if not url:
        return None
    if "://" not in url:
        url = "//" + url
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host or host == "localhost" or "." not in host:
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return None
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _netloc(url: str | None) -> str | None:
    """``127.0.0.1:8000`` for a URL on an address or ``localhost``, so it still has a name."""
    if not url:
        return None
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return None
    return netloc.rpartition("@")[2] or None


def _match_host(layer: _Layer, host: str) -> _Entry | None:
    """The entry of the longest mapped domain that is ``host`` or a parent of it."""
    labels = host.split(".")
    for i in range(len(labels) - 1):
        entry = layer.by_domain.get(".".join(labels[i:]))
        if entry is not None:
            return entry
    return None


def _registered_domain(host: str | None) -> str:
    """``news.bbc.co.uk`` -> ``bbc.co.uk``; the host itself when the suffix is unknown."""
    if not host:
        return ""
    return _SUFFIXES(host).top_domain_under_public_suffix or host


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _parse(text: str, where: str) -> _Layer:
    """Read one outlets file into a layer, or say which line is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        if position:
            message = message[: position.start()]
            raise SettingsError(
                f"{where}: line {position.group(1)}: invalid TOML ({message})"
            ) from exc
        raise SettingsError(f"{where}: invalid TOML ({message})") from exc
    unknown = sorted(set(data) - {"outlet"})
    if unknown:
        raise SettingsError(
            f"{where}: unknown table or key {unknown[0]!r}; outlets are [[outlet]] entries"
        )
    entries = data.get("outlet", [])
    if not isinstance(entries, list):
        raise SettingsError(f"{where}: 'outlet' must be a list of [[outlet]] entries")
    header_lines = [text.count("\n", 0, m.start()) + 1 for m in _ENTRY_HEADER.finditer(text)]
    layer = _Layer()
    for index, raw in enumerate(entries):
        line = header_lines[index] if index < len(header_lines) else None
        at = f"{where}: line {line}" if line else f"{where}: outlet entry {index + 1}"
        layer.add(_entry(raw, at))
    return layer


def _entry(raw: Any, at: str) -> _Entry:
    """Check one ``[[outlet]]`` table; ``at`` names the file and line for errors."""
    if not isinstance(raw, dict):
        raise SettingsError(f"{at}: an outlet entry must be a table")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise SettingsError(
            f"{at}: unknown key {unknown[0]!r} (expected one of {', '.join(sorted(_KEYS))})"
        )
    name = _optional_text(raw, "name", at)
    domains = tuple(_host(d) or "" for d in _text_list(raw, "domain", "domains", at))
    if "" in domains:
        raise SettingsError(f"{at}: a domain must be a host name such as 'bbc.co.uk'")
    site_names = _text_list(raw, "site_name", "site_names", at)
    scope = _optional_text(raw, "scope", at) or "other"
    if scope not in SCOPES:
        raise SettingsError(
            f"{at}: scope must be one of {', '.join(SCOPES)}. Got {scope!r} instead."
        )
    if not domains and not site_names and not name:
        raise SettingsError(f"{at}: an outlet entry needs a name, a domain or a site name")
    if name is None and not domains:
        raise SettingsError(f"{at}: an outlet entry without a name needs a domain")
    return _Entry(name=name, domains=domains, site_names=site_names, scope=scope,
                  region=_optional_text(raw, "region", at))


def _optional_text(raw: dict[str, Any], key: str, at: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"{at}: {key} must be a non-empty string. Got {value!r} instead.")
    return " ".join(value.split())


def _text_list(raw: dict[str, Any], one: str, many: str, at: str) -> tuple[str, ...]:
    """Values of ``one = "x"`` and ``many = ["x", "y"]`` together."""
    values: list[str] = []
    single = _optional_text(raw, one, at)
    if single:
        values.append(single)
    several = raw.get(many, [])
    if not isinstance(several, list) or not all(
        isinstance(v, str) and v.strip() for v in several
    ):
        raise SettingsError(f"{at}: {many} must be a list of non-empty strings")
    values.extend(" ".join(v.split()) for v in several)
    return tuple(values)
