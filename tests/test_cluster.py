"""Event clustering: look-alike events apart, the window, copies, stable ids, fixtures."""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from datasketch import MinHash, MinHashLSH
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

from coverage_cmp.cluster import (
    _COHESIVE_SIZE,
    _NUM_PERM,
    _WORD_PATTERN,
    DEFAULT_PAIR_MODEL,
    PAIR_FEATURES,
    PairModel,
    _average_linkage,
    _duplicate_pairs,
    _features,
    _minhash_values,
    _pair_features,
    _shingle_hashes,
    _training_pairs,
    _trimmed,
    _vocabulary,
    _word_runs,
    _words,
    cluster_articles,
    fit_pair_model,
    quick_fact_tokens,
)
from coverage_cmp.collect.files import read_path
from coverage_cmp.collect.outlets import OutletDirectory
from coverage_cmp.errors import SettingsError
from coverage_cmp.model import Article, Cluster
from coverage_cmp.settings import ClusterSettings, CollectSettings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notarise"
ECB_PLUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ecbplus-dev"
SETTINGS = ClusterSettings()

# Three announcements of one long-running operation: same agency, same words, different
# numbers and months. Each is reported three times in different words.
EVENTS = {
    "jul-2014": ("2014-07-16", [
        ("660 arrested in UK-wide operation",
         "The National Crime Agency said 660 suspected paedophiles had been arrested in a "
         "six-month operation involving 45 police forces across England, Wales, Scotland "
         "and Northern Ireland. More than 400 children were safeguarded, NCA deputy "
         "director general Phil Gormley said."),
        ("Police arrest 660 in online abuse inquiry",
         "Officers from 45 forces took part in the operation coordinated by the NCA, which "
         "led to 660 arrests. Phil Gormley said 431 children had been safeguarded and 39 "
         "of those held were registered sex offenders."),
        ("NCA: 660 suspects held after covert operation",
         "A covert operation run by the National Crime Agency with 45 forces has seen 660 "
         "people arrested over indecent images of children, with 431 children protected, "
         "according to Phil Gormley of the NCA."),
    ]),
    "mar-2015": ("2015-03-24", [
        ("745 arrested in second wave of NCA operation",
         "The National Crime Agency said 745 suspected paedophiles had been arrested in the "
         "second phase of its operation, with police forces taking part across the UK. "
         "Deputy director Rob Jones said 400 children had been safeguarded since March."),
        ("Police hold 745 over child abuse images",
         "Rob Jones of the NCA said the 745 arrests followed a national operation against "
         "people viewing indecent images of children, and that 400 children were protected."),
        ("NCA operation: 745 more suspects arrested",
         "A further 745 people have been arrested, the National Crime Agency said, in an "
         "operation led by Rob Jones that protected 400 children across the country."),
    ]),
    "dec-2015": ("2015-12-09", [
        ("682 arrested as NCA operation continues",
         "The National Crime Agency said 682 suspected paedophiles had been arrested by 40 "
         "police forces, and 399 children safeguarded. Helen Rudd of the NCA said the "
         "operation targeted people sharing indecent images of children."),
        ("Police arrest 682 in latest abuse images sweep",
         "Forty forces took part in the latest NCA operation, which led to 682 arrests and "
         "399 children protected, Helen Rudd said."),
        ("NCA: 682 suspects held, 399 children protected",
         "Helen Rudd of the National Crime Agency said 682 people were arrested and 399 "
         "children protected in an operation run with 40 police forces."),
    ]),
}


def make_articles(dated: bool = True) -> list[Article]:
    articles = []
    for event, (day, reports) in EVENTS.items():
        for n, (title, text) in enumerate(reports):
            articles.append(Article(
                source=f"{event}/{n}.txt", text=text, title=title, outlet=f"Outlet {n}",
                published=f"{day}T{8 + n:02d}:00:00+00:00" if dated else None))
    return articles


def assignment(clusters: list[Cluster]) -> dict[str, str]:
    """Article id -> cluster id, checking that no article appears twice."""
    seen: dict[str, str] = {}
    for cluster in clusters:
        for member in cluster.articles:
            assert member.id not in seen, f"{member.source} is in two clusters"
            seen[member.id] = cluster.id
    return seen


def groups_by_source(clusters: list[Cluster]) -> set[frozenset[str]]:
    return {frozenset(m.source for m in c.articles) for c in clusters}


def event_groups(articles: list[Article]) -> set[frozenset[str]]:
    return {frozenset(a.source for a in articles if a.source.startswith(event))
            for event in EVENTS}


def test_empty_input_gives_no_clusters():
    assert cluster_articles([], SETTINGS) == []


def test_every_article_lands_in_exactly_one_cluster():
    articles = make_articles()
    clusters = cluster_articles(articles, SETTINGS)
    assert set(assignment(clusters)) == {a.id for a in articles}


@pytest.mark.parametrize("dated", [True, False], ids=["dated", "undated"])
def test_look_alike_announcements_of_one_operation_stay_apart(dated):
    articles = make_articles(dated)
    clusters = cluster_articles(articles, SETTINGS)
    assert groups_by_source(clusters) == event_groups(articles)


def test_articles_beyond_the_window_join_only_as_copies():
    day, reports = EVENTS["jul-2014"]
    title, text = reports[0]
    rewrite_title, rewrite_text = reports[1]
    original = Article(source="a", text=text, title=title, published="2014-07-16")
    rewrite_soon = Article(source="b", text=rewrite_text, title=rewrite_title,
                           published="2014-07-17")
    rewrite_late = dataclasses.replace(rewrite_soon, source="c", id="", published="2014-09-30")
    copy_late = Article(source="d", text=text + " Ends.", title="Reprint",
                        published="2014-09-30")

    together = cluster_articles([original, rewrite_soon], SETTINGS)
    assert groups_by_source(together) == {frozenset("ab")}
    apart = cluster_articles([original, rewrite_late], SETTINGS)
    assert groups_by_source(apart) == {frozenset("a"), frozenset("c")}
    copied = cluster_articles([original, copy_late], SETTINGS)
    assert groups_by_source(copied) == {frozenset("ad")}
    # a wider window lets the late rewrite join
    wide = dataclasses.replace(SETTINGS, window_days=90)
    assert groups_by_source(cluster_articles([original, rewrite_late], wide)) == {
        frozenset("ac")}


def test_copies_point_to_the_earliest_copy():
    day, reports = EVENTS["jul-2014"]
    title, text = reports[0]
    agency = Article(source="agency", text=text, title=title, published=f"{day}T07:00:00Z")
    reprint = Article(source="trade", text=text.replace("suspected", "alleged"), title="Reprinted",
                      published=f"{day}T12:00:00Z")
    second_url = Article(source="agency?amp", text=text, title=title,
                         canonical_url="https://example.org/amp", published=f"{day}T09:00Z")
    others = [a for a in make_articles() if a.source.startswith("jul")][1:]
    clusters = cluster_articles([reprint, *others, second_url, agency], SETTINGS)
    members = {m.source: m for c in clusters for m in c.articles}
    assert members["agency"].duplicate_of is None
    assert members["trade"].duplicate_of == agency.id
    assert members["agency?amp"].duplicate_of == agency.id
    assert all(members[a.source].duplicate_of is None for a in others)
    assignment_of = assignment(clusters)
    assert assignment_of[reprint.id] == assignment_of[agency.id] == assignment_of[second_url.id]


def test_incremental_run_keeps_cluster_ids_and_members():
    articles = make_articles()
    first_batch = [a for a in articles if not a.source.endswith("/2.txt")]
    later = [a for a in articles if a.source.endswith("/2.txt")]
    new_event = Article(source="other/0.txt", title="Flooding closes motorway",
                        text="Heavy rain closed the M6 near Lancaster on Tuesday, and the "
                             "Environment Agency issued 12 flood warnings for Cumbria.",
                        published="2015-01-05T10:00:00Z")
    before = cluster_articles(first_batch, SETTINGS)
    after = cluster_articles([*later, new_event, *first_batch], SETTINGS, previous=before)

    old_assignment, new_assignment = assignment(before), assignment(after)
    for article_id, cluster_id in old_assignment.items():
        assert new_assignment[article_id] == cluster_id
    for article in later:  # each joins the earlier reports of its event
        sibling = next(a for a in first_batch if a.source[:8] == article.source[:8])
        assert new_assignment[article.id] == old_assignment[sibling.id]
    assert new_assignment[new_event.id] not in old_assignment.values()


def test_previous_clusters_never_merge():
    articles = make_articles()
    jul = [a for a in articles if a.source.startswith("jul")]
    split = [cluster_articles(jul[:1], SETTINGS)[0], cluster_articles(jul[1:2], SETTINGS)[0]]
    clusters = cluster_articles(jul, SETTINGS, previous=split)
    ids = assignment(clusters)
    assert ids[jul[0].id] == split[0].id
    assert ids[jul[1].id] == split[1].id


def test_same_input_in_any_order_gives_the_same_output():
    articles = make_articles()
    expected = [c.to_json() for c in cluster_articles(articles, SETTINGS)]
    shuffled = articles[:]
    random.Random(3).shuffle(shuffled)
    assert [c.to_json() for c in cluster_articles(shuffled, SETTINGS)] == expected


def test_cluster_json_follows_the_contract():
    clusters = cluster_articles(make_articles(), SETTINGS)
    first = clusters[0].to_json()
    assert list(first) == ["id", "label", "first_published", "last_published", "outlets",
                           "articles"]
    assert list(first["articles"][0]) == ["id", "source", "outlet", "published",
                                          "duplicate_of"]
    json.dumps([c.to_json() for c in clusters])
    assert first["first_published"] == "2014-07-16T08:00:00+00:00"
    assert first["last_published"] == "2014-07-16T10:00:00+00:00"
    assert first["outlets"] == ["Outlet 0", "Outlet 1", "Outlet 2"]


def test_labels_name_the_facts_that_tell_events_apart():
    clusters = cluster_articles(make_articles(), SETTINGS)
    labels = {c.articles[0].source[:8]: c.label for c in clusters}
    assert "660" in labels["jul-2014"] and "745" in labels["mar-2015"]
    assert "682" in labels["dec-2015"]
    for label in labels.values():
        parts = label.split(" · ")
        assert 3 <= len(parts) <= 5
        assert not any(":" in part for part in parts)  # no internal feature keys


def test_labels_open_with_the_name_every_report_gives_and_count_with_specific_nouns():
    articles = make_articles()
    text_of = {a.id: f"{a.title} {a.text}" for a in articles}
    for cluster in cluster_articles(articles, SETTINGS):
        name = cluster.label.split(" · ")[0]
        assert all(name in text_of[m.id] for m in cluster.articles), cluster.label
    july = next(c for c in cluster_articles(articles, SETTINGS)
                if c.articles[0].source.startswith("jul"))
    counted = next(part for part in july.label.split(" · ") if part.startswith("660"))
    # the reports say "660 suspected paedophiles", "660 arrests" and "660 people arrested"
    assert counted in ("660 paedophiles", "660 arrests")


BRIDGE_REPORTS = [
    ("Harbour Bridge shut after cable survey",
     "The Harbour Bridge and its 2 lane deck closed on Monday after inspectors found rust "
     "on 14 cables. Engineer Maria Okafor, 52, said Okafor's team would need a month. "
     "Okafor added that the 1998 design had been checked twice. Drivers can call the 0800 "
     "helpline."),
    ("Rusty cables close Harbour Bridge",
     "Inspectors found 14 cables corroded and the Harbour Bridge, with its 2 lane deck, is "
     "shut, Maria Okafor said. Okafor, 52, leads the repair team; Okafor said the 1998 "
     "design was sound. Questions go to the 0800 helpline."),
    ("Harbour Bridge closed for repairs",
     "Repairs to 14 cables have closed the 2 lane deck of the Harbour Bridge. Maria Okafor, "
     "whose team found the rust, said the 1998 design would be kept, and Okafor asked "
     "drivers to use the 0800 helpline. Okafor, 52, has led the team since 2015."),
]


def test_labels_show_counts_not_ages_years_or_codes_and_names_as_written():
    """"14 cables" is a count; an age ("Okafor, 52,"), "1998 design", "0800 helpline" and
    "2 lane" are not, and the heavy words "okafor" and "maria" read as the name the reports
    give."""
    articles = [Article(source=f"bridge/{n}.txt", title=title, text=text,
                        published=f"2024-03-0{n + 4}T09:00:00+00:00", outlet=f"Outlet {n}")
                for n, (title, text) in enumerate(BRIDGE_REPORTS)]
    [cluster] = cluster_articles(articles, SETTINGS)
    parts = cluster.label.split(" · ")
    assert "14 cables" in parts, cluster.label
    assert "Maria Okafor" in parts, cluster.label
    assert not {"okafor", "maria"} & set(parts), cluster.label
    assert not any(part.startswith(("52", "1998", "0800", "2 ")) for part in parts), \
        cluster.label


@pytest.mark.parametrize(("written", "shown"), [
    ("Queens Friday", "Queens"), ("Harbour Bridge Monday", "Harbour Bridge"),
    ("Cambridgeshire July", "Cambridgeshire"), ("Surgeon General", "Surgeon General"),
    ("March", "March"), ("Maria Okafor", "Maria Okafor")])
def test_label_names_leave_out_the_day_or_month_the_capitalised_run_took_in(written, shown):
    assert _trimmed(written) == shown


@pytest.mark.parametrize("field, value", [("threshold", 1.5), ("cohesion", 1.2),
                                          ("window_days", -1), ("time_weight", -1.0),
                                          ("max_neighbors", 0), ("duplicate_threshold", 0.0)])
def test_settings_reject_values_out_of_range(field, value):
    with pytest.raises(SettingsError, match=field):
        ClusterSettings(**{field: value})


def test_notarise_fixtures_form_one_cluster_per_announcement():
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    outlets = OutletDirectory.load(FIXTURES / "outlets.toml")
    articles = []
    for files in expected["clusters"].values():
        for name in files:
            records = list(read_path(str(FIXTURES / name), CollectSettings(), outlets))
            articles.extend(r for r in records if isinstance(r, Article))
    assert len(articles) == sum(len(files) for files in expected["clusters"].values())
    clusters = cluster_articles(articles, SETTINGS)
    found = {frozenset(Path(m.source).name for m in c.articles) for c in clusters}
    assert found == {frozenset(files) for files in expected["clusters"].values()}
    members = {Path(m.source).name: m for c in clusters for m in c.articles}
    for name in [expected["near_verbatim"]] if isinstance(expected["near_verbatim"], str) \
            else expected["near_verbatim"]:
        assert members[name].duplicate_of is not None


def test_copy_sketches_are_the_minhashes_datasketch_gives_for_the_shingles():
    rng = random.Random(5)
    vocabulary = [f"word{n}" for n in range(500)]
    # a text longer than one batch of permuted shingles, empty and one-word texts among them
    texts = [a.text for a in make_articles()] + ["", "Short", "", " ".join(
        rng.choice(vocabulary) for _ in range(9000))] + [" ".join(
            rng.choice(vocabulary) for _ in range(rng.randint(1, 900))) for _ in range(20)]
    hashes, counts = _shingle_hashes(_word_runs(texts, _vocabulary()))
    template = MinHash(num_perm=_NUM_PERM, scheme="affine32")
    values = _minhash_values(hashes, counts, template)
    assert values.shape == (len(texts), _NUM_PERM)
    for text_hashes, text_values in zip(np.split(hashes, np.cumsum(counts)[:-1]), values,
                                        strict=True):
        expected = MinHash(num_perm=_NUM_PERM, scheme="affine32", hashfunc=int)
        expected.update_batch(text_hashes.tolist())
        assert np.array_equal(text_values, expected.hashvalues)


def test_copies_are_the_pairs_datasketch_lsh_finds_and_rates_above_the_threshold():
    rng = random.Random(7)
    vocabulary = [f"word{n}" for n in range(300)]
    originals = [[rng.choice(vocabulary) for _ in range(rng.randint(40, 120))]
                 for _ in range(30)]
    texts = [" ".join(words) for words in originals] + ["", "one"]
    for _ in range(60):  # reprints with a few words changed: Jaccard from about 0.3 to 1
        words = list(rng.choice(originals))
        for _ in range(rng.randint(0, 8)):
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        texts.append(" ".join(words))
    threshold = SETTINGS.duplicate_threshold
    hashes, counts = _shingle_hashes(_word_runs(texts, _vocabulary()))
    index = MinHashLSH(threshold=threshold - 0.1, num_perm=_NUM_PERM)
    candidates, expected = set(), set()
    minhashes = {}
    for i, text_hashes in enumerate(np.split(hashes, np.cumsum(counts)[:-1])):
        if not len(text_hashes):
            continue
        minhashes[i] = MinHash(num_perm=_NUM_PERM, scheme="affine32", hashfunc=int)
        minhashes[i].update_batch(text_hashes.tolist())
        candidates.update((j, i) for j in index.query(minhashes[i]))
        index.insert(i, minhashes[i])
    expected = {(j, i) for j, i in candidates if minhashes[j].jaccard(minhashes[i]) >= threshold}
    found = _duplicate_pairs(_word_runs(texts, _vocabulary()), threshold)
    assert found == sorted(expected)
    assert expected and candidates - expected  # some candidates rated below the threshold


def test_words_are_the_word_runs_of_the_lower_cased_text():
    text = ("Naïve CAFÉ owners – “quoted” Straße\u00a0e\u0301t\u00e9 snake_case 3.5% 東京 "
            "١٢٣ don't\u2019s \ud800 end.\nΣΊΣΥΦΟΣ\tmix-ed")
    assert [word.decode() for word in _words(text)] == re.findall(r"\w+", text.lower())


@pytest.mark.parametrize("title_weight", [0, 1, 2, 3])
def test_word_and_title_tfidf_are_what_scikit_learns_vectorizer_gives(title_weight):
    """One tokenisation serves the TF-IDF and the shingles; the matrices must stay the ones
    ``TfidfVectorizer`` builds from the title-weighted text and from the titles."""
    articles = load_ecb_plus()[0][:200] + make_articles() + [
        Article(source="odd", title="Ünïcode 2015 snake_case Café", text="ΣΊΣΥΦΟΣ don't x2 é"),
        Article(source="bare", title=None, text="12 345"),
    ]
    settings = dataclasses.replace(SETTINGS, title_weight=title_weight)
    features = _features(articles, [[] for _ in articles], settings)
    words = TfidfVectorizer(sublinear_tf=True, stop_words="english",
                            token_pattern=_WORD_PATTERN, dtype=np.float32)
    expected = words.fit_transform(["\n".join([a.title or ""] * title_weight + [a.text])
                                    for a in articles])
    columns = np.searchsorted(features.word_names, words.get_feature_names_out())
    assert np.array_equal(features.word_names[columns], words.get_feature_names_out())
    assert (features.words[:, columns] != expected).nnz == 0
    assert features.words.nnz == expected.nnz  # other columns: title words counted 0 times
    titles = TfidfVectorizer(stop_words="english", token_pattern=_WORD_PATTERN,
                             dtype=np.float32)
    assert (features.titles != titles.fit_transform([a.title or "" for a in articles])).nnz == 0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [0.2, 0.5])
def test_linkage_is_scipys_average_linkage_with_missing_edges_as_zero(seed, threshold):
    """The sparse, lazily updated linkage must cut the tree SciPy's dense average linkage
    builds, where a missing edge is similarity 0."""
    rng = np.random.default_rng(seed)
    n = 80
    similarity = np.triu(rng.random((n, n)) * (rng.random((n, n)) < 0.15), k=1)
    similarity += similarity.T
    labels = _average_linkage(sp.csr_matrix(similarity.astype(np.float32)), threshold, [],
                              [None] * n)
    distances = 1.0 - similarity.astype(np.float32).astype(np.float64)
    np.fill_diagonal(distances, 0.0)
    tree = hierarchy.linkage(squareform(distances, checks=False), method="average")
    expected = hierarchy.fcluster(tree, t=1.0 - threshold, criterion="distance")
    assert partition(labels) == partition(expected)
    assert len(set(labels.tolist())) < n  # some groups merged


def guarded_average_linkage(similarity: np.ndarray, threshold: float, cohesion: float,
                            cohesive_size: int) -> np.ndarray:
    """Average linkage the slow, plain way: every step weighs every pair of groups and
    merges the best one that reaches the threshold and, when both groups have
    ``cohesive_size`` nodes or more, ``cohesion`` times the looser one's own mean."""
    groups = [[i] for i in range(len(similarity))]

    def own_mean(group: list[int]) -> float:
        return similarity[np.ix_(group, group)].sum() / (len(group) * (len(group) - 1))

    while True:
        candidates = []
        for x, y in itertools.combinations(range(len(groups)), 2):
            linkage = similarity[np.ix_(groups[x], groups[y])].mean()
            big = min(len(groups[x]), len(groups[y])) >= cohesive_size
            if linkage >= threshold and not (
                    big and linkage < cohesion * min(own_mean(groups[x]), own_mean(groups[y]))):
                candidates.append((-linkage, min(groups[x]), min(groups[y]), x, y))
        if not candidates:
            break
        *_, x, y = min(candidates)
        groups[x] += groups.pop(y)
    labels = np.empty(len(similarity), dtype=int)
    for label, group in enumerate(groups):
        labels[group] = label
    return labels


def test_linkage_with_the_cohesion_guard_is_the_plain_guarded_linkage():
    """The lazy heap must merge exactly the pairs the slow loop merges, guard included."""
    guard_took_part = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        n, events = 70, 6
        event = rng.integers(0, events, n)
        # tight events; each pair of events has its own level of look-alike likeness
        level = rng.uniform(0.35, 0.7, (events, events))
        level = (level + level.T) / 2
        similarity = np.where(event[:, None] == event[None, :], rng.uniform(0.8, 1.0, (n, n)),
                              level[event[:, None], event[None, :]]
                              + rng.uniform(-0.15, 0.15, (n, n)))
        similarity *= rng.random((n, n)) < 0.9
        similarity = np.triu(similarity, k=1).astype(np.float32).astype(np.float64)
        similarity += similarity.T
        graph = sp.csr_matrix(similarity.astype(np.float32))
        labels = _average_linkage(graph, 0.45, [], [None] * n, cohesion=SETTINGS.cohesion)
        expected = guarded_average_linkage(similarity, 0.45, SETTINGS.cohesion,
                                           _COHESIVE_SIZE)
        assert partition(labels) == partition(expected), seed
        unguarded = _average_linkage(graph, 0.45, [], [None] * n)
        guard_took_part += partition(labels) != partition(unguarded)
    assert guard_took_part >= 3  # the guard split something on several of the graphs


def test_two_tight_look_alike_groups_stay_apart_though_they_pass_the_threshold():
    # two events of six reports each: 0.9 within, 0.6 across (0.6 > threshold 0.5)
    event = np.repeat([0, 1], 6)
    similarity = np.where(event[:, None] == event[None, :], 0.9, 0.6)
    np.fill_diagonal(similarity, 0.0)
    graph = sp.csr_matrix(similarity.astype(np.float32))
    guarded = _average_linkage(graph, 0.5, [], [None] * 12, cohesion=0.7)
    assert partition(guarded) == {frozenset(range(6)), frozenset(range(6, 12))}
    assert len(set(_average_linkage(graph, 0.5, [], [None] * 12).tolist())) == 1
    # a loose event (0.6 within) is not split by the same guard
    loose = np.full((12, 12), 0.6)
    np.fill_diagonal(loose, 0.0)
    assert len(set(_average_linkage(sp.csr_matrix(loose.astype(np.float32)), 0.5, [],
                                    [None] * 12, cohesion=0.7).tolist())) == 1


def partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for node, label in enumerate(labels.tolist()):
        groups.setdefault(label, set()).add(node)
    return {frozenset(group) for group in groups.values()}


def test_training_pairs_are_nearest_neighbours_and_same_event_pairs_without_a_full_matrix():
    """Row blocks must choose the pairs the all-against-all matrix would choose."""
    articles = load_ecb_plus()[0][:300]
    features = _features(articles, [[] for _ in articles], SETTINGS)
    rng = np.random.default_rng(3)
    label = rng.integers(0, 40, len(articles))
    k = 7
    rows, columns = _training_pairs(features.matrix, label, k)
    cosine = (features.matrix @ features.matrix.T).toarray()
    np.fill_diagonal(cosine, -1.0)
    nearest = np.argpartition(-cosine, k - 1, axis=1)[:, :k]
    chosen = label[:, None] == label[None, :]
    chosen[np.repeat(np.arange(len(articles)), k), nearest.ravel()] = True
    expected_rows, expected_columns = np.nonzero(np.triu(chosen | chosen.T, k=1))
    assert np.array_equal(rows, expected_rows)
    assert np.array_equal(columns, expected_columns)


@pytest.mark.parametrize("rows, columns", [(slice(0, 40), slice(20, 90)),
                                           ([5, 3, 70, 41], [2, 9, 77, 60, 8])],
                         ids=["runs", "scattered"])
def test_evidence_of_the_whole_grid_is_the_evidence_of_each_pair_asked_for(rows, columns):
    articles = load_ecb_plus()[0][:100]
    features = _features(articles, [quick_fact_tokens(a.text) for a in articles], SETTINGS)
    rows, columns = np.arange(100)[rows], np.arange(100)[columns]
    every_position = tuple(np.indices((len(rows), len(columns))).reshape(2, -1))
    whole = _pair_features(features, rows, columns, None)
    assert whole.shape == (len(rows) * len(columns), len(PAIR_FEATURES))
    assert whole[:, :3].any()  # words, facts and titles meet somewhere: a real check
    assert np.array_equal(whole, _pair_features(features, rows, columns, every_position))


def test_linkage_merges_the_earliest_of_equally_linked_pairs_first():
    # 1 is as similar to 0 as to 2; whichever pair merges first leaves the third out
    chain = sp.csr_matrix(np.array([[0, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0]], dtype=np.float32))
    labels = _average_linkage(chain, 0.3, [], [None] * 3)
    assert labels[0] == labels[1] != labels[2]
    star = sp.csr_matrix(np.array([[0, 0, 0.5], [0, 0, 0.5], [0.5, 0.5, 0]], dtype=np.float32))
    labels = _average_linkage(star, 0.3, [], [None] * 3)
    assert labels[0] == labels[2] != labels[1]


def load_ecb_plus() -> tuple[list[Article], list[str]]:
    articles, events = [], []
    for line in (ECB_PLUS / "ecbplus-dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        articles.append(Article(source=row["doc_id"], id=row["doc_id"], text=row["text"],
                                title=row["text"].split("\n", 1)[0]))
        events.append(row["event_cluster"])
    return articles, events


def test_two_tight_look_alike_events_of_ecb_plus_stay_apart_by_cohesion():
    """ECB+ topic 35: Vincent Jackson's drink-driving arrest and Jamal Williams's, a month
    later at the same club. Clustered among all the texts, their reports average above the
    threshold across, so plain average linkage merges them; the cohesion guard does not."""
    articles, events = load_ecb_plus()
    event_of = dict(zip((a.id for a in articles), events, strict=True))

    def topic_35_clusters(settings: ClusterSettings) -> list[set[str]]:
        clusters = cluster_articles(articles, settings)
        return [found for c in clusters
                if (found := {event_of[m.id] for m in c.articles} & {"35_ecb", "35_ecbplus"})]

    plain = topic_35_clusters(dataclasses.replace(SETTINGS, cohesion=0.0))
    assert {"35_ecb", "35_ecbplus"} in plain
    guarded = topic_35_clusters(SETTINGS)
    assert sorted(guarded, key=min) == [{"35_ecb"}, {"35_ecbplus"}]  # each whole, apart


def test_shipped_pair_model_is_the_one_fitted_on_ecb_plus():
    """The weights in the code are reproducible from the data, not typed in by hand."""
    articles, events = load_ecb_plus()
    refitted = fit_pair_model(articles, events, SETTINGS)
    assert refitted.weights == pytest.approx(DEFAULT_PAIR_MODEL.weights, abs=2e-3)
    assert refitted.bias == pytest.approx(DEFAULT_PAIR_MODEL.bias, abs=2e-3)


def test_pair_model_weighs_evidence_the_way_its_features_say():
    """More shared words, facts, names and dates make one event likelier; counting the same
    thing differently (660 against 745 arrests) makes it less likely."""
    weight = dict(zip(PAIR_FEATURES, DEFAULT_PAIR_MODEL.weights, strict=True))
    for evidence_for in ("words", "facts", "title", "names_shared", "numbers_shared",
                         "dates_shared"):
        assert weight[evidence_for] > 0, evidence_for
    assert weight["counted_conflict"] < 0


def test_a_model_fitted_on_ones_own_events_is_used():
    """A model fitted on articles whose events say the announcements are one story (the
    operation, not its phases) clusters them as one; the shipped model keeps them apart."""
    articles = make_articles(dated=False)
    phases = assignment(cluster_articles(articles, SETTINGS))
    assert len(set(phases.values())) == len(EVENTS)
    articles_ecb, events_ecb = load_ecb_plus()
    topic_events = [event.split("_")[0] for event in events_ecb]  # topics, not events
    by_topic = fit_pair_model(articles_ecb, topic_events, SETTINGS)
    one_story = assignment(cluster_articles(articles, SETTINGS, model=by_topic))
    assert len(set(one_story.values())) < len(EVENTS)


def test_pair_model_needs_one_weight_per_feature():
    with pytest.raises(ValueError, match="weights"):
        PairModel(weights=(1.0,), bias=0.0)


def test_arrests_of_two_players_of_one_club_stay_apart():
    """The second arrest's reports recall the first player; their openings name their own."""
    first = [
        ("Rovers winger Dale Okafor held on drink-driving charge",
         "Rovers winger Dale Okafor was arrested on suspicion of drink-driving early on "
         "Sunday, police said. Okafor, 24, was stopped on the ring road after midnight. "
         "Rovers said Okafor would be available for Saturday's cup tie."),
        ("Okafor arrested after late-night stop",
         "Dale Okafor spent the night in custody after officers stopped the Rovers winger "
         "on the ring road. Okafor was released on bail and Rovers manager Ian Pell said "
         "the club would deal with the matter privately."),
        ("Rovers confirm Okafor arrest",
         "Rovers have confirmed that Dale Okafor was arrested on suspicion of drink-driving. "
         "Pell said Okafor had apologised to his team-mates and would play on Saturday."),
    ]
    second = [
        ("Second Rovers player arrested as Marsh held",
         "Rovers defender Tom Marsh has been arrested on suspicion of drink-driving, the "
         "club's second such arrest in a month after Dale Okafor. Marsh, 29, was stopped "
         "in the town centre. Rovers said Marsh had been suspended."),
        ("Marsh suspended by Rovers after arrest",
         "Tom Marsh was suspended by Rovers after his arrest in the town centre on Friday "
         "night. Pell said Marsh had let the club down. Marsh was released on bail."),
        ("Rovers defender Marsh in custody",
         "Rovers defender Tom Marsh spent Friday night in custody after police stopped him "
         "in the town centre. Pell said Marsh would miss the league match."),
    ]
    articles = [Article(source=f"{event}/{n}", text=text, title=title)
                for event, reports in (("okafor", first), ("marsh", second))
                for n, (title, text) in enumerate(reports)]
    groups = groups_by_source(cluster_articles(articles, SETTINGS))
    assert groups == {frozenset(f"okafor/{n}" for n in range(3)),
                      frozenset(f"marsh/{n}" for n in range(3))}


MORNING_PAIRS = {
    # no word and no name in common (and no article names anyone: the features cope)
    "nothing shared": (
        ("River bursts its banks in market town",
         "Homes were evacuated overnight after heavy rain swelled the river. Sandbags were "
         "handed out at the leisure centre."),
        ("Council approves library opening hours",
         "Councillors voted to extend weekend opening at branch libraries from September, "
         "paid for by savings on printing.")),
    # only common words ("town", "spring") in common
    "common words only": (
        ("Town council backs new car park",
         "The town council voted on Monday to build a car park near the station. Work "
         "starts in spring."),
        ("Primary school wins town award",
         "A primary school in the town has won an award for its garden. Pupils planted "
         "vegetables in spring.")),
}


@pytest.mark.parametrize("stories", MORNING_PAIRS.values(), ids=MORNING_PAIRS.keys())
def test_two_unrelated_stories_of_one_morning_stay_apart(stories):
    """Publication time is evidence only for stories that share a name, number or date."""
    articles = [Article(source=f"story-{n}", title=title, text=text,
                        published=f"2014-07-16T08:0{5 * n}:00+00:00")
                for n, (title, text) in enumerate(stories)]
    assert groups_by_source(cluster_articles(articles, SETTINGS)) == {
        frozenset({"story-0"}), frozenset({"story-1"})}


@pytest.mark.parametrize("events", [["a", "a", "a"], ["a", "b", "c"]])
def test_fitting_needs_pairs_of_both_kinds(events):
    articles = [Article(source=str(n), text=f"Story number {n} about storms.") for n in range(3)]
    with pytest.raises(ValueError, match="two events"):
        fit_pair_model(articles, events, SETTINGS)
