"""Logging a dependency's outage once, not at every failed attempt while it lasts."""

from __future__ import annotations

import logging


class OutageLog:
    """Logs ``lost`` (a warning, with the first error) when an outage begins and ``back`` (info)
    when it ends; the failures in between, one per retry or per request, are not logged."""

    def __init__(self, logger: logging.Logger, lost: str, back: str) -> None:
        self._logger = logger
        self._lost = lost
        self._back = back
        self._ongoing = False

    def failed(self, error: BaseException) -> None:
        if not self._ongoing:
            self._ongoing = True
            self._logger.warning("%s: %s", self._lost, error)

    def ended(self) -> None:
        if self._ongoing:
            self._ongoing = False
            self._logger.info("%s", self._back)
