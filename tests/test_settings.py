"""Settings are checked once, when built, with one sentence per bad value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from coverage_cmp.errors import SettingsError
from coverage_cmp.settings import CollectSettings, FetchSettings


def test_bad_value_names_the_parameter_and_the_range() -> None:
    with pytest.raises(SettingsError, match=r"'per_host_delay_s' parameter of FetchSettings "
                                            r"must be a number in the range \[0, inf\)"):
        FetchSettings(per_host_delay_s=-1)


def test_unknown_extractor_is_refused() -> None:
    with pytest.raises(SettingsError, match="'extractor'"):
        CollectSettings(extractor="boilerpipe")


def test_naive_and_aware_times_compare_as_utc() -> None:
    settings = CollectSettings(since=datetime(2014, 7, 16, 12),
                               until=datetime(2014, 7, 16, 14, tzinfo=timezone(timedelta(hours=1))))
    assert settings.since == datetime(2014, 7, 16, 12, tzinfo=UTC)
    with pytest.raises(SettingsError, match="'since'"):
        CollectSettings(since=datetime(2014, 7, 16, 14),
                        until=datetime(2014, 7, 16, 14, tzinfo=timezone(timedelta(hours=1))))
