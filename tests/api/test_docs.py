"""The API documentation pages work on a network without internet: every asset is served from the package."""

import re

import httpx
import pytest

from tests.harness import Firebell


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_load_only_assets_firebell_serves(firebell: Firebell, page: str) -> None:
    response = httpx.get(f"{firebell.url}{page}")
    assert response.status_code == 200
    html = response.text
    assert not re.findall(r"(?:https?:)?//[\w.-]+\.\w+", html), "the page names another host"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        served = httpx.get(f"{firebell.url}{asset}")
        assert served.status_code == 200, asset
        assert len(served.content) > 1000, asset


def test_swagger_ui_does_not_call_the_online_validator(firebell: Firebell) -> None:
    assert '"validatorUrl": null' in httpx.get(f"{firebell.url}/docs").text
