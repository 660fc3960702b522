"""The same-event model's file format, and the model travelling with the cluster settings."""

from __future__ import annotations

import json
import pickle
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from coverage_cmp.cluster import cluster_articles
from coverage_cmp.errors import SettingsError
from coverage_cmp.model import Article
from coverage_cmp.pair_model import (
    DEFAULT_PAIR_MODEL,
    PAIR_FEATURES,
    PAIR_MODEL_SCHEMA,
    PairModel,
    load_pair_model,
    save_pair_model,
)
from coverage_cmp.settings import ClusterSettings, Settings

#: Every pair far more likely two events than one, whatever its evidence (the weights add up
#: to under 30 log odds).
APART = PairModel(weights=DEFAULT_PAIR_MODEL.weights, bias=-60.0)


def document(**changes: object) -> dict:
    return {**DEFAULT_PAIR_MODEL.to_json(), **changes}


def test_the_document_names_each_weights_feature() -> None:
    data = DEFAULT_PAIR_MODEL.to_json()
    assert data["schema"] == PAIR_MODEL_SCHEMA
    assert dict(zip(data["features"], data["weights"], strict=True)) == dict(
        zip(PAIR_FEATURES, DEFAULT_PAIR_MODEL.weights, strict=True))
    assert data["bias"] == DEFAULT_PAIR_MODEL.bias


@pytest.mark.parametrize("model", [DEFAULT_PAIR_MODEL, APART,
                                   PairModel(weights=tuple(range(len(PAIR_FEATURES))),
                                             bias=0.25)])
def test_json_round_trip_gives_the_same_model(model: PairModel, tmp_path: Path) -> None:
    assert PairModel.from_json(json.loads(json.dumps(model.to_json()))) == model
    path = tmp_path / "model.json"
    save_pair_model(model, path)
    assert load_pair_model(path) == model
    assert load_pair_model(str(path)) == model


def test_the_models_moved_names_still_import_from_cluster() -> None:
    from coverage_cmp.cluster import DEFAULT_PAIR_MODEL as from_cluster_default
    from coverage_cmp.cluster import PAIR_FEATURES as from_cluster_features
    from coverage_cmp.cluster import PairModel as FromCluster

    assert (FromCluster, from_cluster_default, from_cluster_features) == (
        PairModel, DEFAULT_PAIR_MODEL, PAIR_FEATURES)


@pytest.mark.parametrize("features", [
    list(reversed(PAIR_FEATURES)),
    list(PAIR_FEATURES[:-1]),
    [*PAIR_FEATURES, "publication_gap"],
    None,
])
def test_features_other_than_this_versions_are_refused(features: object) -> None:
    with pytest.raises(SettingsError, match="features must be words, facts"):
        PairModel.from_json(document(features=features))


@pytest.mark.parametrize(("changes", "message"), [
    ({"schema": "coverage-cmp/pair-model@2"}, "schema must be"),
    ({"schema": None}, "schema must be"),
    ({"weights": [1.0, 2.0]}, f"weights must be a list of {len(PAIR_FEATURES)} numbers"),
    ({"weights": ["1"] * len(PAIR_FEATURES)}, "weights must be"),
    ({"weights": [True] * len(PAIR_FEATURES)}, "weights must be"),
    ({"weights": [float("nan")] * len(PAIR_FEATURES)}, "weights must be"),
    ({"bias": "-4"}, "bias must be a number"),
    ({"bias": None}, "bias must be a number"),
    ({"bias": float("inf")}, "bias must be a number"),
])
def test_malformed_documents_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        PairModel.from_json(document(**changes))


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(SettingsError, match="JSON object"):
        PairModel.from_json([1, 2, 3])


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read the model"),
    ("{", "not a JSON model"),
    ("", "not a JSON model"),
    (b"\xff\xfe\x00", "not a JSON model"),
    (json.dumps({"schema": "something/else@1"}), "schema must be"),
    (json.dumps(document(features=["words"])), "features must be"),
])
def test_bad_model_files_give_one_line_naming_the_file(tmp_path: Path, content: str | bytes | None,
                                                       message: str) -> None:
    path = tmp_path / "court model.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError, match=message) as caught:
        load_pair_model(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and "\n" not in text


def test_a_folder_is_not_a_model_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read the model") as caught:
        load_pair_model(tmp_path)
    assert str(caught.value).startswith(str(tmp_path))


def test_an_unwritable_model_file_is_named(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "model.json"
    with pytest.raises(SettingsError, match="cannot write the model") as caught:
        save_pair_model(DEFAULT_PAIR_MODEL, target)
    assert str(target) in str(caught.value)


def test_cluster_settings_carry_the_default_model_and_refuse_other_things() -> None:
    assert ClusterSettings().model == DEFAULT_PAIR_MODEL
    with pytest.raises(SettingsError, match="'model' parameter of ClusterSettings"):
        ClusterSettings(model=DEFAULT_PAIR_MODEL.to_json())


def test_settings_with_a_model_pickle_and_store_as_json() -> None:
    """Workers receive settings pickled; a run's manifest keeps them as JSON."""
    settings = Settings(cluster=ClusterSettings(model=APART))
    assert pickle.loads(pickle.dumps(settings)) == settings
    stored = json.loads(json.dumps(asdict(settings), default=str))
    assert PairModel.from_json({**stored["cluster"]["model"], "schema": PAIR_MODEL_SCHEMA,
                                "features": list(PAIR_FEATURES)}) == APART


ONE_STORY = [
    ("660 arrested in UK-wide operation",
     "The National Crime Agency said 660 suspects were arrested in an operation against "
     "online child abuse images across 45 police forces."),
    ("National Crime Agency: 660 held in operation",
     "Police across 45 forces arrested 660 suspects in a National Crime Agency operation "
     "against online child abuse images, the agency said."),
]


def story_articles() -> list[Article]:
    return [Article(source=f"story-{n}", title=title, text=text,
                    published="2014-07-16T08:00:00+00:00")
            for n, (title, text) in enumerate(ONE_STORY)]


def test_the_settings_model_decides_and_an_explicit_model_wins() -> None:
    articles = story_articles()
    assert len(cluster_articles(articles, ClusterSettings())) == 1
    apart = ClusterSettings(model=APART)
    assert len(cluster_articles(articles, apart)) == 2
    assert len(cluster_articles(articles, apart, model=DEFAULT_PAIR_MODEL)) == 1
    assert len(cluster_articles(articles, ClusterSettings(), model=APART)) == 2
    assert replace(apart, model=DEFAULT_PAIR_MODEL) == ClusterSettings()
