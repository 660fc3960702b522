"""Documentation stays true: the schema page and the README's command list."""

from __future__ import annotations

from pathlib import Path

from coverage_cmp.cli import app
from coverage_cmp.store import Store, schema_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_schema_page_is_current(tmp_path: Path) -> None:
    with Store(tmp_path / "fresh.db") as store:
        expected = schema_markdown(store)
    assert (ROOT / "docs" / "schema.md").read_text(encoding="utf-8") == expected, (
        "docs/schema.md is stale: run `.venv/bin/python docs/make_schema.py`")


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert command.callback.__doc__, name
        assert "Example:" in command.callback.__doc__, name
        assert f"coverage-cmp {name}" in readme, name
