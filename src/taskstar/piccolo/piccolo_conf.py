"""Where Piccolo's own tooling looks (``PICCOLO_CONF=taskstar.piccolo.piccolo_conf``).

``DB`` starts as the engine for ``TASKSTAR_DATABASE_URL``, so ``piccolo migrations
new taskstar --auto`` works from a shell; a running app rebinds it to its own
(:func:`taskstar.piccolo.database.bind`).
"""

from __future__ import annotations

import os
from pathlib import Path

from piccolo.conf.apps import AppRegistry

from taskstar.piccolo.database import engine_for
from taskstar.settings import DatabaseURL

_DEFAULT = Path(os.environ.get("TASKSTAR_DATA_DIR", "data")) / "taskstar-piccolo.db"  # as Settings.from_env
DB = engine_for(DatabaseURL.parse(os.environ.get("TASKSTAR_DATABASE_URL") or f"sqlite:///{_DEFAULT}"))
APP_REGISTRY = AppRegistry(apps=["taskstar.piccolo.piccolo_app"])
