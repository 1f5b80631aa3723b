"""`deliberation scenario check`: the loader's checks and an author's: spans, coverage, polarity, references."""

from __future__ import annotations

from pathlib import Path

from deliberation.evals import cues
from deliberation.evals.deterministic import anti_polarity, negations, polarity
from deliberation.evals.lexicon import Lexicon, clauses, load_lexicon, scopes

from deliberation.errors import InvalidScenario, NotFound
from deliberation.ledger import ledger_errors
from deliberation.loader import SCENARIO_FILE, read_scenario
from deliberation.scenario import Scenario, Stance

MIN_POSITIONS = 3


def reading(text: str, topic: str, lexicon: Lexicon) -> Stance | None:
    """The stance `text` takes on `topic`, read the way the scorer reads an utterance; None if it takes none."""
    for clause in clauses(text):
        for scope in scopes(clause):
            if topic not in lexicon.topics_in(scope):
                continue
            if topic in lexicon.anti_topics:
                found = anti_polarity(scope)
                if found is not None:
                    return found
            elif cues.STANCE_VERBS.search(scope) or negations(scope):
                return polarity(scope)
    return None


def _polarity_problems(scenario: Scenario, lexicon: Lexicon) -> list[str]:
    problems = []
    for pid, persona in scenario.personas.items():
        for position in persona.positions:
            said = reading(position.statement, position.topic, lexicon)
            shown = [r for span in position.evidence if (r := reading(span.quote, position.topic, lexicon))]
            if said and shown and said not in shown:
                problems.append(
                    f"{pid}.yaml: {position.id}: the statement reads as {said.value} on {position.topic} "
                    f"but its evidence reads as {shown[0].value}"
                )
    return problems


def _coverage_problems(scenario: Scenario, lexicon: Lexicon) -> list[str]:
    problems = []
    topics = {p.topic for persona in scenario.personas.values() for p in persona.positions}
    topics |= {a.topic for a in scenario.protocol.agenda}
    for pid in scenario.parties:
        count = len(scenario.personas[pid].positions)
        if count < MIN_POSITIONS:
            problems.append(f"{pid}.yaml: {count} position(s); a party needs at least {MIN_POSITIONS}")
    for item in scenario.protocol.agenda:
        holders = [pid for pid in scenario.parties if scenario.personas[pid].stance_on(item.topic)]
        if len(holders) < 2:
            problems.append(
                f"{SCENARIO_FILE}: agenda topic {item.topic!r} has positions from {len(holders)} part"
                f"{'y' if len(holders) == 1 else 'ies'} ({', '.join(holders) or 'none'}); it needs at least 2"
            )
        if item.topic not in lexicon.topics:
            problems.append(f"lexicon.yaml: agenda topic {item.topic!r} has no cue words; the scorer cannot see it")
    for pid, persona in scenario.personas.items():
        for concession in persona.concessions:
            if concession.topic not in topics:
                problems.append(f"{pid}.yaml: concession on {concession.topic!r}, a topic no position or agenda item has")
    for point in scenario.protocol.points:
        if point.topic not in topics:
            problems.append(f"{SCENARIO_FILE}: point {point.id!r} is on {point.topic!r}, a topic no position or agenda item has")
    for pid in scenario.participants:
        if pid not in lexicon.aliases:
            problems.append(f"lexicon.yaml: no aliases for {pid!r}; the scorer cannot tell when it is named")
    return problems


def check_scenario(directory: Path) -> list[str]:
    """Every problem of a scenario folder, one line each; empty when it is ready to play."""
    if not (directory / SCENARIO_FILE).is_file():
        raise NotFound(f"{directory}: no {SCENARIO_FILE} here; give a scenario folder")
    try:
        scenario = read_scenario(directory)
    except InvalidScenario as error:
        return [str(error)]
    problems = [f"{line.split('.')[0]}.yaml: {line}" for line in ledger_errors(scenario)]
    try:
        lexicon = load_lexicon(scenario)
    except InvalidScenario as error:
        return [*problems, str(error)]
    return problems + _coverage_problems(scenario, lexicon) + _polarity_problems(scenario, lexicon)
