"""Where packaged data lives: scenarios, prompts, the page and eval data travel inside the wheel."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def packaged(package: str) -> Path:
    """The on-disk folder of a data package (installed wheels and editable installs are plain folders).

    Jinja, Chroma and the scenario loader need real paths, so a zipped install is refused here, once.
    """
    root = files(package)
    if not isinstance(root, Path):
        raise RuntimeError(f"{package}: installed as a zip archive; install deliberation as a regular (unzipped) package")
    return root
