"""The suite's lower password-hashing cost (PHOTOQUEUE_TEST_SCRYPT_N) only lowers N to a power of two
from 2**10; anything else leaves OWASP's; a hash made at the lower cost is rehashed at the real one."""

from __future__ import annotations

import pytest

from photoqueue.central import accounts


@pytest.mark.parametrize("value", ["", "1000", "512", str(2**20), "x", "-1024"])
def test_a_value_that_is_not_a_lower_power_of_two_keeps_the_real_cost(monkeypatch, value):
    monkeypatch.setenv(accounts.TEST_COST_ENV, value)
    assert accounts.scrypt_cost() == (accounts.SCRYPT_N, accounts.SCRYPT_R, accounts.SCRYPT_P)


def test_the_test_cost_hashes_at_its_n_and_the_real_cost_rehashes_it(monkeypatch):
    monkeypatch.setenv(accounts.TEST_COST_ENV, "2048")
    stored = accounts.hash_password("a password")
    assert stored.split("$")[1:4] == ["2048", "8", "1"]
    assert accounts.check_password("a password", stored) and not accounts.needs_rehash(stored)
    monkeypatch.delenv(accounts.TEST_COST_ENV)
    assert accounts.needs_rehash(stored)
