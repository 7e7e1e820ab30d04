"""Loaded by Python at start-up when this directory is on ``PYTHONPATH``: holds some of the
server's write transactions open before they commit, for the event feed's gap-free test
(``tests/test_event_feed_order.py``).

Nothing in Taskstar knows about it. It wraps each path's ``commit_with_events`` (the last step of
every write: number the events, insert them, commit) so that about one write in three sleeps up to
``TASKSTAR_TEST_COMMIT_DELAY`` seconds first, with its changes made and its transaction open. Other
writers meanwhile number and commit theirs, so transactions that began earlier commit later: the
situation in which a feed numbered by anything but commit order would let a poller skip events.
"""

from __future__ import annotations

import functools
import importlib
import os
import random
import time
from typing import Any

_MAX_DELAY = float(os.environ.get("TASKSTAR_TEST_COMMIT_DELAY", "0.3"))
_MODULES = {
    "sqlalchemy-async": "taskstar.sqlalchemy.services.base",
    "sqlalchemy-split": "taskstar.sqlalchemy.services.base",
    "sqlalchemy-sync": "taskstar.sqlalchemy.sync.services.base",
    "piccolo": "taskstar.piccolo.services.base",
}


def _delay() -> float:
    return random.uniform(0, _MAX_DELAY) if random.random() < 1 / 3 else 0.0


def _hold_open(service_class: Any) -> None:
    original = service_class.commit_with_events
    if getattr(original, "__wrapped__", None) is not None:
        return
    if hasattr(original, "__code__") and original.__code__.co_flags & 0x80:  # a coroutine function
        import anyio

        @functools.wraps(original)
        async def delayed_async(*args: Any, **kwargs: Any) -> Any:
            await anyio.sleep(_delay())
            return await original(*args, **kwargs)

        service_class.commit_with_events = delayed_async
    else:

        @functools.wraps(original)
        def delayed(*args: Any, **kwargs: Any) -> Any:
            time.sleep(_delay())
            return original(*args, **kwargs)

        service_class.commit_with_events = delayed


def _install() -> None:
    module_name = _MODULES.get(os.environ.get("TASKSTAR_PERSISTENCE", "sqlalchemy-async"))
    if module_name is None:
        return
    _hold_open(importlib.import_module(module_name).Service)


_install()
