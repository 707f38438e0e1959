"""`next` after a login is checked once, on the server (guard.safe_next), in every encoding: what it answers
stays on this site however a browser reads it, and the login page follows only what the server answers.
In Chromium: a real login at /login?next=/..//evil.example/phish ends on the centre, not off-site."""

from __future__ import annotations

import urllib.parse

import pytest

from photoqueue.central import accounts
from photoqueue.central.guard import safe_next
from photoqueue.central.process import CentralThread
from photoqueue.central.settings import CentralSettings

HOSTILE = ["/..//evil.example/phish", "/.%2E//evil.example", "/%2E%2E//evil.example", "//evil.example",
           "/\\evil.example", "/%5Cevil.example", "/%5cevil.example", "/%2F%2Fevil.example", "/%2f/evil.example",
           "/%252F%252Fevil.example", "／／evil.example", "/／evil.example", "/＼evil.example", "＼＼evil.example",
           "/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/%0A/evil.example", "/ /evil.example",
           "https://evil.example", "http:evil.example", "javascript:alert(1)", "%2F%2Fevil.example",
           "/%E3%80%80/evil.example", "\\\\evil.example", "/..\\evil.example", "/.//evil.example"]
ORIGIN = "http://centre.lan:8600"


@pytest.mark.parametrize("target", HOSTILE)
def test_every_hostile_next_becomes_a_path_on_this_site(target):
    got = safe_next(target)
    assert got == "/", (target, got)
    resolved = urllib.parse.urlsplit(urllib.parse.urljoin(ORIGIN + "/login", got))
    assert resolved.netloc == "centre.lan:8600" and "evil.example" not in resolved.netloc


@pytest.mark.parametrize("target,want", [("/", "/"), ("/dashboard", "/dashboard"),
                                         ("/status?day=2024-06-20", "/status?day=2024-06-20"),
                                         ("/status?room=第一组", "/status?room=%E7%AC%AC%E4%B8%80%E7%BB%84")])
def test_a_same_site_path_is_kept(target, want):
    assert safe_next(target) == want


def test_the_login_page_follows_only_the_servers_answer(tmp_path, browser):
    with CentralThread(CentralSettings(db=f"sqlite:///{tmp_path / 'c.db'}")) as central:
        accounts.add_user(central.store.db, "staff", "correct horse battery")
        page = browser.new_page()
        for target in ("/..//evil.example/phish", "/%2F%2Fevil.example", "/.%2E//evil.example"):
            page.context.clear_cookies()
            page.goto(central.url + "/login?next=" + urllib.parse.quote(target, safe=""))
            page.fill("#name", "staff")
            page.fill("#password", "correct horse battery")
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: urllib.parse.urlsplit(url).path != "/login", timeout=60_000)
            assert page.url.startswith(central.url + "/"), (target, page.url)
        page.close()
