"""The /docs explorer in headless Chromium: it renders, it runs a request, it needs no other host."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.databases import Databases
from tests.live import live_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT_SECONDS = 20
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,2000",
    # No name resolves but the server's: a page that reached for a CDN would break here too.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def _require_chromium() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    message = f"{', '.join(missing)} not found: apt-get install chromium chromium-driver"
    if IN_CI:
        pytest.fail(f"{message} (.ci/run installs them; in CI this test must run)")
    pytest.skip(message)


@pytest.fixture(scope="module")
async def base(databases: Databases, template_db: str) -> AsyncIterator[str]:
    async with live_server(databases, template_db, "explorer") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    _require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    with (
        tempfile.TemporaryDirectory(prefix="detente-chromium-") as profile,
        pytest.MonkeyPatch.context() as env,
    ):
        options.add_argument(f"--user-data-dir={profile}")
        # Every request the page makes, failed ones included, lands in the performance log.
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        # Explicit browser and driver paths, and offline: Selenium Manager must download nothing.
        env.setenv("SE_OFFLINE", "true")
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def _requested_urls(driver: webdriver.Chrome) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


# `browser` comes first: without Chromium the test skips before a server is started for it.
def test_the_explorer_renders_every_operation_from_this_server_only(
    browser: webdriver.Chrome, base: str
) -> None:
    spec = httpx.get(f"{base}/openapi.json").json()
    operations = sum(len(item) for item in spec["paths"].values())
    browser.get(f"{base}/docs")
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) == operations
    )
    assert browser.execute_script("return window.versions.swaggerUI.version").startswith("5.")
    assert "Détente" in browser.find_element(By.CSS_SELECTOR, ".info .title").text
    urls = _requested_urls(browser)
    assert f"{base}/docs/assets/swagger-ui-bundle.js" in urls
    server = urlsplit(base).netloc
    foreign = [u for u in urls if urlsplit(u).scheme in {"http", "https"} and urlsplit(u).netloc != server]
    assert foreign == [], "the explorer reached for another host"


def test_try_it_out_fetches_the_pair_page(browser: webdriver.Chrome, base: str) -> None:
    wait = WebDriverWait(browser, WAIT_SECONDS)
    browser.get(f"{base}/docs")
    operation = wait.until(ec.presence_of_element_located((By.ID, "operations-pairs-getPair")))
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
    wait.until(lambda _: operation.find_element(By.CSS_SELECTOR, "button.try-out__btn")).click()
    for name, value in (("a", "KR"), ("b", "CN")):
        box = operation.find_element(By.CSS_SELECTOR, f"tr[data-param-name='{name}'] input")
        box.clear()
        box.send_keys(value)
    operation.find_element(By.CSS_SELECTOR, "button.execute").click()
    status = wait.until(
        lambda _: operation.find_element(By.CSS_SELECTOR, ".live-responses-table tbody .response-col_status")
    )
    assert status.text.strip() == "200"
    assert "/v1/pairs/KR/CN" in operation.find_element(By.CSS_SELECTOR, ".request-url").text
    body = operation.find_element(By.CSS_SELECTOR, ".live-responses-table .response-col_description pre")
    assert json.loads(body.text)["pair"] == "CN-KR"
