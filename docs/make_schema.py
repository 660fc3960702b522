"""Write docs/schema.md from a fresh store: `.venv/bin/python docs/make_schema.py`."""

import tempfile
from pathlib import Path

from coverage_cmp.store import Store, schema_markdown

with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "schema.db") as fresh:
    (Path(__file__).parent / "schema.md").write_text(schema_markdown(fresh), encoding="utf-8")
