"""The same-event model: the evidence it weighs for two articles and its file format.

A ``PairModel`` gives each pair of articles a probability of reporting one event; the
clustering stage (``coverage_cmp.cluster``) computes the evidence, ``PAIR_FEATURES``, and
fits new models (``fit_pair_model``). The model lives here, below the stages, because it
is a setting (``ClusterSettings.model``) that travels with every clustering task, and a
file users keep (``coverage-cmp fit-model`` writes one, ``--model`` reads it)::

    {"schema": "coverage-cmp/pair-model@1", "features": ["words", ...],
     "weights": [6.0845, ...], "bias": -4.9914}
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit

from coverage_cmp.errors import SettingsError

PAIR_MODEL_SCHEMA = "coverage-cmp/pair-model@1"

PAIR_FEATURES = ("words", "facts", "title", "names_kept_min", "names_kept_max",
                 "names_shared", "numbers_shared", "counted_conflict", "counted_agree",
                 "dates_shared", "salient_names", "lead_absent_min",
                 "lead_absent_max")
"""What the same-event model weighs for two articles A and B (all in [0, 1]):

- ``words``, ``facts``, ``title``: cosine of the word TF-IDF (title counted twice), of the
  fact TF-IDF (names, numbers, dates) and of the titles alone;
- ``names_kept_min``/``max``: of the weight each puts on the names it dwells on (named
  twice or more), the share the other mentions at all; the smaller and the larger of the
  two (1 when either dwells on none). "Rahman" against "Thompson" in two title fights of
  one boxer gives low shares;
- ``names_shared``, ``numbers_shared``, ``dates_shared``: Jaccard overlap of the names,
  numbers and dates each mentions;
- ``counted_conflict``: both count the same thing ("arrests") but no count agrees
  (660 against 745); ``counted_agree``: some count agrees ("660 arrests" in both);
- ``salient_names``: cosine of how often each names what it dwells on;
- ``lead_absent_min``/``max``: of the names in each one's title and opening (the first
  ``_LEAD_CHARS`` characters: who the story is about), the share the other never mentions;
  the smaller and the larger of the two (0 when either names no one there). Vincent
  Jackson's arrest against Jamal Williams's, a month later, at one club.
"""


@dataclass(frozen=True)
class PairModel:
    """Logistic model of "A and B report the same event" over ``PAIR_FEATURES``.

    Its probability is the similarity that average linkage compares with ``threshold``, so
    the default threshold 0.5 means "more likely the same event than not" on average over
    two groups' article pairs. ``fit_pair_model`` fits one on articles with known events.
    """

    weights: tuple[float, ...]
    bias: float

    def __post_init__(self) -> None:
        if len(self.weights) != len(PAIR_FEATURES):
            raise ValueError(f"a pair model needs {len(PAIR_FEATURES)} weights, "
                             f"got {len(self.weights)}")

    def log_odds(self, pair_features: np.ndarray) -> np.ndarray:
        """Log odds of the same event for pairs whose last axis is ``PAIR_FEATURES``."""
        weights = np.asarray(self.weights, dtype=np.float32)
        # einsum, not ``@``: BLAS would spread this over threads that mostly wait, taking a
        # core from the other workers for no gain (measured on the 80k graph)
        log_odds = np.einsum("...f,f->...", pair_features, weights)
        return (log_odds + np.float32(self.bias)).astype(np.float32)

    def probability(self, pair_features: np.ndarray) -> np.ndarray:
        """P(same event) for pairs whose last axis is ``PAIR_FEATURES``."""
        return expit(self.log_odds(pair_features))

    def to_json(self) -> dict[str, Any]:
        """The model as a ``coverage-cmp/pair-model@1`` document (``load_pair_model`` reads
        it back), naming each weight's feature so a file from another version is caught."""
        return {"schema": PAIR_MODEL_SCHEMA, "features": list(PAIR_FEATURES),
                "weights": list(self.weights), "bias": self.bias}

    @classmethod
    def from_json(cls, data: object) -> PairModel:
        """The model a ``to_json`` document describes; other keys are ignored.

        Raises:
            SettingsError: not such a document, or its features are not ``PAIR_FEATURES``
                in order (a model fitted by another version weighs other evidence).
        """
        if not isinstance(data, dict):
            raise SettingsError(f"a pair model must be a JSON object with schema "
                                f"{PAIR_MODEL_SCHEMA!r}")
        if data.get("schema") != PAIR_MODEL_SCHEMA:
            raise SettingsError(f"schema must be {PAIR_MODEL_SCHEMA!r}, "
                                f"got {data.get('schema')!r}")
        if data.get("features") != list(PAIR_FEATURES):
            raise SettingsError(f"features must be {', '.join(PAIR_FEATURES)} in this order "
                                f"(got {data.get('features')!r}); refit the model with "
                                "this version's `coverage-cmp fit-model`")
        weights, bias = data.get("weights"), data.get("bias")
        if not (isinstance(weights, list) and len(weights) == len(PAIR_FEATURES)
                and all(_is_number(w) for w in weights)):
            raise SettingsError(f"weights must be a list of {len(PAIR_FEATURES)} numbers, "
                                "one per feature")
        if not _is_number(bias):
            raise SettingsError(f"bias must be a number, got {bias!r}")
        return cls(weights=tuple(float(w) for w in weights), bias=float(bias))


DEFAULT_PAIR_MODEL = PairModel(
    # fitted on ECB+ dev, all 33 topics, by ``bench/cluster.py --fit`` (which prints these);
    # tests/test_cluster.py refits and compares
    weights=(6.0845, 6.7495, 1.6942, -0.4468, 2.9673, 0.7482, 3.2938, -0.6396, 0.154, 3.5823,
             0.5729, -0.7428, -0.8855),
    bias=-4.9914,
)


def load_pair_model(path: str | Path) -> PairModel:
    """The model a ``coverage-cmp/pair-model@1`` file holds.

    Raises:
        SettingsError: the file is missing or unreadable, not JSON, or not such a model;
            the one-line message names the file.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the model ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: not a JSON model (not UTF-8 text)") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{path}: not a JSON model ({exc})") from exc
    try:
        return PairModel.from_json(data)
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc}") from exc


def save_pair_model(model: PairModel, path: str | Path) -> None:
    """Write ``model`` as a ``coverage-cmp/pair-model@1`` file (``load_pair_model`` reads it).

    Raises:
        SettingsError: the file cannot be written; the message names it.
    """
    try:
        Path(path).write_text(json.dumps(model.to_json(), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{path}: cannot write the model ({exc.strerror or exc})") from exc


def _is_number(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))
