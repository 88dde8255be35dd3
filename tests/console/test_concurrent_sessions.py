"""Officers using the console at the same moment each get their own pages: `bops serve` handles requests on several
threads per process, and Powertools keeps the request being resolved on its router class, once per process, so the
handlers run one at a time (`bops.asgi.ONE_HANDLER_AT_A_TIME`). Without that, 35 of 150 pages were another officer's."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from tests.console.support import CSRF
from tests.console.test_pages import submit

pytestmark = pytest.mark.slow
REFERENCE = "26-00001-HAPP"
ROUNDS = 25


def test_two_officers_at_once_each_see_their_own_session_on_every_page(served):
    served.officer("DEMO", "ann@demo.example", "assessor", "Ann Assessor")
    served.officer("DEMO", "adam@demo.example", "administrator", "Adam Admin")
    submit(served, REFERENCE)
    browsers = {email: served.browser() for email in ("ann@demo.example", "adam@demo.example")}
    own_token = {}
    for email, browser in browsers.items():
        assert browser.sign_in(email) == 303
        own_token[email] = browser.csrf("/")
    outcomes: Counter[str] = Counter()

    def use_the_console(email: str) -> None:
        for round_ in range(ROUNDS):
            status, _, page = browsers[email].get(f"/applications/{REFERENCE}" if round_ % 2 else "/")
            found = CSRF.search(page)
            outcomes["own" if status == 200 and found and found.group(1) == own_token[email] else "other"] += 1

    threads = [threading.Thread(target=use_the_console, args=(email,)) for email in browsers for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"own": 2 * 3 * ROUNDS}
