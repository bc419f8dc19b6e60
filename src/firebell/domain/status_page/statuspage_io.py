"""The optional bridge to Atlassian Statuspage: where the page is, where its API key is, and which of its components
each of ours is.

```yaml
status_page:
  components: [{name: Checkout API}]
  statuspage_io:
    page_id: kctbh9vrtdwd
    api_key_env: STATUSPAGE_API_KEY      # the key stays in the environment; the policy names the variable
    api_url: https://api.statuspage.io   # the default
    components:
      checkout-api: 8kbf7d35c070         # our slug: their component id
```
"""

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

STATUSPAGE_API_URL = "https://api.statuspage.io"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_REMOTE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # Statuspage's ids are short lowercase alphanumerics


class StatuspageIoConfig(BaseModel):
    """The Statuspage page Firebell keeps in step with its own status page."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    page_id: str
    api_key_env: str
    api_url: str = STATUSPAGE_API_URL
    components: dict[str, str] = Field(default_factory=dict, max_length=200)

    @field_validator("page_id")
    @classmethod
    def _page_id(cls, value: str) -> str:
        value = value.strip()
        if not _REMOTE_ID.match(value):
            raise ValueError(f"expected Statuspage's page id (letters and digits, as in its API URLs), got {value!r}")
        return value

    @field_validator("api_key_env", mode="before")
    @classmethod
    def _api_key_env(cls, value: Any) -> str:
        if isinstance(value, str) and _ENV_NAME.match(value.strip()):
            return value.strip()
        raise ValueError(
            f"expected the name of the environment variable holding the API key (letters, digits, '_'), got "
            f"{value!r}; the key itself never goes in the policy file"
        )

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"expected an http(s):// URL of Statuspage's API, got {value!r}")
        return value

    @field_validator("components")
    @classmethod
    def _components(cls, value: dict[str, str]) -> dict[str, str]:
        for slug, remote in value.items():
            if not isinstance(remote, str) or not _REMOTE_ID.match(remote.strip()):
                raise ValueError(f"{slug}: expected Statuspage's component id (letters and digits), got {remote!r}")
        return {slug: remote.strip() for slug, remote in value.items()}

    def remote_components(self, slugs: "list[str] | tuple[str, ...]") -> list[str]:
        """Their component ids for our slugs, in order (components not mapped are left out)."""
        return [self.components[slug] for slug in slugs if slug in self.components]
