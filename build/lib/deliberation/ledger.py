"""The position ledger: every evidence span must be the exact source text at its offsets."""

from __future__ import annotations

from collections.abc import Iterator

from deliberation.scenario import Evidence, Persona, Scenario


def evidence_of(persona: Persona) -> Iterator[tuple[str, Evidence]]:
    """Every (owner id, evidence span) of a persona: positions and characterisations."""
    for position in persona.positions:
        for span in position.evidence:
            yield position.id, span
    for index, characterisation in enumerate(persona.characterisations, start=1):
        for span in characterisation.evidence:
            yield f"{persona.id}.characterisation-{index}", span


def ledger_errors(scenario: Scenario) -> list[str]:
    """Human-readable problems; empty when the ledger is intact."""
    errors = []
    for persona in scenario.personas.values():
        for owner, span in evidence_of(persona):
            found = scenario.source_text[span.start : span.end]
            if found != span.quote:
                errors.append(f"{owner}: quote at {span.start}:{span.end} does not match the source (found {found[:40]!r})")
    return errors


def ledger_integrity(scenario: Scenario) -> float:
    """Share of evidence spans that are exact; the gate is 1.0."""
    spans = [span for persona in scenario.personas.values() for _, span in evidence_of(persona)]
    if not spans:
        return 1.0
    return 1 - len(ledger_errors(scenario)) / len(spans)
