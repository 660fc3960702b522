"""Outlet lookup: shipped mapping, subdomains, site names, user overrides, bad files."""

from __future__ import annotations

import pickle

import pytest

from coverage_cmp.collect.outlets import OutletDirectory
from coverage_cmp.errors import SettingsError
from coverage_cmp.model import SCOPES, Outlet


@pytest.fixture(scope="module")
def shipped() -> OutletDirectory:
    return OutletDirectory.load()


@pytest.mark.parametrize(
    ("url", "name", "scope"),
    [
        ("https://news.bbc.co.uk/1/hi/uk/3873613.stm", "BBC News", "national"),
        ("https://www.bbc.com/news/uk-28325555", "BBC News", "national"),
        ("https://www.theguardian.com/uk-news/2014/jul/16/x", "The Guardian", "national"),
        ("https://www.cambridge-news.co.uk/news/local-news/x", "Cambridge News", "regional"),
        ("https://www.nationalcrimeagency.gov.uk/news/x", "National Crime Agency", "release"),
        ("https://www.gov.uk/government/news/x", "UK Government", "release"),
        ("https://www.npcc.police.uk/x", "National Police Chiefs' Council", "release"),
        ("https://www.cambs.police.uk/news/x", "Cambridgeshire Constabulary", "release"),
        ("https://uk.reuters.com/article/x", "Reuters", "agency"),
        ("https://news.sky.com/story/x", "Sky News", "national"),
        ("https://WWW.ABC.NET.AU/news/x", "ABC News (Australia)", "national"),
    ],
)
def test_shipped_domains_and_subdomains(shipped, url, name, scope):
    outlet = shipped.lookup(url)
    assert (outlet.name, outlet.scope) == (name, scope)


def test_regional_outlet_carries_its_region(shipped):
    outlet = shipped.lookup("https://www.newsandstar.co.uk/news/x")
    assert outlet == Outlet("News & Star", "newsandstar.co.uk", "regional", "Cumbria")


def test_longest_domain_wins_over_domain_family(shipped):
    # gov.uk is mapped, and so is the agency below it.
    assert shipped.lookup("https://nationalcrimeagency.gov.uk/").name == "National Crime Agency"
    assert shipped.lookup("https://www.gov.uk/").name == "UK Government"


def test_unmapped_police_force_named_by_its_page_but_scoped_as_release(shipped):
    outlet = shipped.lookup("https://www.kent.police.uk/news/x", site_name="Kent Police")
    assert outlet == Outlet("Kent Police", "kent.police.uk", "release", None)
    assert shipped.lookup("https://www.kent.police.uk/news/x").name == "kent.police.uk"


def test_site_name_used_when_domain_unknown(shipped):
    by_name = shipped.lookup("https://mirror.example.org/story", site_name="  liverpool   ECHO ")
    assert (by_name.name, by_name.region) == ("Liverpool Echo", "Merseyside")
    unknown = shipped.lookup("https://www.example.co.uk/a/b", site_name="Example Gazette")
    assert unknown == Outlet("Example Gazette", "example.co.uk", "other", None)


def test_registered_domain_names_an_unknown_outlet(shipped):
    outlet = shipped.lookup("https://news.example.co.uk/a")
    assert outlet == Outlet("example.co.uk", "example.co.uk", "other", None)


def test_loopback_url_falls_back_to_site_name(shipped):
    outlet = shipped.lookup("http://127.0.0.1:8123/story.html", site_name="Fenland Courier")
    assert outlet == Outlet("Fenland Courier", None, "other", None)
    assert shipped.lookup("http://localhost:8000/x") == Outlet("localhost:8000")
    assert shipped.lookup("http://127.0.0.1/x").name == "127.0.0.1"
    assert shipped.lookup(None) is None
    assert shipped.lookup("not a url") is None


def test_every_shipped_entry_is_valid(shipped):
    # Building the directory validated each entry; check scopes are from the model.
    for layer in shipped._layers:
        for entry in layer.by_domain.values():
            assert entry.scope in SCOPES


def test_user_file_maps_domain_and_site_name_and_wins(tmp_path):
    user = tmp_path / "outlets.toml"
    user.write_text(
        '[[outlet]]\nname = "Beeb"\ndomain = "bbc.co.uk"\nscope = "other"\n\n'
        '[[outlet]]\nname = "Fenland Courier"\nsite_names = ["The Courier"]\n'
        'scope = "local"\nregion = "Fenland"\n',
        encoding="utf-8",
    )
    directory = OutletDirectory.load(user)
    assert directory.lookup("https://news.bbc.co.uk/x").name == "Beeb"
    courier = directory.lookup("http://127.0.0.1:9000/a.html", site_name="the courier")
    assert courier == Outlet("Fenland Courier", None, "local", "Fenland")
    assert directory.lookup(None, site_name="Fenland Courier").scope == "local"
    # Shipped entries the user did not touch still apply.
    assert directory.lookup("https://www.theguardian.com/x").name == "The Guardian"


def test_user_site_name_beats_shipped_domain(tmp_path):
    user = tmp_path / "outlets.toml"
    user.write_text('[[outlet]]\nname = "Mirror North"\nsite_name = "Mirror"\n')
    directory = OutletDirectory.load(str(user))
    assert directory.lookup("https://www.mirror.co.uk/x", site_name="Mirror").name == "Mirror North"


def test_malformed_user_file_names_file_and_line(tmp_path):
    user = tmp_path / "bad.toml"
    user.write_text('[[outlet]]\nname = "A"\ndomain = "a.co.uk\n')
    with pytest.raises(SettingsError, match=r"bad\.toml: line 3: invalid TOML"):
        OutletDirectory.load(user)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[outlet]]\nname = "A"\nscope = "tabloid"\n', r"line 1: scope must be one of"),
        ('[[outlet]]\nname = "A"\n\n[[outlet]]\nscope = "local"\n', r"line 4: .*needs a name"),
        ('[[outlet]]\nname = "A"\ncolour = "red"\n', r"line 1: unknown key 'colour'"),
        ('[[outlet]]\nname = "A"\ndomains = "a.co.uk"\n', r"line 1: domains must be a list"),
        ('[outlets]\nname = "A"\n', r"unknown table or key 'outlets'"),
    ],
)
def test_bad_entries_are_settings_errors_naming_the_line(tmp_path, body, message):
    user = tmp_path / "outlets.toml"
    user.write_text(body)
    with pytest.raises(SettingsError, match=message) as info:
        OutletDirectory.load(user)
    assert str(user) in str(info.value)


def test_missing_user_file_is_a_settings_error(tmp_path):
    with pytest.raises(SettingsError, match="cannot read outlets file"):
        OutletDirectory.load(tmp_path / "nope.toml")


def test_directory_pickles_for_worker_processes(shipped):
    copy = pickle.loads(pickle.dumps(shipped))
    assert copy.lookup("https://www.liverpoolecho.co.uk/x") == shipped.lookup(
        "https://www.liverpoolecho.co.uk/x"
    )
