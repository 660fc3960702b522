"""Accuracy of compare: on the notarise fixtures, and on pairs built from real text.

Fixtures (``fixtures/notarise/expected.json``), on ground-truth and on extracted bodies:
departure recall by status, false flags in the near-verbatim copy, reuse label accuracy.

Built pairs (``../shared/data``): a reference is a real article (benchmark bodies, ECB+
texts); a report is made from it by known edits, so every word's origin is known:

- ``wholly-derived``: paragraphs trimmed and moved, sentences copied or reworded
  (synonym swaps, a clause dropped), numbers changed or hedged;
- ``partially-derived``: the same on part of the reference, plus paragraphs of another
  article (of the same event for ECB+): the local angle, other sources;
- ``non-derived``: another ECB+ text of the same event, written independently; half of
  them also carry a quoted sentence of the reference (both reporters heard the speaker).

Word truth: copied words in unchanged runs of 4 or more are ``verbatim``, other words of a
copied or reworded sentence ``rewrite``, words of other articles ``new``. Fact truth, on
derived pairs whose new text is of an unrelated article: each reference count is ``same``,
``changed``, ``qualified`` or ``omitted`` by construction, a count in an inserted paragraph
``added``. Quote truth: a reference quote whose sentences
are all copied unchanged is ``verbatim``, partly dropped ``trimmed``, reworded ``altered``,
all dropped ``omitted``; speakers are never changed, so the speaker figure only checks
that a kept speaker is not called changed or missing.

Thresholds of the reuse label are chosen by 5-fold cross-validation on the built pairs (the
figure printed is the mean held-out macro-F1); the chosen values are the defaults of
``CompareSettings``. These pairs are easier than real agency copy: rewording here is
mechanical and nothing is paraphrased by a person. Expect lower figures on real data.

Run: ``.venv/bin/python bench/compare_accuracy.py``
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from coverage_cmp.compare import compare_articles
from coverage_cmp.compare.align import QuoteSpans
from coverage_cmp.extract.facts import extract_facts
from coverage_cmp.extract.quotes import extract_quotes
from coverage_cmp.extract.text import paragraphs, sentences, words
from coverage_cmp.model import Article, Extraction, ReportComparison
from coverage_cmp.settings import CompareSettings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
LABELS = ("wholly-derived", "partially-derived", "non-derived")
KINDS = ("verbatim", "rewrite", "new")
COUNT_KINDS = ("quantity", "money", "percent", "duration")
_SYNONYM_PAIRS = (
    "said:stated told:informed big:large help:assist buy:purchase start:begin show:reveal "
    "shows:reveals showed:revealed began:started police:officers people:residents "
    "government:authorities home:house children:youngsters car:vehicle cars:vehicles "
    "died:perished killed:slain city:town new:fresh plan:scheme plans:schemes "
    "company:firm companies:firms week:seven_days month:four_weeks year:twelve_months "
    "announced:declared later:afterwards before:prior_to after:following about:around "
    "many:numerous several:a_number_of also:additionally but:however because:as "
    "country:nation including:among_them must:has_to could:might would:was_going_to "
    "leader:chief officials:authorities member:representative members:representatives "
    "early:initial found:discovered find:discover need:require needs:requires "
    "used:employed use:employ important:significant major:key small:little "
    "large:sizeable high:elevated increase:rise support:backing "
    "group:organisation decision:ruling called:described_as "
    "added:went_on_to_say according:pursuant get:obtain got:obtained "
    "make:produce made:produced take:seize took:seized give:provide gave:provided "
    "say:state says:states think:believe thought:believed")
SYNONYMS = dict(pair.replace("_", " ").split(":") for pair in _SYNONYM_PAIRS.split())
_NUMBER = re.compile(r"^\d[\d,]*$")


# --- building pairs ---------------------------------------------------------------------

@dataclass
class Built:
    """A report made from a reference, with the origin of each of its words."""

    paragraphs: list[list[tuple[str, str, int | None, str | None]]] = field(
        default_factory=list)
    """Words: (text, kind, reference offset or None, fate): fate is ``same`` for a word
    copied unchanged, ``reworded`` for a synonym in its place, ``changed`` or ``qualified``
    for an edited number, None for a word of another article."""

    def text(self) -> tuple[str, list[tuple[int, int, str, int | None, str | None]]]:
        out, marks, at = [], [], 0
        for p, para in enumerate(self.paragraphs):
            if p:
                out.append("\n\n")
                at += 2
            for w, (word, kind, ref_at, fate) in enumerate(para):
                if w:
                    out.append(" ")
                    at += 1
                out.append(word)
                marks.append((at, at + len(word), kind, ref_at, fate))
                at += len(word)
        return "".join(out), marks


def detokenize(text: str) -> str:
    """ECB+ tokens back to prose: marks curled, no space before punctuation."""
    text = re.sub(r"``\s*", "“", text)
    text = re.sub(r"\s*''", "”", text)
    text = re.sub(r" ([,.;:!?%)])", r"\1", text)
    text = re.sub(r"([($]) ", r"\1", text)
    return re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)


def _sentence_words(text: str, span) -> list[tuple[str, int]]:
    return [(m.group(), span.start + m.start())
            for m in re.finditer(r"\S+", text[span.start:span.end])]


def _reword(tokens: list[tuple[str, int]], rng: random.Random
            ) -> list[tuple[str, bool, int | None]]:
    """Synonym swaps and one dropped clause: (word, changed, reference offset)."""
    out: list[tuple[str, bool, int | None]] = []
    for word, at in tokens:
        bare = word.strip(",.;:“”\"'").lower()
        if bare in SYNONYMS and rng.random() < 0.9:
            new = word.replace(word.strip(",.;:“”\"'"), SYNONYMS[bare], 1)
            out.extend((part, True, at) for part in new.split())
        else:
            out.append((word, False, at))
    commas = [i for i, (w, _, _) in enumerate(out[:-1]) if w.endswith(",")]
    if len(commas) >= 2 and rng.random() < 0.6:
        a, b = commas[0], commas[1]
        if b - a <= 8:
            out = out[:a] + [(out[a][0].rstrip(","), *out[a][1:])] + out[b + 1:]
    return out


def _number_edit(word: str, rng: random.Random) -> tuple[list[str], str]:
    """A number changed (another value) or qualified (rounded under a hedge)."""
    value = int(word.replace(",", "").rstrip(".,"))
    tail = word[len(word.rstrip(".,")):]
    if value >= 20 and rng.random() < 0.5:
        rounded = max(10, value - value % 10 if value < 100 else value - value % 100)
        return ["more", "than", f"{rounded:,}" + tail], "qualified"
    other = value + rng.choice([-1, 1]) * max(1, round(value * rng.uniform(0.2, 0.6)))
    return [f"{max(other, 1):,}" + tail], "changed"


def derive(reference: str, rng: random.Random, keep: float, reword: float,
           renumber: float) -> Built:
    """A report from the reference: paragraphs kept with ``keep``, moved, reworded."""
    built = Built()
    paras = [p for p in paragraphs(reference) if rng.random() < keep] or paragraphs(
        reference)[:1]
    if len(paras) > 3:
        i, j = rng.sample(range(1, len(paras)), 2)
        paras[i], paras[j] = paras[j], paras[i]
    for para in paras:
        words_out: list[tuple[str, str, int | None, str | None]] = []
        for span in sentences(reference[para.start:para.end]):
            span = type(span)(span.start + para.start, span.end + para.start)
            if rng.random() > 0.9:
                continue  # a sentence trimmed
            tokens = _sentence_words(reference, span)
            edited = (_reword(tokens, rng) if rng.random() < reword
                      else [(w, False, at) for w, at in tokens])
            # Runs of 4+ unchanged words are verbatim; the rest of the sentence rewrite.
            run: list[int] = []
            marks: list[str] = []
            for k, (_, changed, _) in enumerate(edited):
                if not changed:
                    run.append(k)
                if changed or k == len(edited) - 1:
                    marks.extend(["verbatim" if len(run) >= 4 else "rewrite"] * len(run))
                    if changed:
                        marks.append("rewrite")
                    run = []
            for (word, changed, at), kind in zip(edited, marks, strict=True):
                if changed:
                    words_out.append((word, kind, at, "reworded"))
                elif _NUMBER.match(word.rstrip(".,")) and rng.random() < renumber:
                    parts, fate = _number_edit(word, rng)
                    words_out.extend((p, "rewrite", at, fate) for p in parts)
                else:
                    words_out.append((word, kind, at, "same"))
        if words_out:
            built.paragraphs.append(words_out)
    return built


def add_new(built: Built, other: str, rng: random.Random, share: float) -> None:
    """Insert paragraphs of another article until ``share`` of the words are new."""
    pool = [other[p.start:p.end] for p in paragraphs(other)]
    rng.shuffle(pool)
    total = sum(len(p) for p in built.paragraphs)
    added = 0
    for text in pool:
        if added >= share * (total + added):
            break
        para = [(w, "new", None, None) for w in text.split()]
        built.paragraphs.insert(rng.randrange(len(built.paragraphs) + 1), para)
        added += len(para)


@dataclass
class Pair:
    label: str
    reference: Extraction
    report: Extraction
    marks: list[tuple[int, int, str, int | None, str | None]]
    facts_known: bool
    """Every count's fate is known: derived, and any new text is of an unrelated article
    (another report of the same event may share counts, so its counts are not ``added``)."""


def _extraction(text: str, source: str, scope: str) -> Extraction:
    return Extraction(Article(source=source, text=text, outlet=source, outlet_scope=scope),
                      extract_quotes(text), extract_facts(text))


def build_pairs(rng: random.Random) -> list[Pair]:
    truth = json.loads((DATA / "article-extraction-benchmark" / "ground-truth.json")
                       .read_text(encoding="utf-8"))
    bench = [item["articleBody"] for _, item in sorted(truth.items())
             if 250 <= len(item["articleBody"].split()) <= 1500]
    events: dict[str, list[str]] = defaultdict(list)
    for line in (DATA / "ecbplus-dev" / "ecbplus-dev.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        text = detokenize(row["text"])
        if len(text.split()) >= 120:
            events[row["event_cluster"]].append(text)
    groups = [texts for _, texts in sorted(events.items()) if len(texts) >= 2]
    pairs = []
    for n in range(150):
        if n % 2:
            reference = rng.choice(bench)
            other = rng.choice(bench)
        else:
            reference, other = rng.sample(rng.choice(groups), 2)
        label = LABELS[n % 3]
        if label == "non-derived":
            group = rng.choice(groups)
            reference, report_text = rng.sample(group, 2)
            built = Built([[(w, "new", None, None) for w in reference_para.split()]
                           for reference_para in report_text.split("\n") if reference_para])
            quoted = re.findall(r"“([^”]{40,300})”", reference)
            if quoted and rng.random() < 0.5:
                words_in = f"“{rng.choice(quoted)}” a spokesman said.".split()
                built.paragraphs.insert(rng.randrange(len(built.paragraphs) + 1),
                                        [(w, "verbatim", None, None) for w in words_in])
        elif label == "wholly-derived":
            built = derive(reference, rng, keep=rng.uniform(0.6, 1.0),
                           reword=rng.uniform(0.2, 0.7), renumber=0.3)
        else:
            built = derive(reference, rng, keep=rng.uniform(0.3, 0.8),
                           reword=rng.uniform(0.2, 0.7), renumber=0.3)
            add_new(built, other, rng, rng.uniform(0.2, 0.6))
        text, marks = built.text()
        pairs.append(Pair(label, _extraction(reference, f"ref-{n}", "agency"),
                          _extraction(text, f"report-{n}", "national"), marks,
                          label == "wholly-derived" or (label != "non-derived" and n % 2 == 1)))
    return pairs


# --- scoring ----------------------------------------------------------------------------

def f1(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def macro_f1(truth: list[str], predicted: list[str], classes: tuple[str, ...]) -> float:
    scores = []
    for c in classes:
        tp = sum(t == c == p for t, p in zip(truth, predicted, strict=True))
        fp = sum(p == c != t for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == c != p for t, p in zip(truth, predicted, strict=True))
        scores.append(f1(tp, fp, fn)[2])
    return sum(scores) / len(scores)


def word_labels(pair: Pair, result: ReportComparison) -> tuple[list[str], list[str]]:
    text = pair.report.article.text
    starts = [m[0] for m in pair.marks]
    truth, predicted = [], []
    segments = result.segments
    k = 0
    for span in words(text):
        i = max(0, _bisect(starts, span.start))
        truth.append(pair.marks[i][2])
        while k < len(segments) and segments[k].end <= span.start:
            k += 1
        predicted.append(segments[k].kind if k < len(segments) else "new")
    return truth, predicted


def _bisect(starts: list[int], at: int) -> int:
    return bisect.bisect_right(starts, at) - 1


def fact_items(pair: Pair, result: ReportComparison) -> tuple[list[tuple[str, str]], int]:
    """(truth, predicted) statuses of counts, and the predicted departures not in truth."""
    ref_fate: dict[int, str] = {}
    rep_origin: dict[int, tuple[int | None, str | None]] = {}
    for start, _, kind, ref_at, fate in pair.marks:
        if ref_at is not None and fate in ("same", "changed", "qualified"):
            ref_fate.setdefault(ref_at, fate)
        rep_origin[start] = (ref_at, fate if kind != "new" else "added")
    found: list[tuple[str, str]] = []
    by_ref = {}
    by_rep = {}
    for m in result.facts:
        fact = m.reference or m.report
        if fact.kind not in COUNT_KINDS:
            continue
        if m.reference:
            by_ref[m.reference.start] = m
        if m.report:
            by_rep[m.report.start] = m
    used = set()
    # Counts inside quotes are left to quote matching.
    ref_quoted, rep_quoted = QuoteSpans(pair.reference.quotes), QuoteSpans(pair.report.quotes)
    for fact in pair.reference.facts:
        if fact.kind not in COUNT_KINDS or ref_quoted.contains(fact.start, fact.end):
            continue
        number_at = [a for a in ref_fate if fact.start <= a < fact.end]
        truth = ref_fate[number_at[0]] if number_at else "omitted"
        match = next((m for m in result.facts if m.reference is not None
                      and m.reference.start == fact.start), None)
        found.append((truth, match.status if match else "missing"))
        used.add(id(match))
    starts = sorted(rep_origin)
    for fact in pair.report.facts:
        if fact.kind not in COUNT_KINDS or rep_quoted.contains(fact.start, fact.end):
            continue
        i = _bisect(starts, fact.start)
        ref_at, fate = rep_origin[starts[max(i, 0)]]
        if fate != "added":
            continue
        match = next((m for m in result.facts if m.report is not None
                      and m.report.start == fact.start), None)
        found.append(("added", match.status if match else "missing"))
        used.add(id(match))
    stray = sum(1 for m in result.facts if id(m) not in used and m.status != "same"
                and (m.reference or m.report).kind in COUNT_KINDS)
    return found, stray


def quote_items(pair: Pair, result: ReportComparison) -> list[tuple[str, str, str | None]]:
    """(truth status, predicted status, predicted speaker status) per reference quote."""
    kept: dict[int, bool] = {}  # reference word -> copied unchanged
    for _, _, _, ref_at, fate in pair.marks:
        if ref_at is not None:
            kept[ref_at] = fate == "same" or kept.get(ref_at, False)
    ref_text = pair.reference.article.text
    out = []
    for quote in pair.reference.quotes:
        if quote.kind != "direct":
            continue
        tokens = [m.start() + quote.start for m in re.finditer(r"\S+", quote.text)]
        starts = [_token_start(ref_text, t) for t in tokens]
        present = [s in kept for s in starts]
        unchanged = [kept.get(s, False) for s in starts]
        if not any(present):
            truth = "omitted"
        elif all(unchanged):
            truth = "verbatim"
        elif all(u or not p for u, p in zip(unchanged, present, strict=True)):
            truth = "trimmed"
        else:
            truth = "altered"
        matches = [m for m in result.quotes if m.reference == quote]
        if not matches:
            continue
        best = max(matches, key=lambda m: m.similarity)
        out.append((truth, best.status, best.speaker_status))
    return out


def _token_start(text: str, at: int) -> int:
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return at


# --- label thresholds by cross-validation -----------------------------------------------

def label_of(features: tuple[float, float], wholly: float, partially: float) -> str:
    narrative, _ = features
    if narrative >= wholly:
        return "wholly-derived"
    return "partially-derived" if narrative >= partially else "non-derived"


GRID = [round(x * 0.025, 3) for x in range(4, 40)]


def fit(items: list[tuple[tuple[float, float], str]]) -> tuple[float, float]:
    best, best_score = (0.9, 0.35), -1.0
    truth = [label for _, label in items]
    for partially, wholly in itertools.combinations(GRID, 2):
        predicted = [label_of(f, wholly, partially) for f, _ in items]
        score = macro_f1(truth, predicted, LABELS)
        if score > best_score:
            best, best_score = (wholly, partially), score
    return best


def cross_validate(items: list[tuple[tuple[float, float], str]], rng: random.Random
                   ) -> tuple[float, float]:
    order = list(range(len(items)))
    rng.shuffle(order)
    folds = [order[k::5] for k in range(5)]
    scores3, scores2 = [], []
    for fold in folds:
        held = set(fold)
        wholly, partially = fit([items[i] for i in order if i not in held])
        truth = [items[i][1] for i in fold]
        predicted = [label_of(items[i][0], wholly, partially) for i in fold]
        scores3.append(macro_f1(truth, predicted, LABELS))
        derived = [("derived" if t != "non-derived" else "non") for t in truth]
        guessed = [("derived" if p != "non-derived" else "non") for p in predicted]
        scores2.append(macro_f1(derived, guessed, ("derived", "non")))
    return sum(scores3) / 5, sum(scores2) / 5


# --- fixtures ---------------------------------------------------------------------------

def fixtures() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    import test_compare as tc

    for bodies in tc.BODIES:
        found: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for departure in tc.DEPARTURES:
            key = f"{departure['kind']}:{departure['status']}"
            total[key] += 1
            try:
                tc.test_planted_departure_is_found(departure, bodies)
                found[key] += 1
            except AssertionError:
                pass
        copy = tc.compared(bodies, tc.EXPECTED["near_verbatim"], "agency-wire.html")
        flags = (sum(s.kind != "verbatim" for s in copy.segments)
                 + sum(m.status != "verbatim" or m.speaker_status != "same"
                       for m in copy.quotes)
                 + sum(m.status != "same" for m in copy.facts))
        right = labelled = 0
        for name, meta in tc.ARTICLES.items():
            if meta["reuse_label"] and name != "nca-release.html":
                labelled += 1
                got = tc.compared(bodies, name, "nca-release.html").reuse.label
                right += got == meta["reuse_label"]
        print(f"fixtures ({bodies} bodies): departures found {sum(found.values())}/"
              f"{sum(total.values())}; false flags in the near-verbatim copy {flags}; "
              f"reuse labels {right}/{labelled}")
        print("   by status: " + ", ".join(f"{k} {found[k]}/{total[k]}" for k in sorted(total)))


def main() -> None:
    fixtures()
    rng = random.Random(5)
    pairs = build_pairs(rng)
    settings = CompareSettings()
    results = []
    for pair in pairs:
        (result,) = compare_articles([pair.reference, pair.report],
                                     references=[pair.reference.article.source],
                                     settings=settings).reports
        results.append(result)
    print(f"\nbuilt pairs: {len(pairs)} ({dict(Counter(p.label for p in pairs))}); "
          "synthetic edits, easier than real agency copy")
    items = [((r.reuse.narrative_reused_share, r.reuse.reused_share), p.label)
             for p, r in zip(pairs, results, strict=True)]
    cv3, cv2 = cross_validate(items, random.Random(0))
    wholly, partially = fit(items)
    print(f"reuse label, 5-fold CV macro-F1: {cv3:.3f} (3 classes), {cv2:.3f} "
          f"(derived vs non-derived); thresholds fitted on all: wholly {wholly}, "
          f"partially {partially}")
    truth_labels = [p.label for p in pairs]
    predicted = [r.reuse.label for r in results]
    print(f"reuse label with the settings' thresholds ({settings.wholly_derived}, "
          f"{settings.partially_derived}): macro-F1 "
          f"{macro_f1(truth_labels, predicted, LABELS):.3f}")
    truth_words: list[str] = []
    predicted_words: list[str] = []
    for pair, result in zip(pairs, results, strict=True):
        t, p = word_labels(pair, result)
        truth_words += t
        predicted_words += p
    for kind in KINDS:
        tp = sum(t == kind == p for t, p in zip(truth_words, predicted_words, strict=True))
        fp = sum(p == kind != t for t, p in zip(truth_words, predicted_words, strict=True))
        fn = sum(t == kind != p for t, p in zip(truth_words, predicted_words, strict=True))
        p_, r_, f_ = f1(tp, fp, fn)
        print(f"words {kind:8s}: P {p_:.3f} R {r_:.3f} F1 {f_:.3f} ({tp + fn} words)")
    facts: list[tuple[str, str]] = []
    stray = 0
    for pair, result in zip(pairs, results, strict=True):
        if not pair.facts_known:
            continue
        found, extra = fact_items(pair, result)
        facts += found
        stray += extra
    departures = [(t, p) for t, p in facts if t != "same" or p not in ("same", "missing")]
    tp = sum(t != "same" and p not in ("same", "missing") for t, p in departures)
    fp = sum(t == "same" for t, _ in departures) + stray
    fn = sum(t != "same" and p in ("same", "missing") for t, p in departures)
    p_, r_, f_ = f1(tp, fp, fn)
    statuses = ("same", "changed", "qualified", "added", "omitted")
    print(f"facts: detection P {p_:.3f} R {r_:.3f} F1 {f_:.3f}; status macro-F1 "
          f"{macro_f1([t for t, _ in facts], [p for _, p in facts], statuses):.3f} "
          f"({len(facts)} counts, {dict(Counter(t for t, _ in facts))})")
    quotes: list[tuple[str, str, str | None]] = []
    for pair, result in zip(pairs, results, strict=True):
        if pair.label != "non-derived":
            quotes += quote_items(pair, result)
    qs = ("verbatim", "trimmed", "altered", "omitted")
    accuracy = sum(t == p for t, p, _ in quotes) / max(1, len(quotes))
    speakers = [s for _, p, s in quotes if p not in ("omitted",)]
    print(f"quotes: status accuracy {accuracy:.3f}, macro-F1 "
          f"{macro_f1([t for t, _, _ in quotes], [p for _, p, _ in quotes], qs):.3f} "
          f"({len(quotes)} quotes, {dict(Counter(t for t, _, _ in quotes))}); speaker "
          f"kept as same {sum(s == 'same' for s in speakers)}/{len(speakers)}")
    print("\nnote: issue 5 targets are for held-out real agency copy (label macro-F1 >= 0.66, "
          "derived-vs-non >= 0.72, words new F1 >= 0.78; facts detection F1 >= 0.80, status "
          "macro-F1 >= 0.60; quotes accuracy >= 0.90, macro-F1 >= 0.60; speaker accuracy >= "
          "0.85). The pairs above are mechanical edits of real text, so their figures are an "
          "upper bound: no human paraphrase, no misattributed speaker (the speaker figure "
          "counts only false alarms), and some ECB+ 'independent' pairs share wire copy.")


if __name__ == "__main__":
    main()
