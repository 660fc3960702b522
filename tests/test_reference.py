"""Reference choice: named, else release, else agency, else earliest, else most shared."""

from __future__ import annotations

from coverage_cmp.compare.reference import choose_references
from coverage_cmp.model import Article, Extraction

STORY = "Police arrested 660 suspects in a six-month operation across 45 forces in the UK."


def _x(source: str, text: str = STORY, scope: str | None = None, published: str | None = None,
       outlet: str | None = None) -> Extraction:
    return Extraction(Article(source=source, text=text, outlet_scope=scope,
                              published=published, outlet=outlet or source))


def test_named_references_win_by_id_source_or_outlet():
    articles = [_x("a.html", scope="release"), _x("b.html", "Other words here."),
                _x("c.html", "More words.", outlet="Press Wire")]
    chosen, why = choose_references(articles, ["b.html", "press wire",
                                               articles[0].article.id])
    assert chosen == [0, 1, 2] and "--reference" in why


def test_unknown_name_chooses_nothing():
    assert choose_references([_x("a.html")], ["nowhere"])[0] == []


def test_release_before_agency_before_earliest():
    articles = [_x("n.html", scope="national", published="2014-07-16T06:00"),
                _x("w.html", "Wire.", scope="agency", published="2014-07-16T07:30"),
                _x("r.html", "Release.", scope="release", published="2014-07-16T07:00")]
    assert choose_references(articles) == ([2], "the release (r.html): outlet scope 'release'")
    chosen, why = choose_references(articles[:2])
    assert chosen == [1] and "agency" in why
    chosen, why = choose_references([articles[0], _x("m.html", published="2014-07-15")])
    assert chosen == [1] and "earliest" in why


def test_without_scope_or_dates_the_article_sharing_most_words():
    second = "Doctors, teachers and former police officers were among those held this week."
    articles = [_x("x.html", STORY), _x("y.html", second),
                _x("hub.html", STORY + " " + second)]
    chosen, why = choose_references(articles)
    assert chosen == [2] and "5-grams" in why
