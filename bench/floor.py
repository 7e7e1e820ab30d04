"""The raw-driver floor: the benchmark's four endpoints on a bare Litestar app and a driver pool.

Same requests, same SQL work (token, caller, membership, the same rows, the same JSON)
with hand-written queries on asyncpg or sqlite3 (aiosqlite); no ORM, no services. It is
what Taskstar's layers are measured against, not a second implementation to ship.

Run: ``python -m bench.floor`` with ``TASKSTAR_DATABASE_URL``, ``TASKSTAR_SECRET_KEY``, ``FLOOR_PORT``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

import jwt
import msgspec
from litestar import Litestar, Request, Response, get, patch, post

from taskstar.domain.tasks import Priority
from taskstar.settings import Settings

PRIORITIES = list(Priority)
STATEMENTS = 0
TASK_COLUMNS = (
    "t.id, t.project_id, t.number, t.title, t.description, t.status, t.priority, t.due_date, t.position, t.version,"
    " t.completed_at, t.comment_count, t.created_at, t.updated_at, p.key, a.id, a.name, r.id, r.name"
)
TASK_FROM = (
    "task t JOIN project p ON p.id = t.project_id LEFT JOIN user_account a ON a.id = t.assignee_id"
    " LEFT JOIN user_account r ON r.id = t.reporter_id"
)


class Database:
    """Just enough of a driver pool for both databases: ``?`` placeholders, one transaction per call."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        self.url = url

    async def start(self, size: int) -> None:
        if self.sqlite:
            import aiosqlite

            self.connections: asyncio.Queue[Any] = asyncio.Queue()
            for _ in range(size):
                connection = await aiosqlite.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
                await connection.execute("PRAGMA journal_mode=WAL")
                await connection.execute("PRAGMA busy_timeout=30000")
                await self.connections.put(connection)
        else:
            import asyncpg

            self.pool = await asyncpg.create_pool(self.url, min_size=size, max_size=size)

    def key(self, value: uuid.UUID) -> Any:
        return value.bytes if self.sqlite else value

    def uuid(self, value: Any) -> uuid.UUID | None:
        if value is None:
            return None
        return uuid.UUID(bytes=value) if self.sqlite else value

    def moment(self, value: datetime) -> Any:
        """A timestamp as a parameter: SQLite's DATETIME columns hold SQLAlchemy's text form."""
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    def timestamp(self, value: Any) -> datetime | None:
        if value is None or not self.sqlite:
            return value
        return datetime.fromisoformat(value).replace(tzinfo=UTC)

    def day(self, value: Any) -> date | None:
        return date.fromisoformat(value) if self.sqlite and value else value

    @asynccontextmanager
    async def transaction(self, write: bool) -> AsyncIterator[Any]:
        if self.sqlite:
            connection = await self.connections.get()
            try:
                await connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield _SQLite(connection)
                await connection.commit()
            except BaseException:
                await connection.rollback()
                raise
            finally:
                self.connections.put_nowait(connection)
        else:
            async with self.pool.acquire() as connection, connection.transaction():
                yield _Postgres(connection)


class _SQLite:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        global STATEMENTS
        STATEMENTS += 1
        async with self.connection.execute(sql, args) as cursor:
            return list(await cursor.fetchall())


class _Postgres:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        global STATEMENTS
        STATEMENTS += 1
        parts = sql.split("?")
        numbered = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))
        return list(await self.connection.fetch(numbered, *args))


DB = Database(os.environ.get("TASKSTAR_DATABASE_URL", "sqlite:///data/taskstar.db"))
SECRET = os.environ.get("TASKSTAR_SECRET_KEY", "")


def _problem(status: int, detail: str) -> Response[dict[str, Any]]:
    return Response({"status": status, "title": "Error", "detail": detail}, status_code=status,
                    media_type="application/problem+json")  # fmt: skip


async def _caller_role(tx: Any, request: Request[Any, Any, Any], table: str, resource: uuid.UUID) -> tuple[Any, Any]:
    """The token's user (one query) and their role in the resource's workspace (one query). A
    personal API token (``tsk_``) is looked up by its SHA-256, unexpired, as Taskstar does."""
    token = request.headers.get("authorization", "").partition(" ")[2]
    if token.startswith("tsk_"):
        user = await tx.fetch(
            "SELECT u.id, u.name FROM api_token k JOIN user_account u ON u.id = k.user_id"
            " WHERE k.token_hash = ? AND k.expires_at > ?",
            hashlib.sha256(token.encode()).hexdigest(), DB.moment(datetime.now(UTC)),
        )  # fmt: skip
        user_id = DB.uuid(user[0][0])
    else:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        user_id = uuid.UUID(claims["sub"])
        user = await tx.fetch("SELECT id, name FROM user_account WHERE id = ?", DB.key(user_id))
    role = await tx.fetch(
        f"SELECT m.role, m.workspace_id FROM membership m JOIN {table} x ON x.workspace_id = m.workspace_id"
        " WHERE x.id = ? AND m.user_id = ?",
        DB.key(resource), DB.key(user_id),
    )  # fmt: skip
    return user[0], role[0] if role else None


def _task_json(row: Any, tags: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": DB.uuid(row[0]), "project_id": DB.uuid(row[1]), "number": row[2], "key": f"{row[14]}-{row[2]}",
        "title": row[3], "description": row[4], "status": row[5], "priority": PRIORITIES[row[6]].value,
        "assignee": {"id": DB.uuid(row[15]), "name": row[16]} if row[15] is not None else None,
        "reporter": {"id": DB.uuid(row[17]), "name": row[18]} if row[17] is not None else None,
        "tags": tags, "due_date": DB.day(row[7]), "position": row[8], "version": row[9],
        "completed_at": DB.timestamp(row[10]), "comment_count": row[11],
        "created_at": DB.timestamp(row[12]), "updated_at": DB.timestamp(row[13]),
    }  # fmt: skip


async def _tags_of(tx: Any, task_ids: list[Any]) -> dict[Any, list[dict[str, Any]]]:
    if not task_ids:
        return {}
    marks = ", ".join("?" * len(task_ids))
    rows = await tx.fetch(
        f"SELECT tt.task_id, g.id, g.name, g.color FROM task_tag tt JOIN tag g ON g.id = tt.tag_id"
        f" WHERE tt.task_id IN ({marks}) ORDER BY g.name_key", *task_ids
    )  # fmt: skip
    tags: dict[Any, list[dict[str, Any]]] = {}
    for task_id, tag_id, name, color in rows:
        tags.setdefault(task_id, []).append({"id": DB.uuid(tag_id), "name": name, "color": color})
    return tags


async def _one_task(tx: Any, task_id: Any) -> dict[str, Any] | None:
    rows = await tx.fetch(f"SELECT {TASK_COLUMNS} FROM {TASK_FROM} WHERE t.id = ?", task_id)
    if not rows:
        return None
    return _task_json(rows[0], (await _tags_of(tx, [rows[0][0]])).get(rows[0][0], []))


def _json(body: Any, status: int = 200, etag: int | None = None) -> Response[bytes]:
    headers = {"ETag": f'"{etag}"'} if etag is not None else None
    return Response(msgspec.json.encode(body), status_code=status, media_type="application/json", headers=headers)


@get("/api/tasks/{task_id:uuid}")
async def get_task(task_id: uuid.UUID, request: Request[Any, Any, Any]) -> Response[Any]:
    async with DB.transaction(write=False) as tx:
        _, role = await _caller_role(tx, request, "task", task_id)
        task = await _one_task(tx, DB.key(task_id)) if role else None
    return _json(task, etag=task["version"]) if task else _problem(404, "No task with this id")


@get("/api/projects/{project_id:uuid}/tasks")
async def list_tasks(project_id: uuid.UUID, request: Request[Any, Any, Any]) -> Response[Any]:
    statuses = request.query_params.getall("status", [])
    limit = int(request.query_params.get("limit", 20))
    async with DB.transaction(write=False) as tx:
        _, role = await _caller_role(tx, request, "project", project_id)
        if role is None:
            return _problem(404, "No project with this id")
        where = "t.workspace_id = ? AND t.project_id = ?"
        args = [role[1], DB.key(project_id)]
        if statuses:
            where += f" AND t.status IN ({', '.join('?' * len(statuses))})"
            args += statuses
        rows = await tx.fetch(
            f"SELECT {TASK_COLUMNS} FROM {TASK_FROM} WHERE {where} ORDER BY t.priority DESC, t.id DESC LIMIT ?",
            *args, limit + 1,
        )  # fmt: skip
        total = (await tx.fetch(f"SELECT count(*) FROM task t WHERE {where}", *args))[0][0]
        page = rows[:limit]
        tags = await _tags_of(tx, [row[0] for row in page])
    items = [_task_json(row, tags.get(row[0], [])) for row in page]
    return _json({"items": items, "total": total, "limit": limit, "offset": 0, "next_cursor": None})


@post("/api/projects/{project_id:uuid}/tasks")
async def create_task(project_id: uuid.UUID, request: Request[Any, Any, Any]) -> Response[Any]:
    body = msgspec.json.decode(await request.body())
    tag_ids = [uuid.UUID(tag) for tag in body.get("tag_ids", [])]
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if DB.sqlite else now
    async with DB.transaction(write=True) as tx:
        user, role = await _caller_role(tx, request, "project", project_id)
        if role is None or role[0] == "viewer":
            return _problem(404, "No project with this id")
        if tag_ids:
            marks = ", ".join("?" * len(tag_ids))
            found = await tx.fetch(f"SELECT id FROM tag WHERE workspace_id = ? AND id IN ({marks})", role[1],
                                   *[DB.key(t) for t in tag_ids])  # fmt: skip
            if len(found) != len(set(tag_ids)):
                return _problem(400, "not a tag of this workspace")
        number = (await tx.fetch(
            "UPDATE project SET last_task_number = last_task_number + 1 WHERE id = ? RETURNING last_task_number",
            DB.key(project_id),
        ))[0][0]  # fmt: skip
        task_id = DB.key(uuid.uuid4())
        priority = PRIORITIES.index(Priority(body.get("priority", "none")))
        await tx.fetch(
            "INSERT INTO task (id, workspace_id, project_id, number, title, status, priority, reporter_id, position,"
            " version, comment_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'todo', ?, ?, 0, 1, 0, ?, ?)",
            task_id, role[1], DB.key(project_id), number, body["title"], priority, user[0], stamp, stamp,
        )  # fmt: skip
        for tag in tag_ids:
            await tx.fetch("INSERT INTO task_tag (task_id, tag_id) VALUES (?, ?)", task_id, DB.key(tag))
        await tx.fetch(
            "INSERT INTO activity (id, workspace_id, task_id, actor_id, kind, changes, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'created', ?, ?, ?)",
            DB.key(uuid.uuid4()), role[1], task_id, user[0], '{"title": [null, "x"]}', stamp, stamp,
        )  # fmt: skip
        task = await _one_task(tx, task_id)
    return _json(task, status=201, etag=1)


@patch("/api/tasks/{task_id:uuid}")
async def patch_task(task_id: uuid.UUID, request: Request[Any, Any, Any]) -> Response[Any]:
    body = msgspec.json.decode(await request.body())
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if DB.sqlite else now
    async with DB.transaction(write=True) as tx:
        user, role = await _caller_role(tx, request, "task", task_id)
        if role is None or role[0] == "viewer":
            return _problem(404, "No task with this id")
        lock = "" if DB.sqlite else " FOR UPDATE"
        current = await tx.fetch(f"SELECT priority, version FROM task WHERE id = ?{lock}", DB.key(task_id))
        new = PRIORITIES.index(Priority(body["priority"]))
        if current[0][0] != new:
            await tx.fetch(
                "UPDATE task SET priority = ?, version = version + 1, updated_at = ? WHERE id = ?",
                new, stamp, DB.key(task_id),
            )  # fmt: skip
            await tx.fetch(
                "INSERT INTO activity (id, workspace_id, task_id, actor_id, kind, changes, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 'updated', ?, ?, ?)",
                DB.key(uuid.uuid4()), role[1], DB.key(task_id), user[0], '{"priority": ["a", "b"]}', stamp, stamp,
            )  # fmt: skip
        task = await _one_task(tx, DB.key(task_id))
    return _json(task, etag=task["version"] if task else None)


@get("/floor/statements")
async def statements() -> dict[str, int]:
    return {"statements": STATEMENTS}


async def _start() -> None:
    await DB.start(Settings.from_env().db_pool_size)  # the same pool size as Taskstar's


app = Litestar([get_task, list_tasks, create_task, patch_task, statements], on_startup=[_start])
