"""Engines: same results in input order on every engine, bounded batches, clear errors."""

from __future__ import annotations

import pytest

from coverage_cmp.engine import LocalEngine, make_engine
from coverage_cmp.errors import SettingsError


def _square(x: int) -> int:
    return x * x


def _fail_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError("seven")
    return x


@pytest.mark.parametrize("workers", [1, 2])
def test_local_map_keeps_input_order(workers: int) -> None:
    with LocalEngine(workers) as engine:
        assert list(engine.map(_square, range(50), batch_size=3)) == [x * x for x in range(50)]


def test_generator_input_and_unordered_indices() -> None:
    with LocalEngine(2) as engine:
        pairs = list(engine.map_unordered(_square, (x for x in range(40)), batch_size=4))
    assert sorted(pairs) == [(x, x * x) for x in range(40)]


def test_error_in_the_function_reaches_the_caller() -> None:
    with LocalEngine(2) as engine, pytest.raises(ValueError, match="seven"):
        list(engine.map(_fail_on_seven, range(20), batch_size=2))


def test_make_engine_rejects_bad_options() -> None:
    with pytest.raises(SettingsError, match="engine"):
        make_engine("spark")
    with pytest.raises(SettingsError, match="--engine dask"):
        make_engine("local", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(SettingsError, match="workers"):
        make_engine("local", workers=0)


def test_unreachable_scheduler_is_a_settings_error() -> None:
    pytest.importorskip("distributed")
    with pytest.raises(SettingsError, match="127.0.0.1:9"):
        make_engine("dask", scheduler="tcp://127.0.0.1:9")


@pytest.mark.slow
def test_dask_engine_matches_local() -> None:
    pytest.importorskip("distributed")
    with make_engine("dask", workers=2) as engine:
        assert engine.workers == 2
        assert list(engine.map(_square, range(100), batch_size=7)) == [x * x for x in range(100)]
