"""Semantic grounding of clauses: which documented position (of any party) a clause is closest to, and in which sense.

Cue words fail open on text they were not written for; this reads every substantive clause against the whole
ledger instead. Each clause is embedded (MiniLM, offline) and compared with every sentence of every party's
positions, concessions and relays, with the author's characterisations and with the source's own sentences.
Embeddings place a sentence and its negation close together, so the sense is read separately, by scoped negation
and modality, and compared with the matched sentence's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from deliberation.evals import cues
from deliberation.evals.clauses import clauses

from deliberation.scenario import Scenario, Stance
from deliberation.terms import words

if TYPE_CHECKING:  # numpy and the encoder load at the first scored clause, not when the CLI or server starts
    import numpy as np

# Cosine similarities of all-MiniLM-L6-v2, set on the dev split: a paraphrase of a documented sentence scores
# above GROUNDED; below UNSUPPORTED the clause is close to nothing documented.
GROUNDED = 0.5
UNSUPPORTED = 0.38
MARGIN = 0.03
"""How far below the best match the speaker's own agreeing sentence may be and still ground the clause."""
FLIP = 0.65
"""A clause reads as the speaker's own position reversed only when this close to it: looser matches share a topic,
not a claim."""
SWAP = 0.6
SWAP_MARGIN = 0.08
"""Another party's sentence must beat everything the speaker documents in the same sense by this much to be a persona
swap: the speaker's own sentence said the other way round shields nothing."""
RESTATED = 0.75
RESTATED_MARGIN = 0.2
"""A clause this close to one of the speaker's own sentences in the same sense, and this much closer than to any of its
sentences said the other way round, restates the speaker's documented position."""
FACT = 0.5
BATCH = 32
EVENT_GROUNDED = 0.6

_EMBEDDED: dict[str, np.ndarray] = {}
"""Embeddings by text, shared by every scorer in the process: the ledger is embedded once."""


class Kind(StrEnum):
    position = "position"
    concession = "concession"

    characterisation = "characterisation"
    source = "source"


@dataclass(frozen=True)
class Reference:
    """One documented sentence: whose it is, about what, and in which sense it is said."""

    owner: str | None
    """The persona whose position or concession this is; None for the author's text."""
    kind: Kind
    topic: str | None
    position: str | None
    text: str
    negative: bool
    conditional: bool = False


class Finding(StrEnum):
    grounded = "grounded"
    flip = "flip"
    """Closest to the speaker's own position, said the other way round."""
    swap = "swap"
    """Closest to another party's position on a topic where the speaker documents a different one."""
    characterisation = "characterisation"
    """Closest to the author's judgement of a party (a mediator voicing it takes sides)."""
    contradicts_source = "contradicts_source"
    unsupported = "unsupported"


@dataclass(frozen=True)
class Match:
    finding: Finding
    reference: Reference | None
    similarity: float


def negative(text: str) -> bool:
    """The sense of a clause: negated when any negation, refusal or rejecting predicate governs it.

    Presence, not parity: coordinated negations ('declined ... and does not regard') do not cancel out; the
    double negations that do ('no objection', 'not against', 'not closed to') are read as affirmations first.
    'Against' names an adversary ('fighting against Daesh') unless a verb of being puts it in opposition.
    """
    plain = cues.AFFIRMING.sub(" ", cues.NOT_NEGATING.sub(" ", cues.CONTRASTIVE_NOT.sub(" ", cues.RELATIVE_NOT.sub(" ", text))))
    tokens = words(plain)
    for i, t in enumerate(tokens):
        if t == "against" and (i == 0 or tokens[i - 1] not in cues.BEING):
            continue
        if t in cues.NEGATORS or t.endswith("n't"):
            return True
    return bool(cues.NEGATING_PHRASES.search(plain) or cues.REJECTING.search(plain) or cues.HARMFUL.search(plain))


def stance_marked(text: str) -> bool:
    """Whether a clause says anything about willingness or fact that a negation could reverse."""
    return bool(cues.STANCE_VERBS.search(text) or cues.AFFIRMING.search(text)) or negative(text)


def conditional(text: str) -> bool:
    """A clause that sets a condition or a requirement: it may ground a documented conditional willingness."""
    return bool(cues.CONDITIONAL.search(text) or cues.LIMITING.search(text) or cues.REQUIREMENT.search(text))


def sets_condition(text: str) -> bool:
    """A documented sentence whose willingness depends on a condition ('would consider a ceasefire only once ...')."""
    return bool(cues.CONDITIONAL.search(text) or cues.LIMITING.search(text))


def _sentences(text: str) -> list[str]:
    """Sentences, and coordinated claims within them, each with its own sense."""
    parts = [p.strip() for c in clauses(text) for p in cues.CLAIM_JOIN.split(c)]
    return [p for p in parts if len(words(p)) >= 3]


def references(scenario: Scenario) -> list[Reference]:
    refs: list[Reference] = []
    for persona in scenario.personas.values():
        for p in persona.positions:
            for text in (p.statement, p.relay):
                # A sentence of a conditional position that states its condition grounds only a clause that sets one too.
                conditioned = p.stance == Stance.conditional
                refs += [
                    Reference(persona.id, Kind.position, p.topic, p.id, s, negative(s), conditioned and sets_condition(s))
                    for s in _sentences(text)
                ]
        for c in persona.concessions:
            cond = c.to == Stance.conditional
            for text in (c.statement, c.relay):
                refs += [Reference(persona.id, Kind.concession, c.topic, None, s, negative(s), cond) for s in _sentences(text)]
        for ch in persona.characterisations:
            refs += [Reference(persona.id, Kind.characterisation, None, None, s, negative(s)) for s in _sentences(ch.text)]
    refs += [Reference(None, Kind.source, None, None, s, negative(s)) for s in _sentences(scenario.source_text)]
    return refs


class Grounding:
    """The ledger and source embedded once; clauses matched against them on demand."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.refs = references(scenario)

    @cached_property
    def _matrix(self) -> np.ndarray:
        return self.embed([r.text for r in self.refs])

    @staticmethod
    def embed(texts: list[str]) -> np.ndarray:
        """Embeddings of `texts`, encoding the ones not seen before in batches."""
        import numpy as np

        from deliberation.retrieval.minilm import encode

        missing = list(dict.fromkeys(t for t in texts if t not in _EMBEDDED))
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            for text, row in zip(chunk, encode(chunk).astype(np.float32), strict=True):
                _EMBEDDED[text] = row
        return np.stack([_EMBEDDED[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)

    def similarities(self, clause: str) -> np.ndarray:
        return self._matrix @ self.embed([clause])[0]

    def conflicts(self, speaker: str, ref: Reference) -> bool:
        """The speaker documents a position on the reference's topic, and none with the reference's stance."""
        theirs = self.scenario.personas[ref.owner].position(ref.position) if ref.owner and ref.position else None
        if theirs is None:
            return False
        mine = {p.stance for p in self.scenario.personas[speaker].positions if p.topic == theirs.topic}
        return bool(mine) and theirs.stance not in mine

    def match(self, clause: str, speaker: str, sentence: str, *, voiced: bool = True) -> Match:
        """The clause as `speaker`'s own claim (or, for a mediator's relay, as a claim about `speaker`).

        `voiced`: the clause speaks in the speaker's own voice (first person, or naming itself), so agreeing with
        another party's distinctive position is speaking as that party.
        """
        sims = self.similarities(clause)
        said_negative = negative(clause)
        ledger = [i for i, r in enumerate(self.refs) if r.kind in (Kind.position, Kind.concession)]
        best = max(ledger, key=lambda i: sims[i])
        top, top_sim = self.refs[best], float(sims[best])

        def agrees(r: Reference) -> bool:
            return r.negative == said_negative and (not r.conditional or conditional(sentence))

        own = [i for i in ledger if self.refs[i].owner == speaker]
        own_agree = max((float(sims[i]) for i in own if agrees(self.refs[i])), default=0.0)
        if top_sim < UNSUPPORTED:
            return Match(Finding.unsupported, top, top_sim)
        if own_agree >= top_sim - MARGIN:
            return Match(Finding.grounded, top, own_agree)
        if top.owner == speaker:
            # A contrast ('X, not Y') leaves the sense of the whole open: it cannot be said the other way round.
            contrasted = bool(cues.CONTRASTIVE_NOT.search(clause) or cues.CONTRASTIVE_NOT.search(top.text))
            # Reversed: said the other way round, or a willingness the speaker documents only under a condition offered
            # as unconditional ('ready to draw ceasefire lines right now'); leaving the condition unsaid is not
            # ('we would respect such lines').
            unconditional = top.conditional and not top.negative and bool(cues.UNCONDITIONAL.search(sentence))
            reversed_ = top.negative != said_negative or unconditional
            if top.kind == Kind.position and top_sim >= FLIP and stance_marked(clause) and reversed_ and not contrasted:
                return Match(Finding.flip, top, top_sim)
            return Match(Finding.unsupported, top, top_sim)
        other_party = top.owner in self.scenario.parties and top.owner != speaker
        if (
            voiced
            and other_party
            and agrees(top)
            and top_sim >= SWAP
            and own_agree < top_sim - SWAP_MARGIN
            and self.conflicts(speaker, top)
        ):
            return Match(Finding.swap, top, top_sim)
        return Match(Finding.unsupported, top, top_sim)

    def restates(self, clause: str, speaker: str, sentence: str) -> bool:
        """The clause is a near-paraphrase of one of the speaker's own positions or concessions, in the same sense."""
        sims = self.similarities(clause)
        said_negative = negative(clause)
        own = [i for i, r in enumerate(self.refs) if r.owner == speaker and r.kind in (Kind.position, Kind.concession)]
        agree = [
            float(sims[i]) for i in own
            if self.refs[i].negative == said_negative and (not self.refs[i].conditional or conditional(sentence))
        ]  # fmt: skip
        opposite = [float(sims[i]) for i in own if self.refs[i].negative != said_negative]
        best = max(agree, default=0.0)
        return best >= RESTATED and best >= max(opposite, default=0.0) + RESTATED_MARGIN

    def event_grounded(
        self, clause: str, speaker: str, actors: set[str] | None = None, names: Callable[[str], list[str]] | None = None
    ) -> bool:
        """A reported event the speaker's ledger (or the source) states in the same sense, nearly word for word, and
        about the same parties: a ceasefire the source reports in Syria grounds no ceasefire between the Afghan sides.

        `actors`: the parties the clause has taking part; `names`: the parties a documented sentence names."""
        sims = self.similarities(clause)
        said_negative = negative(clause)

        def same_parties(r: Reference) -> bool:
            if not actors or names is None:
                return True
            return actors <= set(names(r.text)) | ({r.owner} if r.owner else set())

        return any(
            sims[i] >= EVENT_GROUNDED
            and r.negative == said_negative
            and r.owner in (speaker, None)
            and same_parties(r)
            and not cues.HYPOTHETICAL.search(r.text)  # what would or could happen grounds nothing that did
            for i, r in enumerate(self.refs)
            if r.kind in (Kind.position, Kind.concession, Kind.source)
        )

    def characterisation(self, clause: str) -> Match | None:
        sims = self.similarities(clause)
        marked = [i for i, r in enumerate(self.refs) if r.kind == Kind.characterisation]
        ledger = [i for i, r in enumerate(self.refs) if r.kind in (Kind.position, Kind.concession)]
        if not marked:  # a scenario may document no characterisation at all (drafted ones often do not)
            return None
        best = max(marked, key=lambda i: sims[i])
        if sims[best] >= GROUNDED and sims[best] > max((float(sims[i]) for i in ledger), default=-1.0):
            return Match(Finding.characterisation, self.refs[best], float(sims[best]))
        return None

    def contradicts_source(self, clause: str) -> Match | None:
        """Closest to a sentence of the source, said the other way round."""
        sims = self.similarities(clause)
        source = [i for i, r in enumerate(self.refs) if r.kind == Kind.source]
        best = max(source, key=lambda i: sims[i])
        ref = self.refs[best]
        if sims[best] >= FACT and ref.negative != negative(clause):
            return Match(Finding.contradicts_source, ref, float(sims[best]))
        return None
