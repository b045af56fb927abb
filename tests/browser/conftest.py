"""Headless Chromium for the browser tests: Debian's chromium, driven by Playwright (sync API).

`make test` installs the browser (scripts/ensure-browser.sh); Playwright's own browser downloads
are not used, so nothing here reaches beyond this machine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("BACKUP_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags chromium tries to reach Google's services and logs
# every refused connection.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium "
            "(scripts/ensure-browser.sh) before the tests.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Opens a page in a fresh context (no cookies shared); `phone=True` gives a 375 px wide phone
    (`width=390` another phone's width)."""
    contexts: list[Any] = []

    def open_page(phone: bool = False, width: int | None = None) -> Any:
        options: dict[str, Any] = {"locale": "da-DK", "timezone_id": "Europe/Copenhagen"}
        if phone:
            viewport = {**PHONE, "width": width} if width else PHONE
            options.update(viewport=viewport, device_scale_factor=2, is_mobile=True, has_touch=True)
        else:
            options.update(viewport=DESKTOP)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any], request: pytest.FixtureRequest) -> Any:
    """A desktop-sized page; parametrize indirectly with `phone` (`@pytest.mark.parametrize("page",
    ["phone"], indirect=True)`) for a 375 px phone viewport."""
    return new_page(phone=getattr(request, "param", "desktop") == "phone")
