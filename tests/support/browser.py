"""A real browser for the tests of what people see: Debian's Chromium driven by Playwright.

Playwright's own browser download is not used (it needs a host this project's machines do not
reach); ``executable_path`` points Playwright at the system's Chromium instead. ``dev.py test``
installs it where it can (``apt-get install chromium``, as root); elsewhere the browser tests
are skipped, except in CI, where a missing browser fails them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, Route, sync_playwright


def chromium_executable() -> str:
    """The Chromium to drive: ``TASKSTAR_CHROMIUM``, or ``chromium`` on ``PATH``. Skips the
    test when there is none, or fails it in CI (``CI`` set)."""
    found = os.environ.get("TASKSTAR_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "no Chromium for the browser tests: `apt-get install chromium` (or set TASKSTAR_CHROMIUM)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class OfflinePage:
    """A page that reaches only ``origin``: every other request is refused, as with the network
    off, and recorded in ``refused``; uncaught script errors land in ``errors``."""

    page: Page
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def offline_page(origin: str) -> Iterator[OfflinePage]:
    """Headless Chromium with one page on which only ``origin`` (``http://127.0.0.1:PORT``) answers."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(), headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            offline = OfflinePage(page)

            def only_origin(route: Route) -> None:
                url = route.request.url
                if url == origin or url.startswith(f"{origin}/"):
                    route.continue_()
                else:
                    offline.refused.append(url)
                    route.abort("internetdisconnected")

            page.route("**/*", only_origin)
            page.on("pageerror", lambda error: offline.errors.append(str(error)))
            yield offline
        finally:
            browser.close()
