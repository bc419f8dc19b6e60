"""The REST API's bearer token: declared as an HTTP bearer security scheme, compared in constant time."""

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from firebell.config import Settings

bearer = HTTPBearer(auto_error=False, description="FIREBELL_API_TOKEN, sent as `Authorization: Bearer <token>`")


def token_check(settings: Settings) -> Callable[[HTTPAuthorizationCredentials | None], None]:
    """A dependency that lets a request through only with the configured API token."""

    def require_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        expected = settings.firebell_api_token
        if expected is None:
            raise HTTPException(403, "The REST API is disabled: set FIREBELL_API_TOKEN to enable it.")
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(401, "Send Authorization: Bearer <FIREBELL_API_TOKEN>.", {"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(credentials.credentials.encode(), expected.get_secret_value().encode()):
            raise HTTPException(401, "Invalid API token.", {"WWW-Authenticate": "Bearer"})

    return require_token
