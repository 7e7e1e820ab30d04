"""Every error leaves as RFC 9457 problem details (``application/problem+json``).

One table maps domain errors to statuses; Litestar's own HTTP errors (validation,
unknown route, wrong method, body too large, rate limit) and anything unexpected
go through the same shape, so a client parses one format for every failure.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, MethodNotAllowedException, ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from redis.exceptions import RedisError

from taskstar.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    StaleVersion,
    Unavailable,
)
from taskstar.driver_errors import server_sqlstate
from taskstar.http.head import with_head
from taskstar.http.validation import parameter_problem, parameter_types

logger = logging.getLogger("taskstar.errors")

STATUS_OF: dict[type[DomainError], int] = {
    InvalidInput: 400,
    AuthenticationFailed: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    StaleVersion: 412,
    Unavailable: 503,
}

#: Seconds a client should wait before retrying when the database is unreachable.
UNAVAILABLE_RETRY_AFTER = 2


def problem(
    status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=status,
        title=HTTPStatus(status).phrase,
        detail=detail,
        headers=headers,
        extra=extra or None,
    )


def from_domain_error(exc: DomainError) -> ProblemDetailsException:
    status = next(code for kind, code in STATUS_OF.items() if isinstance(exc, kind))
    headers = {"Retry-After": str(UNAVAILABLE_RETRY_AFTER)} if status == 503 else None
    errors = [{"field": error.field, "message": error.message} for error in exc.errors]
    extra: dict[str, Any] = {"errors": errors} if errors else {}
    if isinstance(exc, Gone):
        extra["resume_after"] = exc.resume_after
    return problem(status, exc.detail, headers=headers, **extra)


def from_http_exception(exc: HTTPException) -> ProblemDetailsException:
    headers = dict(exc.headers or {})
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        extra["errors"] = [
            {"field": item.get("key"), "message": item.get("message"), "source": item.get("source")}
            for item in exc.extra
            if isinstance(item, Mapping)
        ]
    if isinstance(exc, MethodNotAllowedException):
        # Litestar lists the route's methods in the order they were registered, without HEAD.
        allowed = next((value for name, value in headers.items() if name.lower() == "allow"), "")
        headers = {name: value for name, value in headers.items() if name.lower() != "allow"}
        headers["Allow"] = with_head(allowed.split(","))
    if exc.status_code == 429 and "Retry-After" not in headers:
        # Litestar's rate limiter sends the IETF RateLimit-Reset header only;
        # the contract promises the standard Retry-After too.
        headers["Retry-After"] = headers.get("RateLimit-Reset", "60")
    return problem(exc.status_code, str(exc.detail), headers=headers or None, **extra)


def parameter_errors_reworded(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """The exception handler for ``ValidationException``: Litestar's messages for query, path and
    header parameters are msgspec's ("Expected `int` >= 1", "Invalid enum value 'x'"); each is
    rewritten from the parameter's declared type in the words body errors use ("must be an
    integer from 1 to 100"), so one vocabulary covers every input. Body problems are already
    worded (``http.validation.check_body``), but for a missing body, which Litestar reports as
    its own ``data`` parameter."""
    if isinstance(exc.extra, list):
        handler = request.route_handler
        models = [handler.signature_model]
        models += [provider.signature_model for provider in handler.resolve_dependencies().values()]
        types = parameter_types([model for model in models if model is not None])
        for item in exc.extra:
            if not isinstance(item, dict):
                continue
            if item.get("source") == "body" and item.get("key") == "data":
                # No body at all: Litestar names its own handler parameter, with a KeyError's text.
                item.update(key=None, message="must be a JSON object (the request has no body)")
            elif item.get("source") != "body" and item.get("key") in types:
                item["message"] = parameter_problem(types[item["key"]])
    return from_http_exception(exc).to_response(request)


def from_store_error(exc: RedisError) -> ProblemDetailsException:
    """Redis, where the rate limits are counted, does not answer: 503 with ``Retry-After``
    (a login whose limit cannot be checked is not let through), logged like a database 503."""
    log_unavailable(exc, what="rate-limit store (Redis)")
    return from_domain_error(Unavailable("The rate-limit store does not answer; try again shortly"))


def from_unexpected(exc: Exception) -> ProblemDetailsException:
    logger.exception("unhandled error", exc_info=exc)
    return problem(500, "An unexpected error occurred; it has been logged.")


def problem_details_plugin(
    translations: Mapping[type[Exception], Callable[[Any], DomainError | None]],
) -> ProblemDetailsPlugin:
    """The plugin, given a persistence path's translations of its own exceptions.

    A path maps its driver's errors (a unique violation, a lost connection) to
    domain errors; from there they take the same road as every other error.
    """
    mapping: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
        HTTPException: from_http_exception,
        DomainError: from_domain_error,
        RedisError: from_store_error,
        Exception: from_unexpected,
    }
    for exc_type, translate in translations.items():
        mapping[exc_type] = _via_domain_error(translate)
    return ProblemDetailsPlugin(ProblemDetailsConfig(exception_to_problem_detail_map=mapping))


def _via_domain_error(
    translate: Callable[[Any], DomainError | None],
) -> Callable[[Exception], ProblemDetailsException]:
    def convert(exc: Exception) -> ProblemDetailsException:
        domain_error = translate(exc)
        if domain_error is None:
            return from_unexpected(exc)
        if isinstance(domain_error, Unavailable):
            log_unavailable(exc)
        return from_domain_error(domain_error)

    return convert


# A connection URL's password, should a driver ever quote one in a message.
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


def log_unavailable(cause: BaseException, what: str = "database") -> None:
    """One WARNING per 503 the database caused, naming what failed, so an operator can tell a
    full pool (``sqlalchemy.exc.TimeoutError: QueuePool limit ...``) from a refused connection
    (``TooManyConnectionsError``, SQLSTATE 53300) or a dead server (``ConnectionRefusedError``):
    the exception chain's classes and messages (passwords in URLs masked) and the SQLSTATE
    PostgreSQL sent, if any. The response itself stays a generic 503."""
    chain: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = cause
    while current is not None and id(current) not in seen and len(chain) < 4:
        seen.add(id(current))
        message = _URL_PASSWORD.sub(r"\1***@", " ".join(str(current).split()))[:300]
        chain.append(f"{type(current).__module__}.{type(current).__qualname__}: {message}")
        current = current.__cause__ or current.__context__
    sqlstate = server_sqlstate(cause)
    logger.warning(
        "%s unavailable (503): %s%s", what, " <- ".join(chain), f" [SQLSTATE {sqlstate}]" if sqlstate else ""
    )
