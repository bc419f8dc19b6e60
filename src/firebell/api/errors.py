"""How the HTTP API says no: one error body (`{"detail": ...}`), declared in the OpenAPI document."""

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from firebell.domain.errors import FirebellError, IncidentNotFound


class ErrorOut(BaseModel):
    """What went wrong, in a sentence a person can act on."""

    detail: str


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these error statuses, each with the error body."""
    meaning = {
        400: "The request is malformed: the detail names the parameter and what is valid",
        401: "No bearer token, or the wrong one",
        403: "The REST API is disabled (FIREBELL_API_TOKEN is not set)",
        404: "There is no such incident",
    }
    # Always JSON, also on routes that answer Markdown (a `model` would take the route's media type).
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    return {status: {"description": meaning[status], "content": content} for status in statuses}


def describe_invalid(errors: Sequence[Any]) -> str:
    """One sentence naming each invalid parameter and why (from pydantic's validation errors)."""
    parts = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        where, name = (location[0], ".".join(location[1:])) if len(location) > 1 else ("request", "".join(location))
        kind = {"query": "query parameter", "path": "path parameter", "header": "header", "body": "body field"}
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"Invalid {kind.get(where, where)} {name!r}: {message}.".replace("..", "."))
    return " ".join(parts) or "Invalid request."


def install_error_handlers(app: FastAPI) -> None:
    """Domain errors become 404/400 and invalid parameters 400, each as `{"detail": "..."}`."""

    @app.exception_handler(FirebellError)
    async def firebell_error(_: Request, exc: FirebellError) -> JSONResponse:
        status = 404 if isinstance(exc, IncidentNotFound) else 400
        return JSONResponse({"detail": exc.message}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": describe_invalid(exc.errors())}, status_code=400)


def declare_only_our_errors(app: FastAPI) -> None:
    """Declare the error body, and drop FastAPI's generated 422 answers: invalid parameters get 400 here."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        schemas["ErrorOut"] = ErrorOut.model_json_schema()
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
