"""Taskstar's tables as one Piccolo app, with its migrations folder."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from taskstar.piccolo.tables import TABLES

APP_NAME = "taskstar"
APP_CONFIG = AppConfig(
    app_name=APP_NAME,
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(TABLES),
)
