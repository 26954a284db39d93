"""Fixtures of the import chapter's tests: package trees written on the fly."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[Mapping[str, str]], Path]:
    """`make_tree({"pkg/__init__.py": "", "pkg/a.py": "x = 1"})` writes the files
    under a fresh folder and returns it."""

    def make(files: Mapping[str, str]) -> Path:
        root = tmp_path / f"tree{len(list(tmp_path.iterdir()))}"
        for relpath, text in files.items():
            path = root / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        root.mkdir(exist_ok=True)
        return root

    return make
