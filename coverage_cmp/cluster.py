"""Group articles by the event they report, keeping look-alike events apart.

The same operation produces stories months apart that share agency, words and phrasing
(660 arrests in July 2014, 745 in March 2015), so topic similarity alone is not enough.
``cluster_articles`` runs in this order:

1. **Features.** TF-IDF over the body with the title counted ``title_weight`` times, a
   TF-IDF over the facts that tell events apart (names, numbers with the noun they count
   ("660 arrest"), years and months), and a TF-IDF over titles alone.
2. **Copies.** Near-verbatim copies (agency copy reprinted, one story under two URLs) are
   found with MinHash LSH over word 4-gram shingles and marked ``duplicate_of`` the earliest
   copy. Copies always share a cluster, however far apart they were published.
3. **Neighbour graph.** Articles are sorted by publication time and compared block by block
   only with those published within ``window_days``; each keeps its ``max_neighbors`` most
   likely partners. Articles without a date are compared with all, in blocks (so an
   undated corpus still costs time quadratic in its size, though never an all-pairs
   matrix). Each pair is weighed by a logistic model of "same event" (``PairModel``) over
   thirteen pieces of evidence (``PAIR_FEATURES``): how alike words, facts and titles are,
   whether both dwell on, and open with, the same names (Rahman against Thompson in two
   title fights of one boxer), whether they count the same thing differently (660 arrests
   against 745), whether their dates meet. The model shipped is fitted on ECB+
   (``bench/cluster.py --fit``); ``fit_pair_model`` fits one on a user's own annotated
   events. Two dated articles inside the window that share a name, number or date gain up
   to ``time_weight`` log odds, falling linearly to 0 at the window's edge: a regional
   report with a local angle shares few words with the release, but was published the same
   morning. Pairs sharing under ``_RELATED`` cosine of words and of facts are not weighed.
4. **Linkage.** Average linkage on that sparse graph (a missing edge counts as probability
   0): two groups merge while the mean probability over all their article pairs reaches
   ``threshold`` (0.5: more likely one event than not). Unlike single linkage, one bridging
   article cannot chain two stories. On ECB+ (``bench/cluster.py``) this gives B-cubed F1
   0.921 with 9 % of look-alike event pairs and 3.3 % of their article pairs merged; with
   the model refitted on half of the topics and scored on the other half (24 random
   halvings), F1 0.920 and 13 % of look-alike event pairs merged on average (9 % to 27 %
   by halving).
5. **Labels and ids.** A label saying who, how many and what ("National Crime Agency ·
   45 forces · 660 suspects · operation · arrested"); an id from its earliest article, or
   the id of the ``previous`` cluster it extends.
"""

from __future__ import annotations

import calendar
import functools
import heapq
import itertools
import logging
import re
import struct
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC

import numpy as np
import scipy.sparse as sp
from datasketch import MinHash, MinHashLSH
from datasketch.minhash import _fmix
from dateutil.parser import isoparse
from scipy.special import expit
from sklearn.feature_extraction.text import (
    ENGLISH_STOP_WORDS,
    CountVectorizer,
    TfidfTransformer,
)
from sklearn.preprocessing import normalize

from coverage_cmp.model import Article, Cluster, ClusterMember, Fact
from coverage_cmp.pair_model import (  # the first two re-exported: callers import them here
    DEFAULT_PAIR_MODEL,  # noqa: F401
    PAIR_FEATURES,  # noqa: F401
    PairModel,
)
from coverage_cmp.settings import ClusterSettings

logger = logging.getLogger(__name__)

FactFinder = Callable[[str, str | None], list[Fact]]
"""``(text, published) -> facts``, the shape of ``coverage_cmp.extract.facts.extract_facts``."""

_DAY_S = 86_400.0
_LEAD_CHARS = 300
_COHESIVE_SIZE = 5  # below this, a group's own mean similarity says little
_RELATED = 0.05
_SHARED_FACTS = 1  # position of "facts" (their cosine) in PAIR_FEATURES
_BLOCK_ROWS = 256
_ANCHORS = 20
_ANCHOR_MAX_DF = 64
_UNDATED_BLOCK_ROWS = 64
_ALL_UNDATED_PAIRS = 5000
_NUM_PERM = 64
_SHINGLE_WORDS = 4
_WORD_CHUNK = 1000
_MINHASH_CHUNK = 4096  # shingles permuted at once: 64 x 4096 x 4 bytes stay in cache
_LABEL_NUMBERS = 2
_LABEL_PARTS = 5
_GENERIC_NOUNS = frozenset({"people", "person", "time", "year", "month", "week", "day", "hour",
                            "minute", "other", "more", "percent", "per"})
# words after a number that say when or how old, not what is counted: "35 years old",
# "12 years ago", "7 p.m."
_NOT_COUNTS = frozenset({"old", "ago", "later", "earlier", "p", "pm", "am"})
# what a number above one counts is plural ("45 forces"), or one of these: "53 victory",
# "9 southern", "108 worth" read the word after the number, not what it counts
_COUNTED_AS_WRITTEN = frozenset({"people", "children", "men", "women", "police", "staff",
                                 "crew", "feet", "teeth", "sheep", "fish", "deer", "million",
                                 "billion", "trillion", "thousand", "hundred", "dozen",
                                 "percent", "mph", "km", "kg", "mm", "cm", "lb", "ft"})
_WORD_PATTERN = r"(?u)\b[^\W\d_][^\W\d_'-]+\b"
_WORD = re.compile(r"\w+")

_MONTHS = [month.casefold() for month in calendar.month_name[1:]]
_MONTH_NUMBERS = {month[:3]: number for number, month in enumerate(_MONTHS, start=1)}
# Patterns open with a character (no look-behind), which lets ``re`` skip ahead fast;
# ``_after_boundary`` checks the character before a match instead.
_NAME = re.compile(r"[A-Z][\w'&.-]*[A-Za-z0-9]"
                   r"(?:[ \t]+(?:(?:of|de|van|von|al|the)[ \t]+)?[A-Z][\w'&.-]*[A-Za-z0-9])*")
# a run of digits, commas and points, then the number itself is checked: four times faster
# than trying the number's two forms at every digit
_QUANTITY = re.compile(r"(\d[\d,.]*)[ \t]+((?:[a-z][a-z-]*[ \t]+){0,2})")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:1[89]|20)\d\d\b")
_MONTH_YEAR = re.compile(r"(" + "|".join(m[:3].capitalize() + f"(?:{m[3:]})?" for m in _MONTHS)
                         + r")\b\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?)?\s*,?\s+(1[89]\d\d|20\d\d)\b")
_DAYS_AND_MONTHS = frozenset(_MONTHS) | {day.casefold() for day in calendar.day_name}
_NOT_NAMES = (frozenset(ENGLISH_STOP_WORDS) | _DAYS_AND_MONTHS
              | {"mr", "mrs", "ms", "dr", "said", "says", "according", "however", "meanwhile",
                 "chief", "deputy", "director", "general", "constable", "detective",
                 "inspector", "officer", "superintendent", "sergeant", "president",
                 "minister", "secretary", "spokesman", "spokeswoman", "spokesperson"})


def cluster_articles(articles: Sequence[Article], settings: ClusterSettings, *,
                     previous: Sequence[Cluster] = (),
                     facts: FactFinder | None = None,
                     model: PairModel | None = None,
                     progress: Callable[[str], None] | None = None) -> list[Cluster]:
    """Group articles by the event they report; every article lands in exactly one cluster.

    Args:
        articles: All articles to cluster, including those already in ``previous`` clusters
            (those clusters are rebuilt from the articles given here).
        settings: Threshold, time window and feature weights.
        previous: Clusters from an earlier run. Their articles stay together and keep the
            cluster's id; new articles may join them; two previous clusters never merge.
        facts: Finds names, numbers and dates in a text (e.g.
            ``coverage_cmp.extract.facts.extract_facts``); defaults to
            ``quick_fact_tokens``, fast patterns that need no model.
        model: The same-event model weighing each pair's evidence, e.g. from
            ``fit_pair_model`` on one's own annotated articles; ``settings.model`` (by
            default ``DEFAULT_PAIR_MODEL``, fitted on ECB+) unless given.
        progress: Called with each stage's name as it finishes (``"fact tokens"``,
            ``"features"``, ``"duplicates"``, ``"graph"``, ``"linkage"``, ``"clusters"``),
            e.g. to time the stages.

    Returns:
        Clusters, earliest first, each listing its articles earliest first.
    """
    if not articles:
        return []
    stamps = np.array([_timestamp(a.published) for a in articles], dtype=np.float64)
    order = sorted(range(len(articles)), key=lambda i: _sort_key(articles[i], stamps[i]))
    docs = [articles[i] for i in order]
    times = stamps[order]
    finished = progress or (lambda stage: None)
    if facts is None:
        token_lists = [quick_fact_tokens(doc.text) for doc in docs]
    else:
        token_lists = [fact_tokens(facts(doc.text, doc.published)) for doc in docs]
    finished("fact tokens")
    features = _features(docs, token_lists, settings)
    finished("features")
    model = model or settings.model
    duplicate_pairs = _duplicate_pairs(features.body_words, settings.duplicate_threshold)
    finished("duplicates")
    graph = _neighbour_graph(features, times, settings, model)
    graph = _with_pairs(graph, features, model, duplicate_pairs)
    finished("graph")

    locked = _previous_groups(docs, previous)
    forced = [pair for group in locked.values() for pair in zip(group, group[1:], strict=False)]
    forced += duplicate_pairs
    owner = _owner_of(locked, len(docs))
    labels = _average_linkage(graph, settings.threshold, forced, owner,
                              settings.cohesion)
    finished("linkage")

    duplicate_of = _earliest_copies(len(docs), duplicate_pairs)
    clusters = _build_clusters(docs, labels, duplicate_of, features, locked)
    finished("clusters")
    return clusters


def quick_fact_tokens(text: str) -> list[tuple[str, str]]:
    """Feature tokens of names, numbers with the noun they count, years and months.

    The fallback when no fact finder is given: patterns only, fast enough for millions of
    articles (it builds no ``Fact`` records), giving the same tokens ``fact_tokens`` gives.
    """
    tokens = _quick_name_tokens(text)
    for match in _QUANTITY.finditer(text):
        if _after_boundary(text, match.start(), also=".,") and _NUMBER.fullmatch(match[1]):
            value = match.group(1).replace(",", "")
            tokens.append(("num:" + value, match.group(1)))
            subject = _counted_noun(match.group(2).split())
            if subject:
                tokens.append((f"num:{value} {_stem(subject)}", f"{match.group(1)} {subject}"))
    for match in _MONTH_YEAR.finditer(text):
        if _after_boundary(text, match.start()):
            month = _MONTH_NUMBERS[match.group(1)[:3].casefold()]
            tokens.append((f"date:{match.group(2)}-{month:02d}", match.group()))
    for match in _YEAR.finditer(text):
        if _after_boundary(text, match.start()):
            tokens.append(("date:" + match.group(), match.group()))
    return tokens


def _quick_name_tokens(text: str) -> list[tuple[str, str]]:
    """The name tokens of ``quick_fact_tokens``: runs of capitalised words, without the
    function and role words that open them; one capitalised word opening a sentence is
    not taken for a name."""
    tokens: list[tuple[str, str]] = []
    for match in _NAME.finditer(text):
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue  # begins inside a word
        name = match.group()
        if " " not in name and "\t" not in name:
            folded = name.casefold()
            if folded not in _NOT_NAMES and not _starts_sentence(text, start):
                tokens.append(("name:" + folded, name))
            continue
        words = name.split()
        while words and words[0].casefold() in _NOT_NAMES:
            words = words[1:]
        tokens.extend(_name_tokens(" ".join(words)))
    return tokens


def fact_tokens(found: Sequence[Fact]) -> list[tuple[str, str]]:
    """Feature tokens (key, readable form) for facts, so different wordings of one fact meet.

    Names of any kind share one key space, because pattern-based finders cannot tell a
    person from a place; numbers count once bare and once with their subject.
    """
    tokens: list[tuple[str, str]] = []
    for fact in found:
        value = str(fact.value if fact.value is not None else fact.text).strip()
        if not value:
            continue
        if fact.kind in ("person", "organisation", "place"):
            tokens.extend(_name_tokens(value))
        elif fact.kind in ("quantity", "money", "percent"):
            unit = fact.unit if fact.kind != "quantity" and fact.unit else ""
            tokens.append((f"num:{value}{unit}", fact.text))
            if fact.subject:
                subject = _stem(fact.subject.split()[-1].casefold())
                tokens.append((f"num:{value}{unit} {subject}", f"{fact.text} {fact.subject}"))
        elif fact.kind == "date":
            tokens.append(("date:" + value[:10], fact.text))
        else:
            tokens.append((f"{fact.kind}:{fact.text.casefold()}", fact.text))
    return tokens


@dataclass
class _Features:
    """Row-normalised feature matrices, what is needed to label clusters, and the bodies'
    words for the copy shingles."""

    matrix: sp.csr_matrix
    words: sp.csr_matrix
    word_names: np.ndarray
    facts: sp.csr_matrix
    fact_names: np.ndarray
    fact_idf: np.ndarray
    fact_surfaces: dict[str, str]
    salient: sp.csr_matrix
    salient_profile: sp.csr_matrix
    mentioned: sp.csr_matrix
    titles: sp.csr_matrix
    numbers: sp.csr_matrix
    dates: sp.csr_matrix
    counted: sp.csr_matrix
    subjects: sp.csr_matrix
    lead: sp.csr_matrix
    body_words: _WordRuns


def _features(docs: Sequence[Article], fact_token_lists: Sequence[list[tuple[str, str]]],
              settings: ClusterSettings) -> _Features:
    """Weighted words, facts and titles (each L2-normalised) and the fact groups that the
    pair model compares apart."""
    vocabulary = _vocabulary()
    bodies = _word_runs([doc.text for doc in docs], vocabulary)
    heads = _word_runs([doc.title or "" for doc in docs], vocabulary)
    word_names, column_of = _tfidf_columns(vocabulary)
    title_counts = _counts(heads, column_of, len(word_names))
    words = _tfidf(_counts(bodies, column_of, len(word_names))
                   + title_counts * np.float32(settings.title_weight), sublinear=True)
    in_titles = np.flatnonzero(title_counts.getnnz(axis=0))
    titles = _tfidf(title_counts[:, in_titles], sublinear=False)

    # the first surface of each key, as the earliest article wrote it
    surfaces = dict(reversed(list(itertools.chain.from_iterable(fact_token_lists))))
    fact_vectorizer = CountVectorizer(analyzer=_keys, dtype=np.float32)
    fact_counts = _fit(fact_vectorizer, fact_token_lists)
    fact_names = _names(fact_vectorizer, fact_counts)
    fact_transformer = TfidfTransformer()
    fact_matrix = (fact_transformer.fit_transform((fact_counts > 0).astype(np.float32)).tocsr()
                   if fact_counts.shape[1] else fact_counts)

    is_name = np.fromiter((key.startswith("name:") and " " not in key for key in fact_names),
                          dtype=bool, count=len(fact_names))
    name_column = {str(key): i for i, key in enumerate(fact_names[is_name])}
    lead_rows, lead_columns = [], []
    for row, doc in enumerate(docs):
        lead = (doc.title or "") + "\n" + doc.text[:_LEAD_CHARS]
        for column in {name_column[k] for k, _ in _quick_name_tokens(lead) if k in name_column}:
            lead_rows.append(row)
            lead_columns.append(column)
    lead = sp.csr_matrix((np.ones(len(lead_rows), dtype=np.float32), (lead_rows, lead_columns)),
                         shape=(len(docs), len(name_column)))
    name_counts = fact_counts[:, np.flatnonzero(is_name)]
    mentioned = (name_counts > 0).astype(np.float32)
    salient = _normalized(name_counts.multiply(name_counts >= 2).tocsr(), norm="l1")

    present = (fact_counts > 0).astype(np.float32).tocsr()
    is_number = np.fromiter((key.startswith("num:") for key in fact_names), dtype=bool,
                            count=len(fact_names))
    is_counted = is_number & np.fromiter((" " in key for key in fact_names), dtype=bool,
                                         count=len(fact_names))
    is_date = np.fromiter((key.startswith("date:") for key in fact_names), dtype=bool,
                          count=len(fact_names))
    counted = present[:, np.flatnonzero(is_counted)]
    subject_of = [str(key).split(" ", 1)[1] for key in fact_names[is_counted]]
    subject_columns = {subject: i for i, subject in enumerate(dict.fromkeys(subject_of))}
    to_subject = sp.csr_matrix(
        (np.ones(len(subject_of), dtype=np.float32),
         (np.arange(len(subject_of)), [subject_columns[x] for x in subject_of])),
        shape=(len(subject_of), len(subject_columns)))

    # the combined cosine only picks anchors for undated corpora; the pair model weighs
    # words and facts apart
    matrix = _normalized(sp.hstack([words, fact_matrix], format="csr"))
    return _Features(
        matrix=matrix.astype(np.float32),
        words=words,
        word_names=word_names,
        facts=fact_matrix,
        fact_names=fact_names,
        fact_idf=fact_transformer.idf_ if fact_counts.shape[1] else np.array([]),
        fact_surfaces=surfaces,
        salient=salient.tocsr(),
        salient_profile=_normalized(salient),
        mentioned=mentioned.tocsr(),
        titles=titles,
        numbers=present[:, np.flatnonzero(is_number)],
        dates=present[:, np.flatnonzero(is_date)],
        counted=counted,
        subjects=((counted @ to_subject) > 0).astype(np.float32).tocsr(),
        lead=_normalized(lead, norm="l1"),
        body_words=bodies,
    )


def _normalized(matrix: sp.csr_matrix, norm: str = "l2") -> sp.csr_matrix:
    """Rows scaled to unit ``norm``; a matrix without columns (no article names anyone)
    stays as it is, where scikit-learn's ``normalize`` refuses it."""
    if matrix.shape[1] == 0:
        return sp.csr_matrix(matrix, dtype=np.float32)
    return normalize(matrix, norm=norm).tocsr()


def _keys(tokens: list[tuple[str, str]]) -> list[str]:
    """The feature keys of ``(key, surface)`` fact tokens."""
    return [key for key, _ in tokens]


def _fit(vectorizer: CountVectorizer, inputs: list) -> sp.csr_matrix:
    """Fit and transform, giving an empty matrix when the inputs hold no tokens at all."""
    try:
        return vectorizer.fit_transform(inputs).tocsr()
    except ValueError:  # empty vocabulary: no words or no facts in any article
        return sp.csr_matrix((len(inputs), 0), dtype=np.float32)


def _names(vectorizer: CountVectorizer, matrix: sp.csr_matrix) -> np.ndarray:
    if matrix.shape[1] == 0:
        return np.array([], dtype=object)
    return vectorizer.get_feature_names_out()


@dataclass(frozen=True)
class _WordRuns:
    """The words of some texts as numbers into one vocabulary, text after text.

    One tokenisation serves the word and title TF-IDF and the copy shingles: cutting the
    texts into words once is most of what building the features costs.
    """

    codes: np.ndarray
    lengths: np.ndarray


def _vocabulary() -> defaultdict[bytes, int]:
    """Word numbers: a new word gets the next number."""
    numbers: defaultdict[bytes, int] = defaultdict()
    numbers.default_factory = numbers.__len__
    return numbers


def _word_runs(texts: Sequence[str], vocabulary: defaultdict[bytes, int]) -> _WordRuns:
    """The ``_words`` of each text, numbered through ``vocabulary`` (which grows),
    ``_WORD_CHUNK`` texts at a time so the word strings never all exist at once."""
    codes: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    for start in range(0, len(texts), _WORD_CHUNK):
        word_lists = [_words(text) for text in texts[start:start + _WORD_CHUNK]]
        chunk_lengths = np.fromiter(map(len, word_lists), dtype=np.int64, count=len(word_lists))
        codes.append(np.fromiter(map(vocabulary.__getitem__,
                                     itertools.chain.from_iterable(word_lists)),
                                 dtype=np.int32, count=int(chunk_lengths.sum())))
        lengths.append(chunk_lengths)
    if not codes:
        return _WordRuns(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))
    return _WordRuns(np.concatenate(codes), np.concatenate(lengths))


def _tfidf_columns(vocabulary: dict[bytes, int]) -> tuple[np.ndarray, np.ndarray]:
    """The words the TF-IDF counts, sorted, and each vocabulary word's column (-1: none).

    A word counts when scikit-learn's ``TfidfVectorizer`` with ``_WORD_PATTERN`` and
    English stop words would count it: within a run of word characters there is no word
    boundary, so the pattern finds exactly the runs that match it whole.
    """
    whole_word = re.compile(_WORD_PATTERN)
    kept = sorted(word for word in (key.decode() for key in vocabulary)
                  if whole_word.fullmatch(word) and word not in ENGLISH_STOP_WORDS)
    column_of = np.full(len(vocabulary), -1, dtype=np.int64)
    column_of[[vocabulary[word.encode()] for word in kept]] = np.arange(len(kept))
    return np.array(kept, dtype=object), column_of


def _counts(runs: _WordRuns, column_of: np.ndarray, n_columns: int) -> sp.csr_matrix:
    """How often each text has each counted word."""
    columns = column_of[runs.codes]
    counted = columns >= 0
    rows = np.repeat(np.arange(len(runs.lengths)), runs.lengths)[counted]
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, columns[counted])),
                         shape=(len(runs.lengths), n_columns))


def _tfidf(counts: sp.csr_matrix, *, sublinear: bool) -> sp.csr_matrix:
    """TF-IDF rows (L2-normalised) of word counts, as ``TfidfVectorizer`` weighs them."""
    counts.eliminate_zeros()  # a title counted 0 times leaves explicit zeros
    if counts.shape[1] == 0:
        return counts
    return TfidfTransformer(sublinear_tf=sublinear).fit_transform(counts).tocsr()


def _duplicate_pairs(words: _WordRuns, threshold: float) -> list[tuple[int, int]]:
    """Pairs (earlier, later) of near-verbatim copies, by MinHash LSH on word shingles.

    Texts with words are banded as datasketch's ``MinHashLSH`` bands them (its number of
    bands and rows for the threshold); two texts with equal values in one band are
    candidates, as ``MinHashLSH.query`` would return them, and are kept when their
    estimated Jaccard similarity (what ``MinHash.jaccard`` gives) reaches ``threshold``.
    Grouping equal bands in numpy finds the same candidates as inserting every text into
    the index and querying it, without Python calls per text and band.
    """
    hashes, counts = _shingle_hashes(words)
    values = _minhash_values(hashes, counts, MinHash(num_perm=_NUM_PERM, scheme="affine32"))
    # candidates from a lower threshold: with 64 permutations, LSH tuned at the threshold
    # itself missed the fixtures' trade copy (Jaccard 0.91, estimated 0.84)
    index = MinHashLSH(threshold=max(0.05, threshold - 0.1), num_perm=_NUM_PERM)
    shingled = np.flatnonzero(counts)
    if len(shingled) < 2:
        return []
    candidates: set[tuple[int, int]] = set()
    for start, end in index.hashranges:
        bands = values[shingled, start:end]
        order = np.lexsort(bands.T)  # equal bands side by side, earlier texts first
        bucket = np.cumsum(np.r_[True, np.any(bands[order[1:]] != bands[order[:-1]], axis=1)])
        shared = np.bincount(bucket)[bucket] > 1
        bounds = np.flatnonzero(np.diff(bucket[shared])) + 1
        for members in np.split(shingled[order[shared]], bounds):
            candidates.update(itertools.combinations(members.tolist(), 2))
    if not candidates:
        return []
    earlier, later = np.array(sorted(candidates)).T
    estimates = np.count_nonzero(values[earlier] == values[later], axis=1) / np.float64(_NUM_PERM)
    copies = estimates >= threshold
    return list(zip(earlier[copies].tolist(), later[copies].tolist(), strict=True))


def _minhash_values(hashes: np.ndarray, counts: np.ndarray, template: MinHash) -> np.ndarray:
    """Hash values, one row per text, of MinHashes like ``template`` (scheme affine32) each
    updated with one text's shingle hashes (``counts[i]`` of ``hashes`` for text ``i``).

    The values ``MinHash.update_batch`` gives, with datasketch's own pre-mix and the
    template's permutations applied to ``_MINHASH_CHUNK`` shingles at a time in numpy
    instead of a Python call per shingle. A text without shingles keeps the template's.
    """
    a, b = template.permutations
    mixed = _fmix(hashes, 32)  # hashes are uint32, the scheme's width
    ends = np.cumsum(counts)
    starts = ends - counts
    shingled = np.flatnonzero(counts)
    shingled_ends = ends[shingled]
    values = np.tile(template.hashvalues[:, None], (1, len(counts)))
    first = 0
    while first < len(shingled):
        begin = starts[shingled[first]]
        last = max(first + 1, int(np.searchsorted(shingled_ends, begin + _MINHASH_CHUNK,
                                                  side="right")))
        rows = shingled[first:last]
        permuted = np.multiply.outer(a, mixed[begin:ends[rows[-1]]])
        permuted += b[:, None]
        values[:, rows] = np.minimum.reduceat(permuted, starts[rows] - begin, axis=1)
        first = last
    return values.T


def _shingle_hashes(words: _WordRuns) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of the texts' word 4-grams (a shorter text is one shingle), text after
    text, and how many each text has.

    Equal shingles get equal hashes because the words are numbered through one vocabulary;
    the windows of ``_WORD_CHUNK`` texts at a time are combined at once in numpy, far
    faster than hashing every shingle string; the result is deterministic for the same
    input.
    """
    hashes: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    ends = np.cumsum(words.lengths)
    for start in range(0, len(words.lengths), _WORD_CHUNK):
        lengths = words.lengths[start:start + _WORD_CHUNK]
        first = ends[start] - lengths[0]
        codes = words.codes[first:ends[start + len(lengths) - 1]].astype(np.uint64)
        chunk_hashes, windows = _combined_windows(codes, lengths)
        hashes.append(chunk_hashes)
        counts.append(windows)
    if not hashes:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    return np.concatenate(hashes), np.concatenate(counts)


# ASCII bytes ``_WORD`` does not match become spaces; the bytes of other characters stay
_NON_WORD_ASCII_TO_SPACE = (bytes(b if _WORD.fullmatch(chr(b)) else 32 for b in range(128))
                            + bytes(range(128, 256)))
_NON_WORD_NON_ASCII = re.compile(r"[^\w\x00-\x7f]")


def _words(text: str) -> list[bytes]:
    """The words ``_WORD`` finds in the lower-cased text (as ``TfidfVectorizer`` lowers
    it), UTF-8 encoded.

    Non-word characters become spaces and the text is split there, twice as fast as
    ``findall``: ASCII ones by one byte translation, after any others (curly quotes,
    dashes, no-break spaces).
    """
    text = text.lower()
    if not text.isascii():
        text = _NON_WORD_NON_ASCII.sub(" ", text)
    return text.encode().translate(_NON_WORD_ASCII_TO_SPACE).split()


def _combined_windows(codes: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the word windows of consecutive texts whose word numbers are ``codes``, and
    how many windows each text has."""
    windows = np.maximum(lengths - _SHINGLE_WORDS + 1, np.minimum(lengths, 1))
    ends = np.cumsum(lengths)
    window_ends = np.cumsum(windows)
    text_end = np.repeat(ends, windows)
    start = (np.repeat(ends - lengths - (window_ends - windows), windows)
             + np.arange(window_ends[-1] if len(windows) else 0))
    padded = np.r_[codes, np.zeros(_SHINGLE_WORDS - 1, dtype=codes.dtype)]
    combined = padded[start] + np.uint64(1)
    for offset in range(1, _SHINGLE_WORDS):
        following = padded[start + offset]
        following[start + offset >= text_end] = 0  # past the end of a text shorter than that
        combined = combined * np.uint64(1_000_003) + following
    combined *= np.uint64(0x9E3779B97F4A7C15)  # spread the bits (Fibonacci hashing)
    return (combined >> np.uint64(32)).astype(np.uint32), windows


def _neighbour_graph(features: _Features, times: np.ndarray, settings: ClusterSettings,
                     model: PairModel) -> sp.csr_matrix:
    """Symmetric sparse graph of each article's most similar articles within the window.

    ``times`` is sorted, with articles without a date (NaN) last. Dated articles are
    compared with those published within the window. Up to ``_ALL_UNDATED_PAIRS`` undated
    articles are compared with all; beyond, an undated article only with the articles
    sharing one of its anchors (``_anchors``), so the time stays below quadratic.
    """
    matrix = features.matrix
    n = matrix.shape[0]
    window_s = settings.window_days * _DAY_S
    floor = settings.threshold / 2
    n_dated = int(np.count_nonzero(~np.isnan(times)))
    dated_times = times[:n_dated]
    exact = n - n_dated <= _ALL_UNDATED_PAIRS
    # anchors only serve undated articles
    anchors = _anchors(matrix) if n_dated < n else sp.csr_matrix(matrix.shape, dtype=np.float32)
    undated_anchors = anchors[n_dated:]
    rows, cols, sims = [], [], []
    for block_rows in _blocks(anchors, n_dated):
        if block_rows[0] < n_dated:
            low = int(np.searchsorted(dated_times, times[block_rows[0]] - window_s, side="left"))
            high = int(np.searchsorted(dated_times, times[block_rows[-1]] + window_s,
                                       side="right"))
            if exact:
                undated_candidates = np.arange(n_dated, n)
            else:
                sharing = (anchors[block_rows] @ undated_anchors.T).tocsr()
                undated_candidates = n_dated + np.unique(sharing.indices)
            candidates = np.r_[np.arange(low, high), undated_candidates]
        elif exact:
            candidates = np.arange(n)
        else:
            candidates = np.unique((anchors[block_rows] @ anchors.T).tocsr().indices)
        if not len(candidates):
            continue
        # only pairs sharing ``_RELATED`` cosine of words or of facts are weighed: timing
        # alone never makes two stories one, and in a dense window most candidates are
        # unrelated (nine in ten of a busy day's), so the pair model runs on far fewer pairs
        words, facts = _text_cosines(features, block_rows, candidates)
        weighed = (np.maximum(words, facts) >= _RELATED) & (candidates[None, :]
                                                            != block_rows[:, None])
        if block_rows[0] < n_dated:
            gap = np.abs(times[block_rows, None] - times[None, candidates])
            weighed &= ~(gap > window_s)  # undated candidates (NaN gaps) stay
        at = np.nonzero(weighed)
        if not len(at[0]):
            continue
        evidence = _pair_features(features, block_rows, candidates, at, (words[at], facts[at]))
        log_odds = model.log_odds(evidence)
        if block_rows[0] < n_dated:
            gaps = gap[at]
            # a local angle shares few words with the release but came out the same morning,
            # naming the agency or a figure of it; two unrelated stories of one busy morning
            # that share no name, number or date gain nothing from their timing
            timely = (gaps <= window_s) & (evidence[:, _SHARED_FACTS] > 0)
            closeness = 1.0 - gaps[timely] / window_s if window_s else 1.0
            log_odds[timely] += np.float32(settings.time_weight) * closeness
        probability = expit(log_odds)  # no overflow warning for large log odds
        kept = _top_neighbours(at[0], probability, settings.max_neighbors, floor)
        rows.append(block_rows[at[0][kept]])
        cols.append(candidates[at[1][kept]])
        sims.append(probability[kept])
    if not rows:
        return sp.csr_matrix((n, n), dtype=np.float32)
    graph = sp.csr_matrix((np.concatenate(sims), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n, n), dtype=np.float32)
    return graph.maximum(graph.T).tocsr()


def _anchors(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Each article's ``_ANCHORS`` heaviest features found in 2 to ``_ANCHOR_MAX_DF``
    articles, with their weights (the rest dropped).

    Articles of one event share some of their rarer heavy words and facts, so undated
    articles meet their neighbours through an inverted index on these, not by comparing
    every pair. Features in more articles than that are topic words: they would make
    every block a comparison with most of the corpus.
    """
    n, n_features = matrix.shape
    document_frequency = np.bincount(matrix.indices, minlength=n_features)
    eligible = ((document_frequency[matrix.indices] >= 2)
                & (document_frequency[matrix.indices] <= _ANCHOR_MAX_DF))
    row_of = np.repeat(np.arange(n), np.diff(matrix.indptr))
    weight = np.where(eligible, matrix.data, 0.0)
    order = np.lexsort((-weight, row_of))  # by row, heaviest first
    rank = np.arange(len(order)) - matrix.indptr[row_of[order]]
    keep = order[(rank < _ANCHORS) & (weight[order] > 0)]
    return sp.csr_matrix((matrix.data[keep], (row_of[keep], matrix.indices[keep])),
                         shape=matrix.shape)


def _blocks(anchors: sp.csr_matrix, n_dated: int) -> list[np.ndarray]:
    """Row blocks: dated articles in publication order, then undated ones grouped by their
    heaviest anchor, so one block's articles share most of their candidates."""
    blocks = [np.arange(start, min(start + _BLOCK_ROWS, n_dated))
              for start in range(0, n_dated, _BLOCK_ROWS)]
    n = anchors.shape[0]
    undated = anchors[n_dated:].tocoo()
    heaviest = np.full(n - n_dated, -1)
    by_weight = np.lexsort((-undated.data, undated.row))
    first_of_row = np.diff(undated.row[by_weight], prepend=-1) != 0
    heaviest[undated.row[by_weight][first_of_row]] = undated.col[by_weight][first_of_row]
    order = n_dated + np.lexsort((np.arange(n - n_dated), heaviest))
    blocks += [order[start:start + _UNDATED_BLOCK_ROWS]
               for start in range(0, len(order), _UNDATED_BLOCK_ROWS)]
    return blocks


def fit_pair_model(articles: Sequence[Article], events: Sequence[str],
                   settings: ClusterSettings, *, neighbours: int = 30,
                   regularisation: float = 1.0) -> PairModel:
    """Fit the same-event model on articles whose events are known.

    Training pairs are what clustering meets: each article with its ``neighbours`` most
    similar by the combined cosine, plus every pair of one event. A corpus of one domain
    (court reporting, sport) can be fitted on a few hundred annotated articles this way;
    similarities and evidence are worked out a block of rows at a time, so 10,000
    annotated articles fit in about 5 s and 0.4 GB.
    """
    from sklearn.linear_model import LogisticRegression

    if len(articles) != len(events):
        raise ValueError("give one event per article")
    sizes = np.unique(np.asarray(events), return_counts=True)[1]
    if len(sizes) < 2 or sizes.max() < 2:
        raise ValueError("fitting needs two events or more, one of them with two articles")
    features = _features(articles, [quick_fact_tokens(a.text) for a in articles], settings)
    n = len(articles)
    label = np.unique(np.asarray(events), return_inverse=True)[1]
    rows, columns = _training_pairs(features.matrix, label, min(neighbours, n - 1))
    blocks = []
    for start, end, inside in _row_blocks(rows, n):
        partners = np.unique(columns[inside])
        blocks.append(_pair_features(features, np.arange(start, end), partners, (
            rows[inside] - start, np.searchsorted(partners, columns[inside]))))
    pair_features = np.concatenate(blocks)
    model = LogisticRegression(C=regularisation, max_iter=5000)
    model.fit(pair_features, label[rows] == label[columns])
    return PairModel(weights=tuple(round(float(w), 4) for w in model.coef_[0]),
                     bias=round(float(model.intercept_[0]), 4))


def _training_pairs(matrix: sp.csr_matrix, label: np.ndarray,
                    k: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (row < column, in row order) of each article with its ``k`` most similar by
    ``matrix`` cosine, and of every two articles with one ``label``; similarities are
    found ``_BLOCK_ROWS`` rows at a time, so no matrix of all against all is built."""
    n = matrix.shape[0]
    firsts, seconds = [], []
    for start in range(0, n if k > 0 else 0, _BLOCK_ROWS):
        block = np.arange(start, min(start + _BLOCK_ROWS, n))
        cosine = (matrix[start:block[-1] + 1] @ matrix.T).toarray()
        cosine[np.arange(len(block)), block] = -1.0
        firsts.append(np.repeat(block, k))
        seconds.append(np.argpartition(-cosine, k - 1, axis=1)[:, :k].ravel())
    for members in np.split(np.argsort(label, kind="stable"),
                            np.flatnonzero(np.diff(np.sort(label))) + 1):
        first, second = np.triu_indices(len(members), k=1)
        firsts.append(members[first])
        seconds.append(members[second])
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    keys = np.unique(np.minimum(first, second).astype(np.int64) * n + np.maximum(first, second))
    keys = keys[keys // n != keys % n]
    return keys // n, keys % n


def _row_blocks(rows: np.ndarray, n: int) -> Iterator[tuple[int, int, slice]]:
    """``(start, end, which)`` for each block of ``_BLOCK_ROWS`` rows: the positions of
    ``rows`` (sorted) that fall in it."""
    for start in range(0, n, _BLOCK_ROWS):
        low, high = np.searchsorted(rows, [start, start + _BLOCK_ROWS])
        if high > low:
            yield start, min(start + _BLOCK_ROWS, n), slice(low, high)


def _pair_features(features: _Features, rows: np.ndarray, columns: np.ndarray,
                   at: tuple[np.ndarray, np.ndarray] | None,
                   cosines: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """``PAIR_FEATURES`` of the article pairs ``(rows[i], columns[j])`` for ``(i, j)`` in
    ``at``, or for every pair of the grid, row by row, when ``at`` is None: one row of
    features per pair.

    Products run over the grid of ``rows`` and ``columns``; only the pairs asked for are
    weighed, often a tenth of the grid. ``cosines``: the pairs' word and fact cosines when the
    caller has them already.
    """
    row_index, column_index = _as_slice(rows), _as_slice(columns)
    if at is None:  # the whole grid: no positions to gather
        def pick(grid: np.ndarray) -> np.ndarray:
            return grid.ravel()

        def of_rows(values: np.ndarray) -> np.ndarray:
            return np.repeat(values, len(columns))

        def of_columns(values: np.ndarray) -> np.ndarray:
            return np.tile(values, len(rows))
    else:
        row_at, column_at = at

        def pick(grid: np.ndarray) -> np.ndarray:
            return grid[row_at, column_at]

        def of_rows(values: np.ndarray) -> np.ndarray:
            return values[row_at]

        def of_columns(values: np.ndarray) -> np.ndarray:
            return values[column_at]

    def product(left: sp.csr_matrix, right: sp.csr_matrix) -> np.ndarray:
        # reading the pairs from a dense copy is far faster than sampling the sparse one
        return pick((left[row_index] @ right[column_index].T).toarray())

    def cosine(matrix: sp.csr_matrix) -> np.ndarray:
        return product(matrix, matrix)

    def row_sums(matrix: sp.csr_matrix) -> np.ndarray:
        return of_rows(np.asarray(matrix[row_index].sum(axis=1)).ravel())

    def column_sums(matrix: sp.csr_matrix) -> np.ndarray:
        return of_columns(np.asarray(matrix[column_index].sum(axis=1)).ravel())

    def any_in_rows(matrix: sp.csr_matrix) -> np.ndarray:
        return row_sums(matrix) > 0

    def any_in_columns(matrix: sp.csr_matrix) -> np.ndarray:
        return column_sums(matrix) > 0

    def jaccard(present: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        shared = cosine(present)
        row_counts, column_counts = row_sums(present), column_sums(present)
        union = row_counts + column_counts - shared
        return shared / np.maximum(union, 1.0), shared

    if cosines is None:
        words, facts = cosine(features.words), cosine(features.facts)
    else:
        words, facts = cosines
    salient, mentioned, lead = features.salient, features.mentioned, features.lead
    kept_by_columns = product(salient, mentioned)
    kept_by_rows = product(mentioned, salient)
    both_dwell = any_in_rows(salient) & any_in_columns(salient)
    kept_min = np.where(both_dwell, np.minimum(kept_by_columns, kept_by_rows), 1.0)
    kept_max = np.where(both_dwell, np.maximum(kept_by_columns, kept_by_rows), 1.0)
    lead_rows_kept = product(lead, mentioned)
    lead_columns_kept = product(mentioned, lead)
    has_lead = any_in_rows(lead) & any_in_columns(lead)
    lead_absent_min = np.where(has_lead, 1.0 - np.maximum(lead_rows_kept, lead_columns_kept), 0.0)
    lead_absent_max = np.where(has_lead, 1.0 - np.minimum(lead_rows_kept, lead_columns_kept), 0.0)
    names_shared, _ = jaccard(mentioned)
    numbers_shared, _ = jaccard(features.numbers)
    dates_shared, _ = jaccard(features.dates)
    counts_in_common = cosine(features.counted)
    subjects_in_common = cosine(features.subjects)
    return np.stack([
        words,
        facts,
        cosine(features.titles),
        kept_min,
        kept_max,
        names_shared,
        numbers_shared,
        (subjects_in_common >= 1) & (counts_in_common == 0),
        counts_in_common >= 1,
        dates_shared,
        cosine(features.salient_profile),
        lead_absent_min,
        lead_absent_max,
    ], axis=-1).astype(np.float32)


def _text_cosines(features: _Features, rows: np.ndarray,
                  columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of the words and of the facts of every (row, column) pair."""
    row_index, column_index = _as_slice(rows), _as_slice(columns)
    words = (features.words[row_index] @ features.words[column_index].T).toarray()
    facts = (features.facts[row_index] @ features.facts[column_index].T).toarray()
    return words, facts


def _as_slice(indices: np.ndarray) -> slice | np.ndarray:
    """A run of consecutive indices as a slice (CSR rows slice far faster than they gather)."""
    if len(indices) and indices[-1] - indices[0] == len(indices) - 1 \
            and np.all(np.diff(indices) == 1):
        return slice(int(indices[0]), int(indices[-1]) + 1)
    return indices


def _top_neighbours(rows: np.ndarray, probability: np.ndarray, k: int,
                    floor: float) -> np.ndarray:
    """Positions of each row's ``k`` most likely pairs at or above ``floor`` (on a tie,
    the earlier pair)."""
    above = np.flatnonzero(probability >= floor)
    order = above[np.lexsort((-probability[above], rows[above]))]  # by row, likeliest first
    first_of_row = np.r_[0, np.flatnonzero(np.diff(rows[order])) + 1]
    rank = np.arange(len(order)) - np.repeat(first_of_row, np.diff(np.r_[first_of_row,
                                                                        len(order)]))
    return order[rank < k]


def _with_pairs(graph: sp.csr_matrix, features: _Features, model: PairModel,
                pairs: Sequence[tuple[int, int]]) -> sp.csr_matrix:
    """Add the probability of given pairs (copies published outside the window) to the graph.

    Pairs are weighed ``_BLOCK_ROWS`` at a time (the diagonal of each block), so many
    copies never build a matrix of all copies against all.
    """
    if not pairs:
        return graph
    first, second = np.array(pairs).T
    probabilities = np.concatenate([
        model.probability(_pair_features(
            features, first[start:start + _BLOCK_ROWS], second[start:start + _BLOCK_ROWS],
            (np.arange(len(first[start:start + _BLOCK_ROWS])),) * 2))
        for start in range(0, len(first), _BLOCK_ROWS)])
    extra = sp.csr_matrix((probabilities, (first, second)), shape=graph.shape, dtype=np.float32)
    return graph.maximum(extra).maximum(extra.T).tocsr()


def _previous_groups(docs: Sequence[Article],
                     previous: Sequence[Cluster]) -> dict[str, list[int]]:
    """Indices of the given articles in each previous cluster (only clusters still present)."""
    position = {doc.id: i for i, doc in enumerate(docs)}
    groups: dict[str, list[int]] = {}
    seen: set[int] = set()
    for cluster in previous:
        members = sorted(position[m.id] for m in cluster.articles
                         if m.id in position and position[m.id] not in seen)
        if members:
            groups[cluster.id] = members
            seen.update(members)
    return groups


def _owner_of(groups: dict[str, list[int]], n: int) -> list[str | None]:
    owner: list[str | None] = [None] * n
    for cluster_id, members in groups.items():
        for i in members:
            owner[i] = cluster_id
    return owner


def _average_linkage(graph: sp.csr_matrix, threshold: float,
                     forced: Sequence[tuple[int, int]],
                     owner: Sequence[str | None], cohesion: float = 0.0) -> np.ndarray:
    """Average-linkage agglomeration over a sparse similarity graph; cluster index per node.

    Linkage of two groups = sum of edge similarities between them / (size product), with
    missing edges as 0. ``forced`` pairs are merged first, whatever their similarity;
    groups owned by two different previous clusters never merge. Then the pair with the
    highest linkage (the lowest first node, then second, on a tie) merges while that
    reaches ``threshold`` (at least 0). Two groups of ``_COHESIVE_SIZE`` nodes or more
    also need a linkage of ``cohesion`` times the looser one's own mean similarity (over
    its pairs, missing edges as 0): the pairs of two tight groups may average above the
    threshold and still be two events (``ClusterSettings.cohesion``).

    Pairs are keyed by one int each, ordered as ``(-linkage, first, second)`` would be:
    the linkage's IEEE bits inverted (bits of floats from 0 up rise with the value), then
    the two nodes; the heap runs twice as fast as on tuples. The heap holds for each group
    no more than its best pair, or a key at least as good: a merge only lowers the linkage
    of the groups around it (an average of two), so their entries stay optimistic. A
    popped pair whose key computed now is the same is the best of all and merges; an
    outdated one puts back the best pairs of the groups it stood for. One entry per group
    instead of one per pair keeps the heap small where stories have many look-alike
    neighbours (at 80,000 articles, half the time). The cohesion guard keeps this exact: a
    pair's linkage, and whether it may merge, change only when one of its groups merges,
    and the group a merge forms weighs all its pairs at once.
    """
    n = graph.shape[0]
    graph = sp.triu(graph, k=1).tocoo()
    links: list[dict[int, float]] = [{} for _ in range(n)]
    for i, j, sim in zip(graph.row.tolist(), graph.col.tolist(), graph.data.tolist(),
                         strict=True):
        links[i][j] = sim
        links[j][i] = sim
    size = [1] * n
    inner = [0.0] * n  # sum of the similarities within each group
    parent = list(range(n))
    owners = list(owner)
    owned = any(owners)
    shift = max(n - 1, 1).bit_length()
    node_mask = (1 << shift) - 1
    float_bytes = struct.Struct("<d").pack
    highest_bits = (1 << 63) - 1

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def conflict(a: int, c: int) -> bool:
        return bool(owners[a] and owners[c] and owners[a] != owners[c])

    def key(linkage: float, a: int, c: int) -> int:
        first, second = (a, c) if a < c else (c, a)
        linkage_bits = int.from_bytes(float_bytes(linkage + 0.0), "little")  # +0.0: no -0.0
        return ((highest_bits - linkage_bits) << 2 * shift) | (first << shift) | second

    def own_mean(a: int) -> float:
        return inner[a] / (size[a] * (size[a] - 1) / 2)

    def cohesive_enough(a: int, c: int, linkage: float) -> bool:
        return (not cohesion or size[a] < _COHESIVE_SIZE or size[c] < _COHESIVE_SIZE
                or linkage >= cohesion * min(own_mean(a), own_mean(c)))

    def best(a: int) -> int | None:
        """The key of the best pair group ``a`` may merge in, if any reaches threshold:
        the highest linkage, then the lowest other group (which orders as the key does)."""
        top, partner = threshold, -1
        size_a = size[a]
        for c, total in links[a].items():
            linkage = total / (size_a * size[c])
            if (linkage > top or (linkage == top and (partner < 0 or c < partner))) \
                    and not (owned and conflict(a, c)) and cohesive_enough(a, c, linkage):
                top, partner = linkage, c
        return key(top, a, partner) if partner >= 0 else None

    def push_best(a: int) -> None:
        pair = best(a)
        best_of[a] = pair
        if pair is not None:
            heapq.heappush(heap, pair)

    def merge(a: int, b: int) -> int:
        if len(links[a]) < len(links[b]):
            a, b = b, a
        a_links, b_links, links[b] = links[a], links[b], {}
        b_links.pop(a, None)
        inner[a] += inner[b] + a_links.pop(b, 0.0)
        for c, total in b_links.items():
            c_links = links[c]
            del c_links[b]
            a_links[c] = c_links[a] = a_links.get(c, 0.0) + total
        parent[b] = a
        size[a] += size[b]
        owners[a] = owners[a] or owners[b]
        return a

    for i, j in forced:
        a, b = find(i), find(j)
        if a != b and not conflict(a, b):
            merge(a, b)
    heap: list[int] = []
    best_of: list[int | None] = [None] * n  # the entry standing for each group's best pair
    for a in range(n):
        if parent[a] == a:
            push_best(a)
    while heap:
        pair = heapq.heappop(heap)
        a, b = (pair >> shift) & node_mask, pair & node_mask
        if parent[a] == a and parent[b] == b and not conflict(a, b) and b in links[a]:
            linkage = links[a][b] / (size[a] * size[b])
            if key(linkage, a, b) == pair and cohesive_enough(a, b, linkage):
                push_best(merge(a, b))
                continue
        for group in (a, b):  # merged or changed since: the best pairs it stood for go back
            if parent[group] == group and best_of[group] == pair:
                push_best(group)
    return np.array([find(i) for i in range(n)])


def _earliest_copies(n: int, pairs: Sequence[tuple[int, int]]) -> list[int | None]:
    """For each article, the earliest article of its group of copies (None for the earliest).

    Articles are sorted earliest first, so the smallest index of a group is its earliest.
    """
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    roots = [find(i) for i in range(n)]
    return [None if root == i else root for i, root in enumerate(roots)]


def _build_clusters(docs: Sequence[Article], labels: np.ndarray,
                    duplicate_of: Sequence[int | None], features: _Features,
                    locked: dict[str, list[int]]) -> list[Cluster]:
    """Cluster records, earliest first, with labels, spans, outlets and stable ids."""
    roots, members_of = np.unique(labels, return_inverse=True)
    membership = sp.csr_matrix(
        (np.ones(len(docs), dtype=np.float32), (members_of, np.arange(len(docs)))),
        shape=(len(roots), len(docs)))
    word_weights = (membership @ features.words).tocsr()
    fact_counts = (membership @ (features.facts > 0).astype(np.float32)).tocsr()
    terms = _LabelTerms.of(features)
    previous_id = {members[0]: cluster_id for cluster_id, members in locked.items()}
    groups: list[list[int]] = [[] for _ in roots]
    for i, group in enumerate(members_of.tolist()):
        groups[group].append(i)
    clusters = []
    for group, indices in sorted(enumerate(groups), key=lambda item: item[1][0]):
        cluster_id = next((previous_id[i] for i in indices if i in previous_id), None)
        published = [docs[i].published for i in indices if docs[i].published]
        clusters.append(Cluster(
            id=cluster_id or "c-" + docs[indices[0]].id,
            label=_label(_row(word_weights, group), _row(fact_counts, group), terms,
                         len(indices)),
            articles=[ClusterMember(
                id=docs[i].id, source=docs[i].source, outlet=docs[i].outlet,
                published=docs[i].published,
                duplicate_of=docs[duplicate_of[i]].id if duplicate_of[i] is not None else None,
            ) for i in indices],
            first_published=published[0] if published else None,
            last_published=published[-1] if published else None,
            outlets=sorted({docs[i].outlet for i in indices if docs[i].outlet}),
        ))
    return clusters


def _row(matrix: sp.csr_matrix, row: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns and values of one row, without building a one-row matrix."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    return matrix.indices[start:end], matrix.data[start:end]


@dataclass
class _LabelTerms:
    """The feature names labels are made of, and their kinds, looked up once for all
    clusters."""

    fact_keys: list[str]
    fact_idf: np.ndarray
    is_name: np.ndarray
    is_number: np.ndarray
    has_space: np.ndarray
    fact_surfaces: dict[str, str]
    word_names: list[str]

    @classmethod
    def of(cls, features: _Features) -> _LabelTerms:
        keys = features.fact_names.tolist()
        return cls(
            fact_keys=keys,
            fact_idf=features.fact_idf,
            is_name=np.array([key.startswith("name:") for key in keys], dtype=bool),
            is_number=np.array([key.startswith("num:") for key in keys], dtype=bool),
            has_space=np.array([" " in key for key in keys], dtype=bool),
            fact_surfaces=features.fact_surfaces,
            word_names=features.word_names.tolist(),
        )


def _label(words: tuple[np.ndarray, np.ndarray], facts: tuple[np.ndarray, np.ndarray],
           terms: _LabelTerms, size: int) -> str:
    """Who, how many and what: "NCA · 660 arrests · 45 forces · paedophiles · operation".

    The name most of the cluster's articles give (the rarer in the whole input on a tie),
    then its ``_LABEL_NUMBERS`` most telling counts (articles giving them times their
    rarity), each read with the noun it counts, a specific noun before "people" or "years",
    then its heaviest words not already said, up to ``_LABEL_PARTS`` parts; a word of a
    name the cluster gives is shown as that name ("Sarah Palin", not "sarah"), unless a word
    of that name was said already. A number is shown when two of the cluster's articles or
    more give it (or its one article does) and some article reads it with the noun it
    counts (a plural for numbers above one): a bare "33" (an age), a year (the date span
    says when) or a number with a leading zero (a time, a telephone number) tells a reader
    little. ``words``
    and ``facts`` are the cluster's word weights and fact counts (columns, values) over its
    ``size`` articles.
    """
    columns, counts = facts
    keys = terms.fact_keys
    parts: list[str] = []
    is_name = terms.is_name[columns]
    name_columns = columns[is_name]
    long_name_words = {word for column in name_columns[terms.has_space[name_columns]].tolist()
                       for word in keys[column][5:].split()}
    names = [(count, idf, keys[column]) for column, count, idf, long in zip(
        name_columns.tolist(), counts[is_name].tolist(),
        terms.fact_idf[name_columns].tolist(), terms.has_space[name_columns].tolist(),
        strict=True) if long or keys[column][5:] not in long_name_words]
    if names:
        parts.append(_trimmed(terms.fact_surfaces[max(names)[2]]))
    is_number = terms.is_number[columns]
    number_columns, number_counts = columns[is_number], counts[is_number]
    counted_by_number: dict[str, list[tuple[bool, float, str]]] = {}
    subject = terms.has_space[number_columns]
    for column, count in zip(number_columns[subject].tolist(), number_counts[subject].tolist(),
                             strict=True):
        number, noun = keys[column].split(" ", 1)
        if noun not in _NOT_COUNTS and _is_count(number[4:]) \
                and _reads_as_count(terms.fact_surfaces[keys[column]]):
            counted_by_number.setdefault(number, []).append(
                (noun not in _GENERIC_NOUNS, count, keys[column]))
    bare = number_columns[~subject]
    # articles giving a number times its rarity, in the precision of the features (ties)
    telling = -(number_counts[~subject] * terms.fact_idf[bare])
    ranked = sorted(zip(telling.tolist(), [keys[c] for c in bare.tolist()],
                        number_counts[~subject].tolist(), strict=True))
    for key in [key for _, key, given_by in ranked
                if key in counted_by_number and given_by >= min(2, size)][:_LABEL_NUMBERS]:
        # "660 arrests" reads better than "660 people"
        parts.append(terms.fact_surfaces[max(counted_by_number[key])[2]])
    said = " ".join(parts).casefold()
    name_of_word = _names_by_word(names, terms.fact_surfaces)
    for column in _heaviest(*words, 4 * _LABEL_PARTS):
        if len(parts) >= _LABEL_PARTS:
            break
        word = terms.word_names[column]
        shown = name_of_word.get(word, word)
        if word not in said and not (shown != word and set(shown.casefold().split())
                                     & set(said.split())):
            parts.append(shown)
            said += " " + shown.casefold()
    return " · ".join(parts)


def _is_count(value: str) -> bool:
    """Whether a number read in a text can be a count: not a year, no leading zero."""
    leading_zero = len(value) > 1 and value[0] == "0" and value[1] != "."
    return not leading_zero and not _YEAR.fullmatch(value)


def _reads_as_count(surface: str) -> bool:
    """Whether "<number> <noun>" as written reads as a count: one of something, or a plural
    ("45 forces", "70 people"), not "53 victory" or "9 southern"."""
    number, noun = surface.rsplit(" ", 1)
    noun = noun.casefold()
    return (number.replace(",", "") == "1" or noun in _COUNTED_AS_WRITTEN
            or (noun.endswith("s") and not noun.endswith("ss")))


def _trimmed(name: str) -> str:
    """A name as written without the day or month after it, which the capitalised run took
    in: "Queens Friday" reads "Queens"."""
    words = name.split()
    while len(words) > 1 and words[-1].casefold().rstrip(".") in _DAYS_AND_MONTHS:
        words.pop()
    return " ".join(words)


def _names_by_word(names: list[tuple[float, float, str]],
                   surfaces: dict[str, str]) -> dict[str, str]:
    """Each word of the names a cluster gives often (in two articles or more, and in at
    least a third as many as its most given name), mapped to the most given such name of
    two words or more as written, else to itself as written: label words are lower case,
    and "sarah" and "palin" read as "Sarah Palin", "chargers" as "Chargers"."""
    if not names:
        return {}
    most = max(count for count, _, _ in names)
    often = [(" " in key, count, -len(key), key) for count, _, key in names
             if count >= max(2, most / 3)]
    name_of_word: dict[str, str] = {}
    for *_, key in sorted(often, reverse=True):
        for word in key[5:].split():
            if word not in _NOT_NAMES:  # "deputy" stays a word, not "Deputy Jerry Ortiz"
                name_of_word.setdefault(word, _trimmed(surfaces[key]))
    return name_of_word


def _heaviest(columns: np.ndarray, weights: np.ndarray, count: int) -> list[int]:
    """The columns of the ``count`` largest weights, ties broken by column."""
    order = np.lexsort((columns, -weights))[:count]
    return columns[order].tolist()


@functools.lru_cache(maxsize=1 << 16)
def _name_tokens(name: str) -> tuple[tuple[str, str], ...]:
    """A name, and each word of a longer name, so "Lohan" later meets "Lindsay Lohan".

    Cached: names recur across a corpus, and this runs for every capitalised run of words.
    """
    if not name:
        return ()
    words = name.split()
    if len(words) == 1:
        return (("name:" + name.casefold(), name),)
    return (("name:" + name.casefold(), name),
            *(("name:" + word.casefold(), word) for word in words
              if len(word) > 2 and word.casefold() not in _NOT_NAMES))


def _after_boundary(text: str, start: int, also: str = "") -> bool:
    """True when the match at ``start`` does not begin inside a word (or after ``also``)."""
    if start == 0:
        return True
    before = text[start - 1]
    return not (before.isalnum() or before == "_" or before in also)


def _starts_sentence(text: str, start: int) -> bool:
    """True when only white space and opening quotes separate ``start`` from a sentence end."""
    before = text[max(0, start - 4):start].rstrip(" \t\"'`\u201c\u2018")
    return not before or before[-1] in ".!?\n:"


def _counted_noun(words: list[str]) -> str | None:
    """The noun a number counts: "660 suspected paedophiles across" -> "paedophiles"."""
    kept = []
    for word in words:
        if word in ENGLISH_STOP_WORDS:
            break
        kept.append(word)
    nouns = [word for word in kept if not word.endswith("ed")]
    return nouns[-1] if nouns else (kept[0] if kept else None)


def _stem(word: str) -> str:
    """Crude plural folding so "arrests" and "arrest" meet."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _timestamp(published: str | None) -> float:
    """Seconds since the epoch (UTC; a date without zone counts as UTC), NaN if unknown."""
    if not published:
        return float("nan")
    try:
        moment = isoparse(published)
    except (ValueError, OverflowError):
        logger.debug("unreadable publication date %r; comparing as undated", published)
        return float("nan")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _sort_key(article: Article, moment: float) -> tuple[bool, float, str, str]:
    """Earliest first, undated last; ties by id then source, so input order does not matter.

    ``moment`` is the article's ``_timestamp``, parsed once by the caller.
    """
    undated = bool(np.isnan(moment))
    return (undated, 0.0 if undated else moment, article.id, article.source)
