"""Logging set-up: plain text for people, one JSON object a line for collectors."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from litestar.logging.config import LoggingConfig


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def logging_config(level: str, log_format: str) -> LoggingConfig:
    formatter = (
        {"()": JsonFormatter} if log_format == "json" else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return LoggingConfig(
        root={"level": level, "handlers": ["queue_listener"]},
        formatters={"standard": formatter},
        loggers={
            "taskstar": {"level": level, "propagate": True},
            # uvicorn's messages and access log: same level, format and background
            # writer as ours (uvicorn's own handlers format and write on the event
            # loop: 6% of a GET's CPU).
            "uvicorn": {"level": level, "propagate": True},
            "uvicorn.access": {"level": level, "propagate": True},
            # Alembic's step-by-step migration lines and Piccolo's engine banner ("Running SQLite
            # version ...") are noise at INFO; Taskstar logs one line of its own for a migration.
            "alembic": {"level": _quieter(level), "propagate": True},
            "piccolo": {"level": _quieter(level), "propagate": True},
            # aiosqlite traces every call with its arguments at DEBUG: statement parameters,
            # password and API token hashes among them. Never below INFO, at any level of ours.
            "aiosqlite": {"level": "INFO" if logging.getLevelName(level) <= logging.INFO else level, "propagate": True},
        },
        log_exceptions="debug",  # our problem mapper logs unexpected errors itself
    )


def _quieter(level: str) -> str:
    """A library's level: WARNING unless Taskstar logs at DEBUG, where everything helps."""
    return level if logging.getLevelName(level) <= logging.DEBUG else "WARNING"
