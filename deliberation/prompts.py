"""Prompt templates (Jinja files in prompts/) and the checksums a transcript records."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

from deliberation.errors import InvalidScenario


@lru_cache(maxsize=8)
def _environment(prompts_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(prompts_dir),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,  # prompts are plain text for a model, not HTML
    )


def render(prompts_dir: Path, name: str, **values: Any) -> str:
    try:
        return _environment(prompts_dir).get_template(name).render(**values).strip()
    except jinja2.TemplateError as error:
        raise InvalidScenario(f"{prompts_dir / name}: {error}") from None


@lru_cache(maxsize=8)
def phrases(prompts_dir: Path) -> dict[str, Any]:
    """The offline engine's phrase bank: editable wording, not code."""
    path = prompts_dir / "offline_phrases.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidScenario(f"{path}: cannot read phrase bank ({error.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise InvalidScenario(f"{path}: expected a mapping of phrase lists")
    return data


def file_hashes(*directories: Path) -> dict[str, str]:
    """sha256 of every file under the given folders, keyed by path relative to its folder's parent (Python's
    bytecode caches left out: they come and go with imports, not with what the run read)."""
    hashes = {}
    for directory in directories:
        for path in sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            hashes[str(path.relative_to(directory.parent))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes
