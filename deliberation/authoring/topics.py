"""Topic clusters over the parties' sentences: MiniLM meaning and shared content words, named by their terms."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from deliberation.text import STOPWORDS, stem, terms, words

SIMILAR = 0.42
"""Average-linkage cosine above which two clusters are one topic (tuned on the two test sources)."""
LEXICAL_WEIGHT = 0.5
BATCH = 32
TITLE_TERMS = 2
CUES = 6
# Words of stance and debate, not of subject matter: they never name a topic.
_GENERIC = frozenset(
    """accept agre argu ask believ consent demand fear hold insist maintain object oppos propos refus regret
    support urg say think want wish will ready consid requir need must first whole great honour honourabl member right
    baronet hous question countri parti state govern measur present time year mere matter case part mani way made make
    offer give given send prove own may might new back real low best look meet come keep place name leave set sets
    alreadi wait never among alon outsid end half live mean""".split()
)
_NOT_A_NAME = re.compile(r"(?:ly|ed|ing)$")


@dataclass
class Topic:
    slug: str
    title: str
    cues: list[str]
    members: list[int]
    """Indexes into the sentences that were clustered."""


def _tfidf(texts: list[str], exclude: set[str]) -> np.ndarray:
    bags = [Counter(t for t in terms(text) if t not in exclude) for text in texts]
    vocab = sorted({t for bag in bags for t in bag})
    index = {t: i for i, t in enumerate(vocab)}
    df = Counter(t for bag in bags for t in bag)
    matrix = np.zeros((len(texts), max(1, len(vocab))), dtype=np.float32)
    for row, bag in enumerate(bags):
        for term, count in bag.items():
            matrix[row, index[term]] = (1 + math.log(count)) * math.log(1 + len(texts) / df[term])
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def similarity(texts: list[str], exclude: set[str]) -> np.ndarray:
    """Cosine similarity of sentences: MiniLM embeddings blended with TF-IDF over content words."""
    from deliberation.retrieval.minilm import encode

    # In batches: one batch pads every sentence to the longest, and attention memory grows with its square.
    dense = np.concatenate([np.asarray(encode(texts[i : i + BATCH]), dtype=np.float32) for i in range(0, len(texts), BATCH)])
    lexical = _tfidf(texts, exclude | _GENERIC)
    return np.asarray((1 - LEXICAL_WEIGHT) * (dense @ dense.T) + LEXICAL_WEIGHT * (lexical @ lexical.T))


def cluster(sim: np.ndarray, threshold: float = SIMILAR) -> list[list[int]]:
    """Average-linkage agglomerative clustering: merge the most similar pair until none is above `threshold`.

    Cluster similarities are updated in place (Lance-Williams), so a long source costs O(n^2) per merge, not O(n^3).
    """
    n = sim.shape[0]
    linkage = sim.astype(np.float64).copy()
    np.fill_diagonal(linkage, -np.inf)
    members = {i: [i] for i in range(n)}
    while len(members) > 1:
        a, b = divmod(int(np.argmax(linkage)), n)
        if linkage[a, b] <= threshold:
            break
        na, nb = len(members[a]), len(members[b])
        merged = (na * linkage[a] + nb * linkage[b]) / (na + nb)
        linkage[a], linkage[:, a] = merged, merged
        linkage[a, a] = -np.inf
        linkage[b], linkage[:, b] = -np.inf, -np.inf
        members[a] = sorted(members[a] + members.pop(b))
    return sorted(members.values())


def _surface(texts: list[str]) -> dict[str, str]:
    """The most frequent word form of each stem, for readable titles and cues."""
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for word in words(text):
            if word not in STOPWORDS and len(word) > 2:
                forms.setdefault(stem(word), Counter())[word] += 1
    return {s: c.most_common(1)[0][0] for s, c in forms.items()}


def name_topics(texts: list[str], groups: list[list[int]], exclude: set[str]) -> list[Topic]:
    """Each cluster named by its most distinctive content words; every cue belongs to one topic only."""
    bags = [Counter(t for i in group for t in set(terms(texts[i])) if t not in exclude and t not in _GENERIC and len(t) > 2)
            for group in groups]  # fmt: skip
    df = Counter(t for bag in bags for t in bag)
    scored = [{t: c * math.log(1 + len(groups) / df[t]) for t, c in bag.items()} for bag in bags]
    owner = {t: max(range(len(groups)), key=lambda g: scored[g].get(t, 0.0)) for t in df}
    forms = _surface(texts)
    topics: list[Topic] = []
    used: set[str] = set()
    for g, group in enumerate(groups):
        ranked = sorted((t for t in scored[g] if owner[t] == g), key=lambda t: (-scored[g][t], t))
        names = [forms.get(t, t) for t in ranked if len(forms.get(t, t)) >= 4]
        # Words several of the cluster's sentences share name it best; participles and adverbs read badly as titles.
        shared = [forms.get(t, t) for t in ranked if sum(t in set(terms(texts[i])) for i in group) >= 2]
        nameable = [w for w in dict.fromkeys(shared + names) if not _NOT_A_NAME.search(w) and len(w) >= 4]
        head = nameable[:TITLE_TERMS] or names[:1] or [f"topic {g + 1}"]
        topic_slug = re.sub(r"[^a-z0-9]+", "-", "-".join(head).lower()).strip("-")
        while topic_slug in used:
            topic_slug += f"-{g + 1}"
        used.add(topic_slug)
        title = " and ".join(head)
        topics.append(Topic(slug=topic_slug, title=title[:1].upper() + title[1:], cues=names[:CUES], members=group))
    return topics
