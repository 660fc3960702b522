"""``fit_model_sources``: the events file names articles the ways a user can write down."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coverage_cmp.errors import SettingsError
from coverage_cmp.model import Article
from coverage_cmp.pair_model import PairModel
from coverage_cmp.pipeline import fit_model_sources

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "notarise"

STORIES = {
    "storm": ["Storm Desmond floods Carlisle as rivers burst their banks on Saturday.",
              "Carlisle under water after Storm Desmond: rivers burst banks on Saturday."],
    "budget": ["The chancellor's budget raises fuel duty by two pence from April.",
               "Fuel duty rises two pence in April under the chancellor's budget."],
}


def articles() -> list[Article]:
    return [Article(source=f"in-memory-{event}-{n}", text=text,
                    url=f"https://news.example/{event}/{n}")
            for event, texts in STORIES.items() for n, text in enumerate(texts)]


def events_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("source,event\n" + "".join(f"{s},{e}\n" for s, e in rows),
                    encoding="utf-8")
    return path


def test_articles_named_by_source_url_or_id(tmp_path: Path) -> None:
    given = articles()
    rows = [(given[0].source, "storm"), (given[1].url, "storm"), (given[2].id, "budget")]
    fit = fit_model_sources(given, events_csv(tmp_path / "events.csv", rows))
    assert isinstance(fit.model, PairModel)
    assert (fit.articles, fit.events, fit.unlabelled, fit.failures) == (3, 2, 1, [])


def test_a_file_named_in_any_spelling_of_its_path(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    names = ["nca-release.html", "agency-wire.html", "distractor-march-2015.html"]
    sources = [str(FIXTURES / name) for name in names]
    rows = [(f"fixtures/notarise/{names[0]}", "op"),
            (f"./fixtures/../fixtures/notarise/{names[1]}", "op"),
            (os.path.relpath(sources[2]), "other")]
    fit = fit_model_sources(sources, events_csv(tmp_path / "events.csv", rows))
    assert (fit.articles, fit.events) == (3, 2)


@pytest.mark.parametrize(("rows", "message"), [
    ([("in-memory-storm-0", "storm"), ("nowhere.html", "storm")],
     "row 2: 'nowhere.html' is none of the articles read"),
    ([("in-memory-storm-0", "storm"), ("https://news.example/storm/0", "budget")],
     "row 2: 'https://news.example/storm/0' is given event 'budget', but row 1"),
    ([("in-memory-storm-0", "storm"), ("in-memory-storm-1", "storm")], "two events"),
])
def test_events_the_fit_cannot_use_are_named(tmp_path: Path, rows: list[tuple[str, str]],
                                             message: str) -> None:
    path = events_csv(tmp_path / "events.csv", rows)
    with pytest.raises(SettingsError, match=message) as caught:
        fit_model_sources(articles(), path)
    assert str(caught.value).startswith(f"{path}: ")


def test_an_unreadable_source_named_in_the_events_says_why(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.html")
    path = events_csv(tmp_path / "events.csv", [(missing, "op")])
    with pytest.raises(SettingsError, match="row 1: .* could not be read"):
        fit_model_sources([missing], path)
