"""Fact alignment: counts, hedges, the local angle, place lists, titles, key verbs."""

from __future__ import annotations

from coverage_cmp.compare.facts import (
    Subject,
    count_status,
    match_facts,
    prepare_fact_references,
    subject_group,
    subject_of,
    title_core,
)
from coverage_cmp.extract.facts import extract_facts
from coverage_cmp.extract.quotes import extract_quotes
from coverage_cmp.model import Article, Extraction, Fact

RELEASE = ("Police arrested 660 suspects in a six-month operation. Officers safeguarded 431 "
           "children across England, Wales, Scotland and Northern Ireland. Detectives "
           "examined 9,172 devices. Deputy Director General Phil Gormley praised the forces.")


def _extraction(text: str, source: str) -> Extraction:
    return Extraction(Article(source=source, text=text), extract_quotes(text),
                      extract_facts(text))


def _facts(report: str, *references: str):
    refs = [_extraction(text, f"ref-{i}") for i, text in enumerate(references or [RELEASE])]
    return match_facts(refs, _extraction(report, "report"))


def _status(matches, text: str) -> list[str]:
    """Statuses of the matches whose report (or reference) fact reads ``text``."""
    return [m.status for m in matches if (m.report or m.reference).text == text]


def _count(value: float, qualifier: str | None = None, kind: str = "quantity",
           unit: str | None = None) -> Fact:
    return Fact(kind, str(value), 0, 1, value, unit, qualifier)


def test_count_status_same_changed_qualified():
    assert count_status(_count(431), _count(431)) == "same"
    assert count_status(_count(431), _count(400)) == "changed"
    assert count_status(_count(431), _count(400, "more than")) == "qualified"
    assert count_status(_count(431), _count(500, "more than")) == "changed"
    assert count_status(_count(9172), _count(10000, "nearly")) == "changed"
    assert count_status(_count(9172), _count(9200, "nearly")) == "qualified"


def test_a_duration_preposition_is_no_hedge():
    six = _count(6, kind="duration", unit="months")
    assert count_status(six, _count(6, "over", "duration", "months")) == "same"
    assert count_status(six, _count(6, "more than", "duration", "months")) == "qualified"


def test_subjects_fold_to_what_is_counted():
    assert subject_group("suspected paedophiles") == subject_group("people") == "people"
    assert subject_group("computers") == "devices"
    assert subject_group(None) is None


def test_subjects_keep_the_stage_and_the_prepositional_qualifier():
    arrested = subject_of("suspected paedophiles")
    assert arrested == subject_of("people arrested") == subject_of("held") == Subject(
        "people", "arrest")
    assert subject_of("people charged") == Subject("people", "charge")
    assert subject_of("people released on bail") == Subject("people", "bail")
    assert subject_of("children at serious risk") == Subject("children", "at risk")
    assert arrested.fits(subject_of("people charged")) == 0
    assert arrested.fits(subject_of("people")) == 1  # "660 people" may be the arrested
    assert subject_of("children").fits(subject_of("children at serious risk")) == 0
    assert subject_of("children").fits(subject_of("child")) == 2


def test_people_at_another_stage_of_the_case_are_another_count():
    release = "In total 660 people were arrested in the operation, police said."
    matches = _facts("In total one man was charged in the operation, police said.", release)
    assert _status(matches, "660") == ["omitted"]
    assert _status(matches, "one") == ["added"]
    assert not [m for m in matches if m.status == "changed"]


def test_charged_and_bailed_are_not_changes_of_the_arrests_or_children_at_risk():
    release = ("So far 660 people were arrested and 431 children were safeguarded, 127 of "
               "whom were judged to be at serious risk of harm.")
    matches = _facts("One man was charged and 13 were bailed.", release)
    assert [m.status for m in matches if m.report] == ["added", "added"]
    assert sorted(m.status for m in matches if m.reference) == ["omitted"] * 3


def test_references_prepared_once_match_every_report_as_fresh_ones():
    references = [_extraction(RELEASE, "release"),
                  _extraction("Police said 14 people were arrested in Lincolnshire.", "agency")]
    prepared = prepare_fact_references(references)
    reports = ["Police arrested 600 suspects. Officers took 431 children into care.",
               "Officers safeguarded more than 400 children across England, Ireland, Scotland "
               "and Wales. 14 people were arrested in Lincolnshire.",
               "Detectives examined 9,172 devices. Deputy director Phil Gormley praised them."]
    for report in reports:
        extraction = _extraction(report, "report")
        assert match_facts(prepared, extraction) == match_facts(references, extraction)


def test_a_count_of_the_same_children_changed_is_changed():
    matches = _facts("Officers said 400 children were safeguarded.",
                     "Officers said 431 children were safeguarded.")
    assert [(m.status, m.reference.text, m.report.text) for m in matches] == [
        ("changed", "431", "400")]


def test_children_at_risk_are_not_the_children_safeguarded():
    release = ("So far 431 children have been safeguarded, 127 of whom were judged to be at "
               "serious risk of harm.")
    matches = _facts("Police said 200 children were safeguarded.", release)
    assert [(m.status, m.reference.text) for m in matches if m.report] == [("changed", "431")]
    assert _status(matches, "127") == ["omitted"]


def test_title_core_drops_case_and_the_organisation():
    assert title_core("NCA's deputy director general") == "deputy director general"
    assert title_core("Deputy Director General of the NCA") == "deputy director general"


def test_changed_qualified_same_and_omitted_counts():
    report = ("Police arrested 600 suspects in a six-month operation. More than 400 children "
              "were safeguarded across England, Wales, Scotland and Northern Ireland.")
    matches = _facts(report)
    assert _status(matches, "600") == ["changed"]
    assert _status(matches, "More than 400") == ["qualified"]
    assert _status(matches, "six-month") == ["same"]
    assert _status(matches, "9,172") == ["omitted"]


def test_a_local_count_is_added_not_a_changed_national_figure():
    report = ("Police arrested 660 suspects in a six-month operation. Eight people were "
              "arrested in Cambridgeshire.")
    matches = _facts(report)
    assert _status(matches, "660") == ["same"]
    assert _status(matches, "Eight") == ["added"]


def test_place_lists_titles_and_key_verbs_are_changes_with_both_versions():
    report = ("Officers took 431 children into care across England, Ireland, Scotland and "
              "Wales. Detectives seized 9,172 devices. Deputy Director Phil Gormley praised "
              "the forces.")
    matches = _facts(report)
    places = [m for m in matches if m.reference and m.reference.kind == "place"]
    assert [(m.status, m.reference.value, m.report.value) for m in places] == [
        ("changed", ["England", "Northern Ireland", "Scotland", "Wales"],
         ["England", "Ireland", "Scotland", "Wales"])]
    titles = [m for m in matches if m.reference and m.reference.kind == "title"]
    assert [(m.status, m.report.text) for m in titles] == [("changed", "Deputy Director")]
    verbs = {(m.reference.text, m.report.text) for m in matches if m.reference
             and m.reference.kind == "verb"}
    assert verbs == {("examined", "seized")}


def test_a_count_added_against_the_first_reference_is_found_in_the_second():
    agency = "Press Wire understands 12 of the suspects were teachers."
    report = "Police arrested 660 suspects. Some 12 of the suspects were teachers."
    matches = _facts(report, RELEASE, agency)
    (twelve,) = [m for m in matches if m.report and m.report.value == 12]
    assert twelve.status == "qualified" and twelve.reference_id == _extraction(
        agency, "ref-1").article.id
    (arrests,) = [m for m in matches if m.report and m.report.value == 660]
    assert arrests.reference_id == _extraction(RELEASE, "ref-0").article.id
