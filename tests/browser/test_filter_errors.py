"""A filter that does not validate, in Chromium (issue 14, "filters defined once"): the catalogue
and the officers' queue leave it out, say why by the field (the control described by the
message), keep what was typed, and pass axe-core at 1280 and 375 px."""

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_errors_forms import audit

pytestmark = pytest.mark.browser


def test_an_invalid_filter_is_explained_by_its_field(page, demo_site, screenshot):
    base = demo_site.url
    page.goto(f"{base}/technologies/?q=lua&trl_min=10")
    message = page.locator("#id_trl_min_error")
    assert "9" in message.inner_text()
    assert page.locator("#id_trl_min").get_attribute("aria-describedby") == "id_trl_min_error"
    assert page.locator("#id_q").input_value() == "lua"
    assert page.locator(".card-title").count() > 0  # the search still applies
    audit(page, screenshot, "catalogue-invalid-filter")

    sign_in(page, base, "officer@example.org", "/proposals/", staff=True)
    page.goto(f"{base}/proposals/?q=lua&call=abc")
    assert page.locator("#id_call_error").inner_text().strip()
    assert page.locator("#id_call").get_attribute("aria-describedby") == "id_call_error"
    assert page.locator("#id_q").input_value() == "lua"
    audit(page, screenshot, "queue-invalid-filter")
