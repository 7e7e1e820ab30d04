"""Typed settings read once from ``TASKSTAR_*`` environment variables.

Every value is validated when the settings are built, so a bad configuration
stops start-up with a message that names the variable, never a traceback later.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

E = TypeVar("E", bound=Enum)
N = TypeVar("N", int, float)


class SettingsError(ValueError):
    """A configuration value is missing or invalid."""


class Persistence(StrEnum):
    """The persistence paths Taskstar can serve its contract from."""

    SQLALCHEMY_ASYNC = "sqlalchemy-async"
    SQLALCHEMY_SPLIT = "sqlalchemy-split"
    SQLALCHEMY_SYNC = "sqlalchemy-sync"
    PICCOLO = "piccolo"


class DatabaseKind(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


@dataclass(frozen=True)
class DatabaseURL:
    """A database address in plain form (``sqlite:///path``, ``postgresql://...``).

    The driver is Taskstar's choice, so users never write ``+asyncpg`` themselves.
    """

    kind: DatabaseKind
    url: str

    @classmethod
    def parse(cls, raw: str) -> DatabaseURL:
        scheme = urlsplit(raw).scheme
        if scheme == "sqlite":
            if not raw.startswith("sqlite:///") or raw == "sqlite:///":
                raise SettingsError(
                    f"TASKSTAR_DATABASE_URL={raw!r}: a SQLite URL names a file, e.g. sqlite:///data/taskstar.db"
                )
            return cls(DatabaseKind.SQLITE, raw)
        if scheme in {"postgresql", "postgres"}:
            if not urlsplit(raw).hostname and "host=" not in raw:
                raise SettingsError(f"TASKSTAR_DATABASE_URL={raw!r}: a PostgreSQL URL needs a host")
            return cls(DatabaseKind.POSTGRESQL, "postgresql" + raw[len(scheme) :])
        raise SettingsError(
            f"TASKSTAR_DATABASE_URL={raw!r}: use sqlite:///path or postgresql://user:pass@host:port/db "
            "(Taskstar picks the driver itself)"
        )

    @property
    def sqlite_path(self) -> Path:
        return Path(self.url.removeprefix("sqlite:///"))

    def with_driver(self, driver: str) -> str:
        """The URL with a SQLAlchemy driver, e.g. ``with_driver("asyncpg")``."""
        scheme, rest = self.url.split("://", 1)
        return f"{scheme}+{driver}://{rest}"

    def redacted(self) -> str:
        parts = urlsplit(self.url)
        if parts.password:
            return self.url.replace(f":{parts.password}@", ":***@", 1)
        return self.url


RateLimitUnit = Literal["second", "minute", "hour", "day"]
_RATE_LIMIT_UNITS: dict[str, RateLimitUnit] = {"second": "second", "minute": "minute", "hour": "hour", "day": "day"}


@dataclass(frozen=True)
class RateLimit:
    count: int
    unit: RateLimitUnit

    @classmethod
    def parse(cls, raw: str) -> RateLimit:
        count, _, unit = raw.partition("/")
        if not count.isdigit() or int(count) < 1 or unit not in _RATE_LIMIT_UNITS:
            raise SettingsError(
                f"TASKSTAR_AUTH_RATE_LIMIT={raw!r}: expected <count>/<second|minute|hour|day>, e.g. 10/minute"
            )
        return cls(int(count), _RATE_LIMIT_UNITS[unit])


@dataclass(frozen=True)
class Settings:
    database: DatabaseURL
    data_dir: Path
    persistence: Persistence = Persistence.SQLALCHEMY_ASYNC
    secret_key: str = field(repr=False, default="")
    access_token_ttl_seconds: int = 86_400
    auth_rate_limit: RateLimit = RateLimit(10, "minute")
    redis_url: str | None = None
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    db_pool_size: int = 20
    db_pool_timeout_seconds: float = 5.0
    db_statement_timeout_seconds: float = 10.0
    ready_timeout_seconds: float = 2.0
    sqlite_busy_timeout_seconds: float = 30.0
    event_retention_days: int = 30
    stream_heartbeat_seconds: float = 15.0
    password_hash_memory_kib: int = 65_536

    @property
    def is_sqlite(self) -> bool:
        return self.database.kind is DatabaseKind.SQLITE

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("TASKSTAR_DATA_DIR", "data"))
        persistence = _choice(env, "TASKSTAR_PERSISTENCE", Persistence, Persistence.SQLALCHEMY_ASYNC)
        default_file = data_dir / _DEFAULT_SQLITE_FILE[persistence is Persistence.PICCOLO]
        database = DatabaseURL.parse(env.get("TASKSTAR_DATABASE_URL") or f"sqlite:///{default_file}")
        if database.kind is DatabaseKind.SQLITE:
            variable = "TASKSTAR_DATABASE_URL" if env.get("TASKSTAR_DATABASE_URL") else "TASKSTAR_DATA_DIR"
            _make_directory(database.sqlite_path.parent, variable, "the SQLite database")
        return cls(
            database=database,
            data_dir=data_dir,
            persistence=persistence,
            secret_key=_secret_key(env, database, data_dir),
            access_token_ttl_seconds=_number(env, "TASKSTAR_ACCESS_TOKEN_TTL", int, 86_400, minimum=60),
            auth_rate_limit=RateLimit.parse(env.get("TASKSTAR_AUTH_RATE_LIMIT", "10/minute")),
            redis_url=_redis_url(env),
            log_level=_log_level(env),
            log_format=_choice(env, "TASKSTAR_LOG_FORMAT", _LogFormat, _LogFormat.TEXT).value,
            db_pool_size=_number(env, "TASKSTAR_DB_POOL_SIZE", int, _default_pool_size(database), minimum=1),
            db_pool_timeout_seconds=_number(env, "TASKSTAR_DB_POOL_TIMEOUT", float, 5.0, minimum=0.1),
            db_statement_timeout_seconds=_number(env, "TASKSTAR_DB_STATEMENT_TIMEOUT", float, 10.0, minimum=0.1),
            ready_timeout_seconds=_number(env, "TASKSTAR_READY_TIMEOUT", float, 2.0, minimum=0.1),
            # Contract v1.1: events are kept at least 30 days unless this says otherwise.
            event_retention_days=_number(env, "TASKSTAR_EVENT_RETENTION_DAYS", int, 30, minimum=1, maximum=36_500),
            password_hash_memory_kib=_number(
                env, "TASKSTAR_PASSWORD_HASH_MEMORY", int, 65_536, minimum=1024, maximum=4_194_304
            ),
            # The contract sends a comment line on an idle event stream at least every 15 s.
            stream_heartbeat_seconds=_number(env, "TASKSTAR_STREAM_HEARTBEAT", float, 15.0, minimum=0.5, maximum=15.0),
        )


#: The embedded default's file: Piccolo keeps a schema of its own, so switching the path
#: on a default install starts a database beside the SQLAlchemy paths' one.
_DEFAULT_SQLITE_FILE = {False: "taskstar.db", True: "taskstar-piccolo.db"}


def _default_pool_size(database: DatabaseURL) -> int:
    # SQLite runs one writer at a time and each aiosqlite connection is a thread
    # with its own page cache: 8 connections served a GET 12% faster than 32, with
    # a third of the p99 and 40 MB less memory (python3 dev.py bench, 32 clients).
    return 8 if database.kind is DatabaseKind.SQLITE else 20


class _LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _choice(env: dict[str, str], name: str, choices: type[E], default: E) -> E:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return choices(raw)
    except ValueError:
        valid = ", ".join(member.value for member in choices)
        raise SettingsError(f"{name}={raw!r} is not valid; choose one of: {valid}") from None


def _number(env: dict[str, str], name: str, kind: type[N], default: N, *, minimum: N, maximum: N | None = None) -> N:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name}={raw!r} must be at most {maximum}")
    return value


def _log_level(env: dict[str, str]) -> str:
    level = env.get("TASKSTAR_LOG_LEVEL", "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise SettingsError(f"TASKSTAR_LOG_LEVEL={level!r}: choose DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return level


def _redis_url(env: dict[str, str]) -> str | None:
    raw = env.get("TASKSTAR_REDIS_URL") or None
    if raw is not None and urlsplit(raw).scheme not in {"redis", "rediss", "unix"}:
        raise SettingsError(f"TASKSTAR_REDIS_URL={raw!r}: expected redis://host:port/db")
    return raw


_MIN_SECRET_LENGTH = 32


def _secret_key(env: dict[str, str], database: DatabaseURL, data_dir: Path) -> str:
    """The JWT signing key.

    On the embedded default a key is generated once and kept beside the data, so
    a single-machine install needs no setup; a server deployment must set one,
    since a key generated per machine would split tokens between replicas.
    """
    configured = env.get("TASKSTAR_SECRET_KEY")
    if configured:
        if len(configured) < _MIN_SECRET_LENGTH:
            raise SettingsError(f"TASKSTAR_SECRET_KEY must be at least {_MIN_SECRET_LENGTH} characters long")
        return configured
    if database.kind is DatabaseKind.POSTGRESQL:
        raise SettingsError(
            "TASKSTAR_SECRET_KEY is required with PostgreSQL; generate one with "
            '`python -c "import secrets; print(secrets.token_urlsafe(48))"`'
        )
    key_file = data_dir / "secret_key"
    if key_file.is_file():
        return key_file.read_text().strip()
    _make_directory(data_dir, "TASKSTAR_DATA_DIR", "Taskstar's data and signing key")
    key = secrets.token_urlsafe(48)
    # Written with owner-only permissions: the key signs every session token.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _make_directory(directory: Path, variable: str, purpose: str) -> None:
    """Create ``directory`` (and its parents) if missing; ``SettingsError`` naming ``variable``
    when it cannot be one (a file is in the way, no permission, a read-only file system)."""
    if directory.exists() and not directory.is_dir():
        raise SettingsError(f"{variable}: {directory} is a file, not a directory for {purpose}")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".taskstar-write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise SettingsError(
            f"{variable}: {directory} cannot hold {purpose}: {error.strerror or error}; choose a writable directory"
        ) from None
