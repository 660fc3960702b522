"""Engines: same results in input order on every engine, bounded batches, clear errors,
and a local pool that survives a killed process."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool

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


def _slow_square(x: int) -> int:
    time.sleep(0.005)
    return x * x


def _die_on_seven(x: int) -> int:
    if x == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def test_local_engine_resubmits_batches_of_a_killed_pool_process(
        caplog: pytest.LogCaptureFixture) -> None:
    with LocalEngine(2) as engine:
        results = []
        for index, result in enumerate(engine.map(_slow_square, range(300), batch_size=5)):
            results.append(result)
            if index == 20:
                victim = multiprocessing.active_children()[0]
                os.kill(victim.pid, signal.SIGKILL)
        assert results == [x * x for x in range(300)]
        assert "a pool process died" in caplog.text
        # the fresh pool stays in use for the next map
        assert list(engine.map(_square, range(30), batch_size=4)) == [x * x for x in range(30)]


def test_local_engine_gives_up_after_bounded_restarts() -> None:
    with LocalEngine(2) as engine, pytest.raises(BrokenProcessPool):
        list(engine.map(_die_on_seven, range(20), batch_size=2))
