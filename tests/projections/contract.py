"""The one contract suite every ReadModelStore adapter passes (subclass it and provide `make_store`)."""

from __future__ import annotations

import abc
from uuid import uuid4

import pytest

from shared.projections.store import ReadModelStore

STREAM = "council:DEMO"
OTHER_STREAM = "council:DEMO:documents"


class ReadModelStoreContract(abc.ABC):
    @abc.abstractmethod
    def make_store(self) -> ReadModelStore:
        """A fresh, empty store of the adapter under test."""

    @pytest.fixture
    def store(self) -> ReadModelStore:
        return self.make_store()

    @pytest.fixture
    def name(self) -> str:
        return f"test-{uuid4().hex[:8]}"

    def test_a_stream_never_applied_is_at_position_zero(self, store, name):
        assert store.position(name, STREAM) == 0

    def test_an_absent_document_reads_as_none_at_revision_zero(self, store, name):
        assert store.get(name, "missing") == (None, 0)
        assert list(store.documents(name)) == []

    def test_commit_stores_documents_and_moves_the_position(self, store, name):
        document = {"name": "Démo", "scopes": ["a", "b"], "count": 3, "ratio": 0.5, "ok": True, "none": None}
        assert store.commit(name, STREAM, 0, 2, {"k1": (document, 0), "k2": ({"n": 1}, 0)})
        assert store.position(name, STREAM) == 2
        assert store.get(name, "k1") == (document, 1)
        assert store.get(name, "k2") == ({"n": 1}, 1)

    def test_commit_without_documents_only_moves_the_position(self, store, name):
        assert store.commit(name, STREAM, 0, 1, {})
        assert store.commit(name, STREAM, 1, 4, {})
        assert store.position(name, STREAM) == 4
        assert list(store.documents(name)) == []

    def test_revisions_increase_with_each_commit(self, store, name):
        for version in range(1, 4):
            _, revision = store.get(name, "k")
            assert revision == version - 1
            assert store.commit(name, STREAM, version - 1, version, {"k": ({"v": version}, revision)})
        assert store.get(name, "k") == ({"v": 3}, 3)

    def test_a_stale_position_changes_nothing(self, store, name):
        assert store.commit(name, STREAM, 0, 2, {"k": ({"v": 1}, 0)})
        assert not store.commit(name, STREAM, 1, 3, {"k": ({"v": 2}, 1), "new": ({"v": 2}, 0)})
        assert not store.commit(name, STREAM, 0, 3, {"k": ({"v": 2}, 1)})
        assert not store.commit(name, STREAM, 3, 4, {"k": ({"v": 2}, 1)})
        assert store.position(name, STREAM) == 2
        assert list(store.documents(name)) == [("k", {"v": 1})]
        assert store.get(name, "k") == ({"v": 1}, 1)

    def test_a_position_never_stored_is_only_expected_at_zero(self, store, name):
        assert not store.commit(name, STREAM, 5, 6, {"k": ({"v": 1}, 0)})
        assert store.position(name, STREAM) == 0
        assert store.get(name, "k") == (None, 0)

    def test_a_moved_document_changes_nothing(self, store, name):
        """The lost-update guard: another stream's commit moved a shared document after this one read it."""
        assert store.commit(name, OTHER_STREAM, 0, 1, {"shared": ({"n": 1}, 0)})
        stale = {"fresh": ({"v": 1}, 0), "shared": ({"n": 99}, 0)}  # read before the other stream created it
        assert not store.commit(name, STREAM, 0, 1, stale)
        assert store.commit(name, OTHER_STREAM, 1, 2, {"shared": ({"n": 2}, 1)})
        assert not store.commit(name, STREAM, 0, 1, {"fresh": ({"v": 1}, 0), "shared": ({"n": 99}, 1)})
        assert store.position(name, STREAM) == 0
        assert store.get(name, "fresh") == (None, 0)
        assert store.get(name, "shared") == ({"n": 2}, 2)
        assert store.commit(name, STREAM, 0, 1, {"fresh": ({"v": 1}, 0), "shared": ({"n": 3}, 2)})
        assert store.get(name, "shared") == ({"n": 3}, 3)

    def test_a_document_deleted_since_it_was_read_changes_nothing(self, store, name):
        assert store.commit(name, OTHER_STREAM, 0, 1, {"k": ({"v": 1}, 0)})
        assert store.commit(name, OTHER_STREAM, 1, 2, {"k": (None, 1)})
        assert not store.commit(name, STREAM, 0, 1, {"k": ({"v": 2}, 1)})
        assert not store.commit(name, STREAM, 0, 1, {"k": (None, 1)})
        assert store.position(name, STREAM) == 0
        assert store.get(name, "k") == (None, 0)

    def test_none_deletes_a_document(self, store, name):
        assert store.commit(name, STREAM, 0, 1, {"gone": ({"v": 1}, 0), "kept": ({"v": 1}, 0)})
        assert store.commit(name, STREAM, 1, 2, {"gone": (None, 1)})
        assert store.get(name, "gone") == (None, 0)
        assert list(store.documents(name)) == [("kept", {"v": 1})]
        assert store.position(name, STREAM) == 2
        assert store.commit(name, STREAM, 2, 3, {"gone": ({"v": "again"}, 0)})
        assert store.get(name, "gone") == ({"v": "again"}, 1)

    def test_deleting_an_absent_document_is_harmless(self, store, name):
        assert store.commit(name, STREAM, 0, 1, {"never": (None, 0)})
        assert store.get(name, "never") == (None, 0)
        assert store.position(name, STREAM) == 1

    def test_documents_lists_a_projection_by_key(self, store, name):
        keys = ["b", "a", "a1", "B", "é", "a#b", "0"]
        assert store.commit(name, STREAM, 0, 1, {key: ({"key": key}, 0) for key in keys})
        listed = list(store.documents(name))
        assert [key for key, _ in listed] == sorted(keys, key=lambda key: key.encode("utf-8"))
        assert all(document == {"key": key} for key, document in listed)

    def test_projections_are_isolated_by_name(self, store, name):
        """Even when one projection's name starts with the other's, they share neither documents nor positions."""
        longer = name + "-rebuilt"
        assert store.commit(name, STREAM, 0, 3, {"k": ({"of": "short"}, 0)})
        assert store.commit(longer, STREAM, 0, 1, {"k": ({"of": "long"}, 0), "only": ({"of": "long"}, 0)})
        assert store.position(name, STREAM) == 3
        assert store.position(longer, STREAM) == 1
        assert store.get(name, "k") == ({"of": "short"}, 1)
        assert store.get(name, "only") == (None, 0)
        assert list(store.documents(name)) == [("k", {"of": "short"})]
        assert list(store.documents(longer)) == [("k", {"of": "long"}), ("only", {"of": "long"})]

    def test_positions_are_per_stream(self, store, name):
        assert store.commit(name, STREAM, 0, 4, {})
        assert store.position(name, OTHER_STREAM) == 0
        assert store.commit(name, OTHER_STREAM, 0, 1, {})
        assert (store.position(name, STREAM), store.position(name, OTHER_STREAM)) == (4, 1)

    def test_put_newer_stores_a_document_unless_one_as_new_or_newer_is_there(self, store, name):
        assert store.put_newer(name, "k", {"version": 3}, 3)
        assert store.get(name, "k") == ({"version": 3}, 3)
        assert not store.put_newer(name, "k", {"version": 3}, 3)  # a redelivery
        assert not store.put_newer(name, "k", {"version": 2}, 2)  # a late one
        assert store.put_newer(name, "k", {"version": 5}, 5)
        assert list(store.documents(name)) == [("k", {"version": 5})]

    def test_put_newer_takes_over_a_committed_document_and_is_taken_away_by_discard(self, store, name):
        assert store.commit(name, STREAM, 0, 1, {"k": ({"version": 1}, 0)})  # at revision 1
        assert store.put_newer(name, "k", {"version": 4}, 4)
        assert store.commit(name, STREAM, 1, 5, {"k": ({"version": 5}, 4)})  # commits keep guarding by revision
        assert store.discard(name, "k", {"version": 5})
        assert store.put_newer(name, "k", {"version": 2}, 2)  # gone: a late one is noted again

    def test_position_and_get_reads_the_position_and_documents_together(self, store, name):
        assert store.position_and_get(name, STREAM, ["k1", "missing"]) == (0, {"k1": (None, 0), "missing": (None, 0)})
        assert store.commit(name, STREAM, 0, 3, {"k1": ({"n": 1}, 0), "k2": ({"n": 2}, 0)})
        assert store.commit(name, OTHER_STREAM, 0, 1, {"k1": ({"n": 3}, 1)})
        assert store.position_and_get(name, STREAM, ["k2", "k1", "k2"]) == (
            3,
            {"k1": ({"n": 3}, 2), "k2": ({"n": 2}, 1)},
        )
        assert store.position_and_get(name, OTHER_STREAM, []) == (1, {})
