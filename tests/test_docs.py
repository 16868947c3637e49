"""The tables in README.md and docs/ are generated from the code and the committed results, never typed."""

from __future__ import annotations

import importlib.util

import settings
from settings import REPO_ROOT


def _update_docs():
    spec = importlib.util.spec_from_file_location("update_docs", REPO_ROOT / "scripts" / "update_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_tables_equal_what_the_code_generates():
    assert _update_docs().stale_documents() == []


def test_a_typed_table_is_found_stale():
    update_docs = _update_docs()
    typed = "<!-- generated:settings -->\n| `MINUTES_PORT` | 8080 | typed by hand |\n<!-- /generated:settings -->\n"
    assert update_docs.render(typed) != typed
    assert "MINUTES_PORT" in update_docs.render(typed)


def test_every_setting_is_in_the_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- generated:settings -->" in readme
    missing = [spec.variable for spec in settings.SPECS if f"`{spec.variable}`" not in readme]
    assert missing == []


def test_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("MINUTES_PORT", "8123")
    monkeypatch.setenv("MINUTES_EMBED_BACKEND", "TORCH")
    loaded = settings.load_settings()
    assert (loaded.port, loaded.embed_backend) == (8123, "torch")
    monkeypatch.setenv("MINUTES_PORT", "otte")
    try:
        settings.load_settings()
    except ValueError as error:
        assert "MINUTES_PORT" in str(error)
    else:
        raise AssertionError("a port that is not a number was accepted")
