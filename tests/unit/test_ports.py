"""Every path's services implement every port (``taskstar.ports``), as the shared routes call them.

The routes are written once against the ports, so a service whose method is missing, renamed,
takes another parameter, or is blocking where a coroutine is awaited (or the reverse) would fail
only on the requests that reach it: this checks all of them without a database.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from taskstar.domain.resources import RESOURCES
from taskstar.http.threaded import Threaded
from taskstar.piccolo import path as piccolo_path
from taskstar.piccolo.tables import TABLES
from taskstar.ports import PORTS
from taskstar.sqlalchemy import paths as sqlalchemy_paths
from taskstar.sqlalchemy.models import Base

SERVICE_TABLES: dict[str, tuple[Mapping[str, type], bool]] = {
    "sqlalchemy (async, split)": (sqlalchemy_paths.SERVICES, True),
    "sqlalchemy-sync (through Threaded)": (sqlalchemy_paths.SYNC_SERVICES, False),
    "piccolo": (piccolo_path.SERVICES, True),
}


def port_methods(port: type) -> dict[str, Callable[..., Any]]:
    return {
        name: member
        for name, member in vars(port).items()
        if callable(member) and not name.startswith("_") and inspect.iscoroutinefunction(member)
    }


def parameters(function: Callable[..., Any]) -> list[tuple[str, inspect._ParameterKind]]:
    """Names and kinds (positional or keyword-only), in order, without ``self``."""
    return [(p.name, p.kind) for p in inspect.signature(function).parameters.values()][1:]


@pytest.mark.parametrize("table_name", SERVICE_TABLES)
def test_each_path_provides_a_service_for_every_port(table_name: str) -> None:
    services, _ = SERVICE_TABLES[table_name]
    assert set(services) == set(PORTS)


@pytest.mark.parametrize("table_name", SERVICE_TABLES)
@pytest.mark.parametrize("dependency", PORTS)
def test_services_implement_the_port_methods_with_its_parameters(table_name: str, dependency: str) -> None:
    services, is_async = SERVICE_TABLES[table_name]
    service = services[dependency]
    methods = port_methods(PORTS[dependency])
    assert methods, f"{PORTS[dependency].__name__} declares no methods"
    for name, declared in methods.items():
        implemented = getattr(service, name, None)
        assert implemented is not None, f"{service.__qualname__} lacks {name}"
        assert parameters(implemented) == parameters(declared), f"{service.__qualname__}.{name}"
        # Async services are awaited directly; sync ones are wrapped by Threaded, which awaits a thread.
        assert inspect.iscoroutinefunction(implemented) is is_async, f"{service.__qualname__}.{name}"


def test_the_resource_table_names_tables_both_orms_map() -> None:
    sqlalchemy_tables = set(Base.metadata.tables)
    piccolo_tables = {table._meta.tablename for table in TABLES}
    for resource in RESOURCES:
        assert resource.table in sqlalchemy_tables, resource
        assert resource.table in piccolo_tables, resource
        assert resource.parameter == f"{resource.kind}_id"


class _Blocking:
    """A stand-in for a sync service: reports the thread it ran in."""

    label = "blocking"

    def where(self, *, offset: int) -> tuple[int, int]:
        return threading.get_ident(), offset


def test_threaded_runs_each_call_in_a_worker_thread_and_returns_its_result() -> None:
    async def call() -> tuple[int, tuple[int, int]]:
        return threading.get_ident(), await Threaded(_Blocking()).where(offset=7)

    loop_thread, (worker_thread, offset) = asyncio.run(call())
    assert offset == 7
    assert worker_thread != loop_thread
    assert Threaded(_Blocking()).label == "blocking"  # plain attributes pass through
