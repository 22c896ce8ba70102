"""Typed stores (made by a C++ program) from Python: records as dicts."""

import os
import subprocess

import pytest

import kvstore


@pytest.fixture
def players(name):
    subprocess.run([os.environ["KVSTORE_TYPED_HELPER"], name], check=True)
    return kvstore.TypedStore(name)


def test_records_are_dicts(players):
    assert players["alice"] == {"score": 10, "level": 2, "team": "red",
                                "active": True}
    assert sorted(players) == ["alice", "bob"]
    assert len(players) == 2 and "bob" in players and "carol" not in players
    assert players.get("carol") is None
    with pytest.raises(KeyError):
        players["carol"]
    assert "score" in players.schema


def test_writes_take_dicts_and_add_is_atomic(players):
    players["carol"] = {"score": 1, "level": 1, "team": "red",
                        "active": False}
    assert players["carol"]["team"] == "red"
    assert players.add("carol", "score", 5)["score"] == 6
    assert players.set_if_absent("carol", players["bob"]) is False
    del players["carol"]
    assert "carol" not in players
    assert players.delete("carol") is False


def test_bad_records_are_refused_and_change_nothing(players):
    before = players["alice"]
    with pytest.raises(kvstore.InvalidArgumentError):
        players["alice"] = {"score": 1}  # Fields missing.
    with pytest.raises(kvstore.InvalidArgumentError):
        players["alice"] = dict(before, level="high")
    with pytest.raises(kvstore.InvalidArgumentError):
        players["a" * 40] = before  # Longer than FixedString<16>.
    with pytest.raises(kvstore.InvalidArgumentError):
        players.add("alice", "team", 1)  # Not an integer field.
    assert players["alice"] == before


def test_a_typed_store_is_not_a_tagged_one(players, name):
    with pytest.raises(kvstore.FailedPreconditionError):
        kvstore.Store(name)


def test_a_tagged_store_is_not_a_typed_one(name):
    kvstore.Store(name, create=True).close()
    with pytest.raises(kvstore.FailedPreconditionError):
        kvstore.TypedStore(name)
