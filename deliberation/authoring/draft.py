"""A drafted scenario as the project's own models, and writing it out as a scenario folder."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from deliberation.evals.lexicon import Lexicon

from deliberation.errors import UserError
from deliberation.loader import SCENARIO_FILE
from deliberation.scenario import Persona, ScenarioFile

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")


def slug(text: str, limit: int = 40) -> str:
    """A file- and id-safe name: 'Sir Robert Peel' -> 'sir-robert-peel'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
    return out or "x"


@dataclass
class Draft:
    spec: ScenarioFile
    personas: list[Persona]
    lexicon: Lexicon
    source_text: str
    notes: list[str] = field(default_factory=list)
    """What the drafter could not do (rejected spans, dropped parties), for the author to read."""


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def write_persona(directory: Path, persona: Persona) -> None:
    """Written beside and renamed into place, so a reader never sees half a file."""
    path = directory / f"{persona.id}.yaml"
    partial = path.with_suffix(".yaml.partial")
    partial.write_text(_dump(persona.model_dump(mode="json")), encoding="utf-8")
    partial.replace(path)


def check_out(out: Path, force: bool = False) -> None:
    """Refuse a folder the draft cannot go to, before any work is done."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: is a file; give a folder for the scenario")
    if (out / SCENARIO_FILE).exists() and not force:
        raise UserError(f"{out}: already holds a scenario; choose another name or folder (nothing was written)")
    if not _ID.fullmatch(out.name):
        raise UserError(f"--out {out}: the folder's name is the scenario's id; use lower-case letters, digits, - and _")


def write_draft(draft: Draft, out: Path, force: bool = False) -> list[Path]:
    """Write scenario.yaml, one file per persona, lexicon.yaml and the source; refuse to overwrite a scenario."""
    check_out(out, force)
    # The loader finds a scenario by its folder's name: the id must be that name.
    draft.spec = draft.spec.model_copy(update={"id": out.name})
    out.mkdir(parents=True, exist_ok=True)
    (out / draft.spec.source).write_text(draft.source_text, encoding="utf-8")
    (out / SCENARIO_FILE).write_text(_dump(draft.spec.model_dump(mode="json")), encoding="utf-8")
    for persona in draft.personas:
        write_persona(out, persona)
    lexicon = draft.lexicon.model_dump(mode="json")
    (out / "lexicon.yaml").write_text(_dump(lexicon), encoding="utf-8")
    return [out / draft.spec.source, out / SCENARIO_FILE, *(out / f"{p.id}.yaml" for p in draft.personas), out / "lexicon.yaml"]
