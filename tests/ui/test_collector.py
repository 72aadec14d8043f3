"""ui/collector.py: long-lived objects frozen once per batch of imports, not at every run."""

import gc
import sys
import types

import pytest

from ui import collector


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(collector, "_frozen_at", 0)
    yield
    gc.unfreeze()


def test_objects_alive_at_a_run_start_leave_the_collection_after_each_run(fresh):
    kept = [{"cached": i} for i in range(1000)]
    before = gc.get_freeze_count()
    assert collector.freeze_long_lived()
    assert gc.get_freeze_count() >= before + len(kept)  # out of every later collection


def test_a_run_that_imported_nothing_new_freezes_nothing(fresh, monkeypatch):
    assert collector.freeze_long_lived()
    frozen = gc.get_freeze_count()
    garbage_to_come = [[] for _ in range(100)]  # this run's own objects stay collectable
    assert not collector.freeze_long_lived()
    assert gc.get_freeze_count() == frozen
    monkeypatch.setitem(sys.modules, "sit_page_module_just_imported", types.ModuleType("x"))
    assert collector.freeze_long_lived()  # a page's first visit imported its modules
    assert gc.get_freeze_count() >= frozen + len(garbage_to_come)
