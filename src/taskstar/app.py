"""The one composition root: settings in, a configured Litestar app out."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Server

from taskstar.domain.listing import cursor_signing_key
from taskstar.domain.passwords import use_memory_cost
from taskstar.http.allow import allow_every_method
from taskstar.http.auth import TOKEN_USES_STATE, jwt_auth
from taskstar.http.docs import swagger_ui_assets, swagger_ui_plugin
from taskstar.http.event_retention import EventPruner
from taskstar.http.guards import provide_membership, require_role
from taskstar.http.head import TaskstarApp
from taskstar.http.live import LIVE_FEEDS_STATE, WAKEUPS_STATE, LiveFeeds, wake_on_write
from taskstar.http.live import running as live_feeds_running
from taskstar.http.logging import logging_config
from taskstar.http.openapi import (
    collapse_single_choices,
    declare_protocol_responses,
    drop_unreferenced_components,
    move_request_defaults_to_descriptions,
)
from taskstar.http.openapi_links import add_links
from taskstar.http.ops import OPS_HANDLERS, metrics_config, pool_metrics
from taskstar.http.pagination import provide_page
from taskstar.http.problems import parameter_errors_reworded, problem_details_plugin
from taskstar.http.ratelimit import STORE_NAME, auth_rate_limit, rate_limit_store
from taskstar.http.requests import TaskstarRequest
from taskstar.http.stream_locks import stream_leases_for
from taskstar.http.task_queries import CURSOR_KEY_STATE
from taskstar.http.token_uses import TokenUseRecorder
from taskstar.http.wakeups import wakeups_for
from taskstar.persistence import PersistencePath
from taskstar.settings import Persistence, Settings

MAX_BODY_BYTES = 1024 * 1024


def build_persistence(settings: Settings) -> PersistencePath:
    if settings.persistence is Persistence.SQLALCHEMY_ASYNC:
        from taskstar.sqlalchemy.paths import SQLAlchemyAsyncPath

        return SQLAlchemyAsyncPath(settings)
    if settings.persistence is Persistence.SQLALCHEMY_SPLIT:
        from taskstar.sqlalchemy.paths import SQLAlchemySplitPath

        return SQLAlchemySplitPath(settings)
    if settings.persistence is Persistence.SQLALCHEMY_SYNC:
        from taskstar.sqlalchemy.paths import SQLAlchemySyncPath

        return SQLAlchemySyncPath(settings)
    if settings.persistence is Persistence.PICCOLO:
        from taskstar.piccolo.path import PiccoloPath

        return PiccoloPath(settings)
    raise AssertionError(f"unhandled persistence path {settings.persistence}")  # settings validated it


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    use_memory_cost(settings.password_hash_memory_kib)
    persistence = build_persistence(settings)
    auth = jwt_auth(settings.secret_key, settings.access_token_ttl_seconds)
    rate_limit = auth_rate_limit(settings.auth_rate_limit)
    token_uses = TokenUseRecorder(persistence.record_token_uses)
    event_pruner = EventPruner(persistence.prune_events, settings.event_retention_days)
    heartbeat = settings.stream_heartbeat_seconds
    live_feeds = LiveFeeds(persistence.open_events, heartbeat, stream_leases_for(settings))
    wakeups = wakeups_for(settings)
    app = TaskstarApp(
        route_handlers=[*OPS_HANDLERS, swagger_ui_assets(), *persistence.route_handlers],
        plugins=[*persistence.plugins, problem_details_plugin(persistence.error_translations)],
        on_app_init=[auth.on_app_init],
        exception_handlers={ValidationException: parameter_errors_reworded},
        middleware=[wake_on_write, rate_limit.middleware, metrics_config.middleware],
        guards=[require_role],
        dependencies={
            "page": Provide(provide_page, sync_to_thread=False),
            "access": Provide(provide_membership, sync_to_thread=False),
            **persistence.dependencies,
        },
        # The recorder comes after the persistence path: it stops (and writes what is left) first.
        lifespan=[
            persistence.lifespan,
            pool_metrics,
            lambda _app: token_uses.running(),
            lambda _app: event_pruner.running(),
            lambda _app: wakeups.running(live_feeds.wake),
            lambda _app: live_feeds_running(live_feeds),
        ],
        stores={STORE_NAME: rate_limit_store(settings.redis_url)},
        state=State(
            {
                "persistence": persistence,
                "jwt_auth": auth,
                TOKEN_USES_STATE: token_uses,
                LIVE_FEEDS_STATE: live_feeds,
                WAKEUPS_STATE: wakeups,
                CURSOR_KEY_STATE: cursor_signing_key(settings.secret_key),
                "ready_timeout_seconds": settings.ready_timeout_seconds,
            }
        ),
        request_class=TaskstarRequest,
        request_max_body_size=MAX_BODY_BYTES,
        logging_config=logging_config(settings.log_level, settings.log_format),
        openapi_config=OpenAPIConfig(
            title="Taskstar",
            version="1",
            description=_API_DESCRIPTION,
            servers=[Server(url="/")],
            render_plugins=[swagger_ui_plugin()],
        ),
    )
    # Litestar cannot declare links on handlers; adding them to the built document now makes a
    # link to a renamed operation fail here, and `taskstar schema openapi` export them too.
    add_links(app.openapi_schema)
    drop_unreferenced_components(app.openapi_schema)
    declare_protocol_responses(app.openapi_schema)
    move_request_defaults_to_descriptions(app.openapi_schema)
    collapse_single_choices(app.openapi_schema)
    allow_every_method(app)
    return app


_API_DESCRIPTION = """\
A self-hostable task tracker. Authenticate with `POST /api/auth/login` and send
`Authorization: Bearer <token>`. Errors are RFC 9457 problem details.

Request bodies: fields a client does not own (ids, timestamps, anything not in
the request schema) are ignored. PATCH is partial: omitted fields stay as they are.
"""
