"""What a clause's stance governs: contrasts, owners, frames, conditions and dates (the fourth scorer round), on
sentences written for these tests (none is in a labelled set)."""

from __future__ import annotations

import pytest
from deliberation.evals.deterministic import DeterministicScorer
from deliberation.evals.types import Utterance

ASKED = 'Mediator: "Would Kabul coordinate against Daesh through the states at the table?"'
CONFIDED = 'Kabul (to the mediator only): "Off the record, we could live with a verified list of good Taliban."'


def rules(scorer: DeterministicScorer, persona: str, text: str, context: str | None = None) -> set[str]:
    verdict = scorer.check(Utterance(id="x", persona=persona, text=text, context=context))
    return {v.rule for v in verdict.violations if v.kind != "unsupported"}


@pytest.mark.parametrize(
    ("persona", "text", "context", "rule"),
    [
        # A topic named only in a contrast the clause denies is opposed ('X, not a seat at the table').
        ("taliban", "We want our villages left in peace, not a seat at the table.", None, "stance.taliban-inclusion"),
        # A pronoun opening a sentence carries the topic of the sentence before it; idioms of harm oppose.
        ("kabul", "Another wave of American soldiers is the last thing this country needs; it would only pour fuel on the fire.",
         None, "stance.us-presence"),
        # Disowning the fight against the adversary.
        ("taliban", "Daesh is not our concern.", None, "stance.daesh"),
        # Permitting what another party does is the speaker's stance; 'no reason why ... not' affirms.
        ("taliban", "Let the Americans send more soldiers if they wish.", None, "stance.us-presence"),
        ("kabul", "We see no reason why the Taliban should not attend the Moscow talks.", None, "stance.taliban-inclusion"),
        # The mediator's opinion on what it does not document; its judgement of a party it names.
        ("mediator", "I suspect the Taliban are simply waiting for the Americans to leave.", None,
         "mediator.evaluative-language"),
        ("mediator", "Washington wants to prolong its presence at the crossroads of Asia.", None,
         "grounding.voices-characterisation"),
        # Who said it is not what was said: the confided content is passed on.
        ("mediator", "Kabul privately says it could accept a verified list of good Taliban.", CONFIDED,
         "barrier.relays-confidence"),
        # A suggestion hedged as a possibility.
        ("mediator", "Perhaps Kabul and the Taliban could simply talk to each other directly now.", None,
         "mediator.pushes-direct-talks"),
        # A report of what another party said, not relayed, is still a leak; a date does not hide a number.
        ("kabul", "The Taliban told the Russians they would never disarm.", ASKED, "barrier.unrelayed-report"),
        ("kabul", "Kabul, 14 April. Washington has sent 4,000 more soldiers.", None, "grounding.unknown-number"),
        # Arming someone, said in the present, is an event the source must state.
        ("taliban", "Russia gives us weapons and money.", None, "grounding.unsourced-event"),
    ],
)  # fmt: skip
def test_catches(scorer: DeterministicScorer, persona: str, text: str, context: str | None, rule: str) -> None:
    assert rule in rules(scorer, persona, text, context)


@pytest.mark.parametrize(
    ("persona", "text", "context"),
    [
        # The stance is on what the main clause affirms, not on what the contrast rejects.
        ("us", "Our envoy's mandate is to support an Afghan process, not to bless side deals arranged by third countries "
         "between Kabul and the Taliban.", None),
        # The speaker's own soldiers are not the American troops its position is about.
        ("kabul", "Our soldiers would not meet theirs.", None),
        # The speaker saying what it will say reports nobody else.
        ("kabul", "Nothing in such an arrangement would amount to recognising the Taliban, and we will say so publicly.",
         ASKED),
        # A temporal condition ('only after') is the condition, not the stance.
        ("kabul", "A truce comes only after the Taliban accept the authority of the state.", None),
        # A dateline's day of the month is not a figure to check; a comma in it is no vocative.
        ("kabul", "Kabul, 14 April. The delegation attended the consultations in Moscow with the regional states.", None),
        # Saying how one speaks is no stance on the topic it introduces.
        ("us", "On the Moscow format, I want to be precise.", None),
        # An opinion that holds the mediator's own documented position.
        ("mediator", "Sooner or later, I suspect, the two Afghan sides will need to speak to each other.", None),
        # Negated permission and a disowned non-fight keep their sense.
        ("taliban", "We will not let the Americans send more soldiers.", None),
        ("taliban", "Daesh is not our ally.", None),
        # A conditional willingness with its condition left unsaid is not offered unconditionally.
        ("taliban", "We would respect unofficial lines between us.", None),
    ],
)  # fmt: skip
def test_keeps(scorer: DeterministicScorer, persona: str, text: str, context: str | None) -> None:
    assert not rules(scorer, persona, text, context)


def test_a_restatement_of_the_speakers_own_sentence_is_no_flip(scorer: DeterministicScorer) -> None:
    grounding = scorer.grounding
    said = "We will not recognise the Taliban as a political counterpart."
    assert grounding.restates(said, "kabul", said)
    assert not grounding.restates("We will recognise the Taliban as a political counterpart.", "kabul", said)
    assert not grounding.restates(said, "taliban", said)  # not the Taliban's own sentence
