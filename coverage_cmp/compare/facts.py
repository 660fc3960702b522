"""Fact alignment: which numbers, places, titles and key verbs a report kept or changed.

Facts inside direct quotes are left to quote matching. What is compared:

- counts (quantity, money, percent, duration): paired by kind, subject and the similarity
  of their sentences. A subject is its head noun's group (``SUBJECT_GROUPS``: suspects,
  people and arrests count people) plus what sets the count apart: for people the stage
  of the case (``PEOPLE_STAGES``: "660 arrested" and "one charged" are two counts), else a
  prepositional qualifier ("children at serious risk" are not "children"). A subject
  that names no stage fits any stage of its group, at a value within a factor of two.
  A report count in a sentence naming a local place the reference sentence does not name
  is the local angle (``added``), never a changed national figure. Same value and hedge:
  ``same``; same value, other hedge, or a hedge that fits the reference value ("more than
  400" for 431): ``qualified``; else ``changed``.
- dates: ``same`` when the report has the date, ``added`` when only the report has it.
- places: lists of two or more nations or countries in one sentence ("England, Wales,
  Scotland and Northern Ireland"), paired by sentence; a different set is ``changed``.
- titles: per person, case and the organisation's part ("of the NCA", "NCA's") folded.
- key verbs (kind ``verb``, compare output only): in the sentences of paired counts, the
  verbs of ``VERB_FAMILIES`` ("safeguarded" vs "taken into care", "examined" vs
  "seized"); a family present on both sides with no verb class in common is ``changed``.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from coverage_cmp.compare.align import QuoteSpans, text_sentences
from coverage_cmp.compare.quotes import normalise, same_speaker
from coverage_cmp.model import Extraction, Fact, FactMatch, Quote

COUNT_KINDS = ("quantity", "money", "percent", "duration")
#: Head nouns that count the same thing.
SUBJECT_GROUPS = {
    "people": {"arrest", "arrests", "suspect", "suspects", "people", "person", "paedophile",
               "paedophiles", "man", "men", "woman", "women", "offender", "offenders"},
    "devices": {"device", "devices", "phone", "phones", "computer", "computers", "laptop",
                "laptops", "tablet", "tablets"},
    "forces": {"force", "forces"},
    "children": {"child", "children", "victim", "victims"},
    "properties": {"property", "properties", "home", "homes", "address", "addresses",
                   "house", "houses"},
}
#: Stages of a case: people at different stages are different counts ("660 arrested" and
#: "one charged"); the words of one stage count the same people. Checked in this order.
PEOPLE_STAGES = {
    "bail": r"bail(?:ed)?",
    "charge": r"charged|charges",
    "convict": r"convicted|jailed|sentenced",
    "arrest": r"arrests?|arrested|held|detained|suspects?|suspected",
}
_STAGE_PATTERNS = [(stage, re.compile(rf"\b(?:{pattern})\b"))
                   for stage, pattern in PEOPLE_STAGES.items()]
#: Prepositions that open a qualifier of the thing counted ("children at serious risk").
_PREPOSITIONS = {"at", "in", "on", "of", "with", "under", "from", "for", "without"}


@dataclasses.dataclass(frozen=True)
class Subject:
    """What a count is of: the head noun's group and what sets this count apart.

    ``qualifier`` is a case stage for people ("arrest", "charge", "bail") or a
    prepositional qualifier folded to its preposition and last word ("at risk"); ``None``
    when the subject says neither. "660 people" may be the 660 arrested, so an open
    qualifier fits a stage; plain "children" are not the "children at risk".
    """

    group: str
    qualifier: str | None = None

    def fits(self, other: Subject | None) -> int:
        """2 for the same thing counted, 1 when one side leaves the stage open, else 0."""
        if other is None or self.group != other.group:
            return 0
        if self.qualifier == other.qualifier:
            return 2
        open_stage = {self.qualifier, other.qualifier} - {None}
        return 1 if None in (self.qualifier, other.qualifier) and (
            open_stage <= PEOPLE_STAGES.keys()) else 0


@lru_cache(maxsize=4096)
def subject_of(subject: str | None) -> Subject | None:
    """The head noun's group plus the stage or prepositional qualifier of a count's subject.

    Cached: count pairing asks it for every pair of counts of a kind.

    "suspected paedophiles", "people arrested" and "arrested" are people at the arrest
    stage; "people released on bail" people at bail; "children at serious risk" children
    "at risk", apart from plain "children".
    """
    if not subject:
        return None
    folded = normalise(subject)
    stage = next((name for name, pattern in _STAGE_PATTERNS if pattern.search(folded)), None)
    words = folded.split()
    cut = next((k for k, word in enumerate(words) if k and word in _PREPOSITIONS), len(words))
    head, tail = words[:cut], words[cut:]
    group = next((g for word in head for g, members in SUBJECT_GROUPS.items()
                  if word in members), None)
    if group is None and stage is not None:
        group = "people"  # "660 arrested", "13 bailed": the people are implied
    if group is None:
        return Subject(head[-1]) if head else None
    if group == "people" and stage is not None:
        return Subject(group, stage)
    return Subject(group, f"{tail[0]} {tail[-1]}" if len(tail) > 1 else None)


def subject_group(subject: str | None) -> str | None:
    """The thing a count is of, folded: "suspected paedophiles" and "people" are people."""
    found = subject_of(subject)
    return found.group if found else None


#: Key verbs: classes of synonyms, grouped in families of claims that exclude each other.
VERB_FAMILIES = {
    "protection": {"safeguard": r"safeguard(?:ed|ing)?|protected|rescued",
                   "care": r"taken into care|put into care|placed in care"},
    "evidence": {"examine": r"examined|analysed|analyzed|checked|inspected",
                 "seize": r"seized|confiscated|recovered"},
    "offence": {"view": r"access(?:ing|ed)|view(?:ing|ed)|download(?:ing|ed)|looking at"
                        r"|possess(?:ing|ed)",
                "groom": r"groom(?:ing|ed)",
                "abuse": r"abus(?:ing|ed)"},
    "justice": {"arrest": r"arrested|held|detained",
                "charge": r"charged",
                "convict": r"convicted|jailed|sentenced"},
}
_VERB_PATTERNS = [
    (family, verb_class, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE))
    for family, classes in VERB_FAMILIES.items() for verb_class, pattern in classes.items()
]
#: Sentence similarity (token set ratio, 0-1) at which two counts of close value in
#: otherwise matching sentences are one count, whatever their nouns.
_SAME_SENTENCE = 0.8
#: How far after a count (characters) a county or town makes it a local count.
_LOCAL_REACH = 60
_LOCAL_UNITS = {"county", "city", "town", "region", "district"}
#: Hedges and the reference values they fit, as a ratio of the stated value.
_HEDGE_FITS = {
    "more than": (1.0, 1.25), "over": (1.0, 1.25), "at least": (1.0, 10.0),
    "nearly": (0.95, 1.0), "almost": (0.95, 1.0), "up to": (0.0, 1.0),
    "fewer than": (0.75, 1.0), "less than": (0.75, 1.0), "under": (0.75, 1.0),
    "around": (0.9, 1.1), "about": (0.9, 1.1), "some": (0.9, 1.1), "roughly": (0.9, 1.1),
    "approximately": (0.9, 1.1), "an estimated": (0.8, 1.2),
}


def _hedge_fits(qualifier: str | None, stated: float, true_value: float) -> bool:
    if not qualifier or not stated:
        return False
    low, high = _HEDGE_FITS.get(qualifier.casefold(), (0.9, 1.1))
    return low * stated <= true_value <= high * stated


#: Words the number reader takes for hedges that, before a duration, only say "during":
#: "over six months" is the same six months as "a six-month operation".
_DURATION_PREPOSITIONS = {"over", "across", "during", "for", "in"}


def hedge(fact: Fact) -> str:
    """The fact's hedge, folded; none for a duration's preposition."""
    qualifier = (fact.qualifier or "").casefold()
    if fact.kind == "duration" and qualifier in _DURATION_PREPOSITIONS:
        return ""
    return qualifier


def count_status(reference: Fact, report: Fact) -> str:
    """``same``, ``qualified`` or ``changed`` for two versions of one count."""
    if reference.value == report.value and reference.unit == report.unit:
        return "same" if hedge(reference) == hedge(report) else "qualified"
    try:
        stated, true_value = float(report.value), float(reference.value)
    except (TypeError, ValueError):
        return "changed"
    if reference.unit == report.unit and _hedge_fits(hedge(report), stated, true_value):
        return "qualified"
    return "changed"


class _Side:
    """One text's facts outside quotes, with sentences and their places (looked up by
    bisection and cached, so a long report costs no more than its length)."""

    def __init__(self, text: str, facts: Sequence[Fact], quotes: Sequence[Quote]) -> None:
        self.text = text
        inside = QuoteSpans(quotes)
        self.facts = [f for f in facts if not inside.contains(f.start, f.end)]
        self.sentences = [(s.start, s.end) for s in text_sentences(text)]
        self._starts = [start for start, _ in self.sentences]
        self._local = sorted((f.start, str(f.value)) for f in self.facts
                             if f.kind == "place" and (f.unit or "") in _LOCAL_UNITS)
        self._folded: dict[tuple[int, int], str] = {}
        self.verbs: dict[tuple[int, int], dict[str, list[tuple[str, int, int]]]] = {}
        """Key verbs by sentence span, filled by ``_verbs``."""

    def sentence_span(self, fact: Fact) -> tuple[int, int]:
        k = bisect.bisect_right(self._starts, fact.start) - 1
        if k >= 0 and fact.start < self.sentences[k][1]:
            return self.sentences[k]
        return fact.start, fact.start

    def sentence(self, fact: Fact) -> str:
        where = self.sentence_span(fact)
        if where not in self._folded:
            self._folded[where] = normalise(self.text[where[0]:where[1]])
        return self._folded[where]

    def local_places(self, fact: Fact) -> set[str]:
        """Counties and towns named just after a count ("14 people ... in Lincolnshire")."""
        end = min(self.sentence_span(fact)[1], fact.end + _LOCAL_REACH)
        k = bisect.bisect_left(self._local, (fact.end, ""))
        found = set()
        while k < len(self._local) and self._local[k][0] < end:
            found.add(self._local[k][1])
            k += 1
        return found


@dataclasses.dataclass(frozen=True)
class FactReferences:
    """The references' side of fact matching, read once for every report."""

    extractions: list[Extraction]
    sides: list[_Side]
    """Each reference's facts outside quotes, with its sentences (folded ones cached)."""


def prepare_fact_references(references: Sequence[Extraction]) -> FactReferences:
    """Read the references' facts and sentences once, for matching many reports."""
    return FactReferences(list(references),
                          [_Side(ref.article.text, ref.facts, ref.quotes) for ref in references])


def match_facts(references: Sequence[Extraction] | FactReferences, report: Extraction
                ) -> list[FactMatch]:
    """Every compared fact of the references and of the report, with its status.

    The report is set against the first reference (the release); a count it adds is then
    looked for in the other references in turn (an agency copy can be the source of a
    figure the release lacks), and is ``added`` only when none has it.

    Args:
        references: the references with their facts, or
            ``prepare_fact_references(references)`` when matching many reports.
        report: the report with its facts.

    Returns:
        Matches in reference order, then the report's ``added`` facts in report order;
        each names the reference it was set against.
    """
    if not isinstance(references, FactReferences):
        references = prepare_fact_references(references)
    (first, *others) = zip(references.extractions, references.sides, strict=True)
    matches = _match_one(*first, report, report.facts)
    for other in others:
        added = {id(m.report): k for k, m in enumerate(matches) if m.status == "added"}
        if not added:
            break
        found = _match_one(*other, report, [f for f in report.facts if id(f) in added])
        for match in found:
            if match.reference is not None and match.report is not None and (
                    id(match.report) in added):
                matches[added[id(match.report)]] = match
    return matches


def _match_one(reference: Extraction, ref: _Side, report: Extraction,
               report_facts: Sequence[Fact]) -> list[FactMatch]:
    """The facts of one reference (read as ``ref``) set against ``report_facts`` of the
    report."""
    rep = _Side(report.article.text, report_facts, report.quotes)
    matches: list[FactMatch] = []
    seen_verbs: set[tuple[int, int]] = set()
    pairs = _pair_counts(ref, rep)
    paired_report = {id(p) for _, p in pairs.values()}
    for fact in ref.facts:
        if fact.kind in COUNT_KINDS:
            if id(fact) in pairs:
                _, other = pairs[id(fact)]
                matches.append(FactMatch(count_status(fact, other), fact, other))
                for change in _verb_changes(ref, fact, rep, other):
                    if change.report and (change.report.start, change.report.end) not in seen_verbs:
                        seen_verbs.add((change.report.start, change.report.end))
                        matches.append(change)
            else:
                matches.append(FactMatch("omitted", fact, None))
    matches.extend(_dates(ref, rep))
    matches.extend(_place_lists(ref, rep))
    matches.extend(_titles(ref, rep))
    matches.extend(FactMatch("added", None, f) for f in rep.facts
                   if f.kind in COUNT_KINDS and id(f) not in paired_report)
    return [dataclasses.replace(m, reference_id=reference.article.id) if m.reference else m
            for m in matches]


def _pair_counts(ref: _Side, rep: _Side) -> dict[int, tuple[Fact, Fact]]:
    """Reference count id -> (reference fact, report fact), best pairs first."""
    scored = []
    rep_local = {id(p): rep.local_places(p) for p in rep.facts if p.kind in COUNT_KINDS}
    one_duration_each = (sum(f.kind == "duration" for f in ref.facts) == 1
                         and sum(f.kind == "duration" for f in rep.facts) == 1)
    for r in (f for f in ref.facts if f.kind in COUNT_KINDS):
        r_subject, r_sentence, r_local = subject_of(r.subject), ref.sentence(r), \
            ref.local_places(r)
        for p in (f for f in rep.facts if f.kind == r.kind):
            if r.value != p.value and rep_local[id(p)] - r_local:
                continue  # the local angle: a county's count, not the national one
            similarity = fuzz.token_set_ratio(r_sentence, rep.sentence(p)) / 100
            fit = r_subject.fits(subject_of(p.subject)) if r_subject else 0
            try:
                ratio = float(p.value) / float(r.value) if float(r.value) else 0.0
            except (TypeError, ValueError):
                ratio = 0.0
            close = 0.5 <= ratio <= 2.0
            if r.kind == "duration":
                ok = fit > 0 or similarity >= 0.5 or one_duration_each
            else:
                # The same thing counted; or one whose qualifier is left open, at a nearby
                # value; or the same sentence with a nearby value (a changed figure whose
                # noun the reader could not name).
                ok = (fit == 2 and (close or similarity >= 0.75)) or (fit == 1 and close) or (
                    r.value == p.value and similarity >= 0.5) or (
                    close and similarity >= _SAME_SENTENCE)
            if ok:
                score = fit + (r.value == p.value) + close + similarity
                scored.append((score, r, p))
    scored.sort(key=lambda item: -item[0])
    pairs: dict[int, tuple[Fact, Fact]] = {}
    used: set[int] = set()
    for _, r, p in scored:
        if id(r) not in pairs and id(p) not in used:
            pairs[id(r)] = (r, p)
            used.add(id(p))
    return pairs


def _verbs(side: _Side, fact: Fact) -> dict[str, list[tuple[str, int, int]]]:
    """Key verbs of a fact's sentence by family, looked for once per sentence (a
    reference's sentences are asked again for every report)."""
    span = side.sentence_span(fact)
    if span not in side.verbs:
        found: dict[str, list[tuple[str, int, int]]] = {}
        for family, verb_class, pattern in _VERB_PATTERNS:
            for m in pattern.finditer(side.text, *span):
                found.setdefault(family, []).append((verb_class, m.start(), m.end()))
        side.verbs[span] = found
    return side.verbs[span]


def _verb_changes(ref: _Side, ref_fact: Fact, rep: _Side, rep_fact: Fact) -> list[FactMatch]:
    """Key verbs of two paired counts' sentences that make different claims."""
    out = []
    ref_verbs, rep_verbs = _verbs(ref, ref_fact), _verbs(rep, rep_fact)
    subject = subject_group(ref_fact.subject)
    for family, ref_found in ref_verbs.items():
        rep_found = rep_verbs.get(family)
        if not rep_found or {c for c, _, _ in ref_found} & {c for c, _, _ in rep_found}:
            continue
        (_, a, b), (_, c, d) = ref_found[0], rep_found[0]
        out.append(FactMatch(
            "changed",
            Fact("verb", ref.text[a:b], a, b, ref.text[a:b].casefold(), subject=subject),
            Fact("verb", rep.text[c:d], c, d, rep.text[c:d].casefold(), subject=subject)))
    return out


def _dates(ref: _Side, rep: _Side) -> list[FactMatch]:
    ref_values = {f.value for f in ref.facts if f.kind == "date" and f.value}
    out = []
    for fact in (f for f in rep.facts if f.kind == "date"):
        out.append(FactMatch("same" if fact.value in ref_values else "added",
                             None if fact.value not in ref_values else next(
                                 f for f in ref.facts if f.kind == "date"
                                 and f.value == fact.value), fact))
    return out


def _lists(side: _Side) -> list[Fact]:
    """Runs of two or more nations or countries in one sentence, as one place fact."""
    by_sentence: dict[tuple[int, int], list[Fact]] = {}
    for fact in side.facts:
        if fact.kind == "place" and fact.unit in ("nation", "country"):
            by_sentence.setdefault(side.sentence_span(fact), []).append(fact)
    out = []
    for places in by_sentence.values():
        if len({p.value for p in places}) >= 2:
            first, last = places[0].start, places[-1].end
            out.append(Fact("place", side.text[first:last], first, last,
                            sorted({str(p.value) for p in places})))
    return out


def _place_lists(ref: _Side, rep: _Side) -> list[FactMatch]:
    out = []
    rep_lists = _lists(rep)
    used: set[int] = set()
    for r in _lists(ref):
        r_sentence = ref.sentence(r)
        best = max((p for p in rep_lists if id(p) not in used),
                   key=lambda p: fuzz.token_set_ratio(r_sentence, rep.sentence(p)),
                   default=None)
        if best is None:
            out.append(FactMatch("omitted", r, None))
            continue
        used.add(id(best))
        out.append(FactMatch("same" if r.value == best.value else "changed", r, best))
    out.extend(FactMatch("added", None, p) for p in rep_lists if id(p) not in used)
    return out


_TITLE_ORG = re.compile(r"\b(?:of|at|for) the [\w' ]+$|^[\w.]+'s ")
_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady"}


def title_core(title: str) -> str:
    """A title without case and the organisation's part: "NCA's deputy director general"
    and "Deputy Director General of the NCA" give "deputy director general"."""
    folded = title.casefold().replace("’", "'")
    return " ".join(_TITLE_ORG.sub("", folded).split())


def _titles(ref: _Side, rep: _Side) -> list[FactMatch]:
    def titled(side: _Side) -> list[Fact]:
        return [f for f in side.facts if f.kind == "title" and f.subject
                and title_core(f.text) not in _HONORIFICS]
    ref_titles = titled(ref)
    out = []
    for p in titled(rep):
        own = [r for r in ref_titles if same_speaker(r.subject, p.subject)]
        if not own:
            continue
        core = title_core(p.text)
        equal = next((r for r in own if title_core(r.text) == core), None)
        if equal is not None:
            out.append(FactMatch("same", equal, p))
        else:
            closest = max(own, key=lambda r: fuzz.ratio(title_core(r.text), core))
            out.append(FactMatch("changed", closest, p))
    return out
