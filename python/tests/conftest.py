"""Fixtures shared by the kvstore Python tests: unique store names that are
destroyed after each test, passed or failed."""

import os
import uuid

import pytest

import kvstore


def unique_name(tag="t"):
    return "/kvtest_py_%d_%s_%s" % (os.getpid(), uuid.uuid4().hex[:12], tag)


@pytest.fixture
def name():
    """A store name no other test uses; the store is destroyed afterwards."""
    n = unique_name()
    yield n
    try:
        kvstore.destroy(n)
    except kvstore.NotFoundError:
        pass
    assert not os.path.exists("/dev/shm" + n)


@pytest.fixture
def store(name):
    s = kvstore.Store(name, create=True, capacity=1000, max_value_bytes=256)
    yield s
    s.close()
