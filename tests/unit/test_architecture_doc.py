"""docs/architecture.md stays true: every file and folder its checklist names exists, and so does
every name it tells a newcomer to edit."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text()
EXAMPLE = "milestone"  # the checklist's example resource: its files are the ones to create


def test_every_path_the_architecture_doc_names_exists() -> None:
    named = set(re.findall(r"`((?:src|tests|docs)/[\w./-]+)`", DOC))
    assert len(named) > 20, "the checklist names the files to touch"
    missing = sorted(path for path in named if EXAMPLE not in path and not (ROOT / path).exists())
    assert not missing, f"docs/architecture.md names files that do not exist: {missing}"


def test_the_tables_the_checklist_says_to_extend_exist() -> None:
    from taskstar.piccolo import path as piccolo_path
    from taskstar.piccolo.tables import TABLES
    from taskstar.ports import PORTS
    from taskstar.sqlalchemy import paths as sqlalchemy_paths

    for name in ("PORTS", "SERVICES", "SYNC_SERVICES", "TABLES", "SQLALCHEMY_SHAPES", "PICCOLO_SHAPES"):
        assert f"`{name}`" in DOC, name
    assert PORTS and sqlalchemy_paths.SERVICES and sqlalchemy_paths.SYNC_SERVICES
    assert piccolo_path.SERVICES and TABLES
