"""Browser tests: their fixtures (browser, desk_page, phone_page, shot) are the plugin
``tests.browser.fixtures``, loaded by the root conftest for every test directory."""

from tests.browser.fixtures import CHROMIUM, SCREENSHOTS, click_to_load, log_in  # noqa: F401
