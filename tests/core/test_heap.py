"""An opened index leaves the objects loaded with it out of the collector's full passes (deliberation.heap)."""

from __future__ import annotations

import gc
from pathlib import Path

from deliberation.config import Settings
from deliberation.runtime import SummitOptions, make_deps


def test_opening_an_index_freezes_what_it_loaded(mini_settings: Settings, tmp_path: Path) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    # a data dir of its own: this process has not opened that index yet
    make_deps(mini_settings.model_copy(update={"data_dir": tmp_path, "embedding": "lexical"}), SummitOptions(rounds=1))
    frozen = gc.get_freeze_count()
    assert frozen > 0

    make_deps(mini_settings.model_copy(update={"data_dir": tmp_path, "embedding": "lexical"}), SummitOptions(rounds=1))
    assert gc.get_freeze_count() == frozen  # the same index again: reused, nothing new to settle
