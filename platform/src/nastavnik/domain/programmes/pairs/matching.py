"""Matching suggestions for stage 5 of a programme: which mentor for which mentee, and why.

A pure module: no database, no web. The programme service loads the bases of mentees and mentors
(stages 2 and 3), calls :func:`suggest` and shows the curator the suggestions with their reasons;
the curator accepts them or rejects some and asks again with the rejected pairs in ``exclude``.

A pair is scored on explicit criteria, 0..100 points:

1. hard constraints: a pair that breaks one is never suggested (the mentee's kind fits the
   regime, the mentor gave written consent, both are members of the organisation, a form of the
   regime admits the mentor's category, the mentor has a free place, nobody mentors themselves);
2. topic fit, weight :data:`TOPIC_WEIGHT`: the share of the mentee's request terms that the
   mentor's competencies and subjects cover, after Russian-aware normalisation;
3. status, weight :data:`STATUS_WEIGHT`: a mentor of the current staff before one from the reserve;
4. form: the first form of the regime, in the given order, that admits the mentor's category;
5. load balance, weight :data:`BALANCE_WEIGHT`: a mentor with more free places scores a little more.

The batch is solved exactly: the total score is maximised with each mentee at most once and each
mentor at most ``capacity_left`` times, as an assignment problem (each mentor expanded into one
column per free place, plus one "no mentor" column per mentee) for
:func:`scipy.optimize.linear_sum_assignment`. Greedy best-pair-first matching is not used because
taking the best pair can block two good ones (the tests show such a case).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from nastavnik.types import Regime

# Topic fit dominates: meeting the mentee's request is what the pair is for (Р-145: the base of
# mentees is built from their requests). Status outweighs the balance bonus: the reserve is a
# fallback, while spreading the load is only a tie-breaker between otherwise similar mentors.
# With these weights a reserve mentor wins only with a clearly better topic fit: by more than
# 0.2 / 0.7 ≈ 29% of the request terms, give or take the balance bonus (at most 0.1 · 4/5).
TOPIC_WEIGHT = 0.7
STATUS_WEIGHT = 0.2
BALANCE_WEIGHT = 0.1
# From this many free places on the balance bonus is full: larger groups are rare, and a cap keeps
# a mentor with a huge stated capacity from drawing every mentee.
BALANCE_FULL_AT = 5
# A mentee without stated requests is neither a good nor a bad fit for anyone.
NEUTRAL_TOPIC = 0.5

KIND_FOR_REGIME = {Regime.LEARNERS.value: "learner", Regime.PEDAGOGUES.value: "young_pedagogue"}
_KIND_PLURAL = {"learner": "обучающиеся", "young_pedagogue": "молодые педагоги"}
_REGIME_TITLE = {
    Regime.LEARNERS.value: "программе для обучающихся",
    Regime.PEDAGOGUES.value: "программе для педагогов",
}
CURRENT_STATUS = "current"

# --- Russian text normalisation -------------------------------------------------------------------


def _listed(words: str) -> frozenset[str]:
    """Word lists are written as one spaced string: a literal list of fifty Russian words is unreadable."""
    return frozenset(words.split())


# Function words carry no topic; the list is short on purpose: content words like «помощь» stay.
STOP_WORDS = _listed(
    "и в во на по для с со к ко о об обо а но не ни или либо из от до за у при про под над без "
    "же ли бы то как что чтобы это этот эта эти его ее их ему им так также тоже еще уже очень "
    "том числе др"
)
# Inflectional endings of nouns, adjectives and infinitives, tried longest first; derivational
# suffixes stay, so «математик»(а/е/и) meet while «математическ»(ий) does not.
_ENDINGS = tuple(
    sorted(
        _listed(
            "иями ться ами ями ого его ому ему ыми ими ией иям иях ием "
            "ам ям ах ях ом ем ов ев ей ой ый ий ая яя ое ее ые ие ую юю ия ии ию ью ых их ть "
            "а я о е ы и у ю ь й"
        ),
        key=lambda ending: (-len(ending), ending),
    )
)
MIN_STEM = 3  # stripping never leaves fewer letters: «химия» → «хим», not «х»
PREFIX_MIN = 5  # a stem that is a prefix of another meets it if it has at least this many letters
_WORD = re.compile(r"[^\W\d_]+")  # runs of letters: digits, punctuation and spaces split words


def normalise(word: str) -> str:
    """Lower case with ё read as е: curators write «учёба» and «учеба» alike."""
    return word.lower().replace("ё", "е")


def stem(word: str) -> str:
    """A light stemmer: strip the longest inflectional ending that leaves at least MIN_STEM letters."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def surface_terms(text: str) -> dict[str, str]:
    """Distinct stems of a text in order of appearance, each with the word first written for it."""
    found: dict[str, str] = {}
    for word in _WORD.findall(text):
        normal = normalise(word)
        if len(normal) < 2 or normal in STOP_WORDS:
            continue
        found.setdefault(stem(normal), word)
    return found


def terms(text: str) -> list[str]:
    """Distinct stems of a text, in order of appearance (stop words and single letters dropped)."""
    return list(surface_terms(text))


class TermIndex:
    """A mentor's (or all mentors') stems, looked up by the matching rule.

    Two stems meet when they are equal or one is a prefix of the other and the shorter has at
    least PREFIX_MIN letters: the light stemmer leaves «адаптац» / «адаптаци», «олимпиад» /
    «олимпиадн» apart, and a five-letter floor keeps short stems like «хим» from meeting «химик».
    """

    def __init__(self, stems: Iterable[str]) -> None:
        self._exact = set(stems)
        self._by_prefix: dict[str, set[str]] = {}
        for term in self._exact:
            for end in range(PREFIX_MIN, len(term)):
                self._by_prefix.setdefault(term[:end], set()).add(term)

    def matches(self, term: str) -> set[str]:
        """The indexed stems that meet ``term``."""
        found = {term} if term in self._exact else set()
        if len(term) >= PREFIX_MIN:
            found |= self._by_prefix.get(term, set())
        found.update(term[:end] for end in range(PREFIX_MIN, len(term)) if term[:end] in self._exact)
        return found


# --- inputs and outputs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MenteeCandidate:
    id: uuid.UUID
    kind: str  # "learner" | "young_pedagogue"
    requests: str
    difficulties: str
    subjects_hint: str = ""
    class_name: str | None = None
    is_member: bool = True

    def request_text(self) -> str:
        # Newlines keep the last word of one field from gluing to the first of the next.
        return "\n".join((self.requests, self.difficulties, self.subjects_hint))


@dataclass(frozen=True, slots=True)
class MentorCandidate:
    id: uuid.UUID
    category: str  # "pedagogue" | "learner" | "staff"
    competencies: str
    subjects: str
    capacity_left: int
    status: str  # "current" | "reserve"
    has_consent: bool
    is_member: bool = True

    def offer_text(self) -> str:
        return "\n".join((self.competencies, self.subjects))


@dataclass(frozen=True, slots=True)
class FormRule:
    code: str
    title: str
    regime: str
    mentor_categories: tuple[str, ...]  # empty: anyone may mentor under this form

    def admits(self, category: str) -> bool:
        return not self.mentor_categories or category in self.mentor_categories


@dataclass(frozen=True, slots=True)
class Suggestion:
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID
    score: float  # 0..100, one decimal
    form_code: str
    form_title: str
    reasons: list[str]  # Russian, one per criterion


@dataclass(frozen=True, slots=True)
class MatchResult:
    suggestions: list[Suggestion]  # in the mentees' input order
    unmatched: list[tuple[uuid.UUID, str]]  # mentee id and the Russian reason, in input order


def groups(result: MatchResult) -> dict[uuid.UUID, list[Suggestion]]:
    """Suggestions by mentor, mentors in order of first appearance: a list of two or more is a
    group (групповое наставничество), a list of one is a pair."""
    by_mentor: dict[uuid.UUID, list[Suggestion]] = {}
    for suggestion in result.suggestions:
        by_mentor.setdefault(suggestion.mentor_id, []).append(suggestion)
    return by_mentor


# --- hard constraints -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _MentorCheck:
    passes: Callable[[MentorCandidate, FormRule | None], bool]
    unmatched_reason: str  # told when no candidate mentor of a mentee passes this check


# In this order: a mentee's reason names the first check that left them no candidate.
_MENTOR_CHECKS = (
    _MentorCheck(
        lambda mentor, form: mentor.is_member,
        "нет подходящего наставника: ни один не состоит в организации",
    ),
    _MentorCheck(
        lambda mentor, form: mentor.has_consent,
        "нет подходящего наставника: нет письменного согласия ни у одного",
    ),
    _MentorCheck(
        lambda mentor, form: form is not None,
        "нет подходящего наставника: ни одна форма режима не допускает их категорию",
    ),
    _MentorCheck(lambda mentor, form: mentor.capacity_left > 0, "нет наставника со свободными местами"),
)
_ELIGIBLE = len(_MENTOR_CHECKS)  # the stage of a mentor who passes every check
_PLACES_TAKEN = (
    "нет наставника со свободными местами: места подходящих наставников заняты другими наставляемыми"
)


def _regime_forms(forms: Sequence[FormRule], regime: str) -> list[FormRule]:
    if regime not in KIND_FOR_REGIME:
        raise ValueError(f"unknown regime {regime!r}")
    return [form for form in forms if form.regime == regime]


def _best_form(mentor: MentorCandidate, regime_forms: Sequence[FormRule]) -> FormRule | None:
    """The narrowest form that names the mentor's category (the first of equals); failing that, the
    first open to anyone.

    Open forms are for partners invited from outside, and wider ones for other roles: a teacher
    mentoring a young teacher is «учитель – учитель» (pedagogues only), not «руководитель – учитель»
    (pedagogues and staff) nor «педагог вуза – молодой педагог» (anyone), whatever the order.
    """
    named = [form for form in regime_forms if mentor.category in form.mentor_categories]
    if named:
        return min(named, key=lambda form: len(form.mentor_categories))
    return next((form for form in regime_forms if not form.mentor_categories), None)


def _mentor_stage(mentor: MentorCandidate, form: FormRule | None) -> int:
    """The index of the first check the mentor fails, or _ELIGIBLE."""
    return next(
        (index for index, check in enumerate(_MENTOR_CHECKS) if not check.passes(mentor, form)), _ELIGIBLE
    )


def _mentee_block(mentee: MenteeCandidate, regime: str) -> str | None:
    """Why no mentor at all may take this mentee in this regime, or None."""
    expected = KIND_FOR_REGIME[regime]
    if mentee.kind != expected:
        return f"не подходит режиму: в {_REGIME_TITLE[regime]} наставляемые — {_KIND_PLURAL[expected]}"
    if not mentee.is_member:
        return "наставляемый не состоит в организации"
    return None


# --- scoring ------------------------------------------------------------------------------------------


def _balance(capacity_left: NDArray[np.int64]) -> NDArray[np.float64]:
    return np.minimum(capacity_left, BALANCE_FULL_AT) / BALANCE_FULL_AT


def _tenths(
    topic: NDArray[np.float64], status: NDArray[np.float64], balance: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Scores in tenths of a point. The one formula for the matrix and for :func:`score_pair`, so
    the solver optimises exactly the scores a suggestion shows."""
    points = 100.0 * (TOPIC_WEIGHT * topic + STATUS_WEIGHT * status + BALANCE_WEIGHT * balance)
    return np.rint(10.0 * points).astype(np.int64)


def _topic_reason(matched: list[str], total: int) -> str:
    if total == 0:
        return "темы: запросы наставляемого не указаны"
    if not matched:
        return f"темы: нет общих слов с компетенциями и предметами наставника (0 из {total})"
    return f"темы: совпадает: {', '.join(matched)} ({len(matched)} из {total})"


def _status_reason(mentor: MentorCandidate) -> str:
    if mentor.status == CURRENT_STATUS:
        return "наставник в действующем составе"
    return "наставник из резерва"


def score_pair(
    mentee: MenteeCandidate, mentor: MentorCandidate, forms: Sequence[FormRule], regime: str
) -> Suggestion | None:
    """The suggestion for one pair with its score and reasons, or None if a hard constraint forbids it.

    Capacity is the mentor's alone here; :func:`suggest` makes it hold across the batch.
    """
    form = _best_form(mentor, _regime_forms(forms, regime))
    if _mentee_block(mentee, regime) is not None or mentor.id == mentee.id:
        return None
    if form is None or _mentor_stage(mentor, form) != _ELIGIBLE:
        return None
    wanted = surface_terms(mentee.request_text())
    offered = TermIndex(terms(mentor.offer_text()))
    matched = [word for term, word in wanted.items() if offered.matches(term)]
    topic = len(matched) / len(wanted) if wanted else NEUTRAL_TOPIC
    status = 1.0 if mentor.status == CURRENT_STATUS else 0.0
    balance = _balance(np.asarray(mentor.capacity_left, dtype=np.int64))
    tenths = int(_tenths(np.asarray(topic), np.asarray(status), balance))
    return Suggestion(
        mentee_id=mentee.id,
        mentor_id=mentor.id,
        score=tenths / 10,
        form_code=form.code,
        form_title=form.title,
        reasons=[
            "ограничения соблюдены: письменное согласие есть, оба состоят в организации",
            _topic_reason(matched, len(wanted)),
            _status_reason(mentor),
            f"форма: {form.title}",
            f"свободных мест: {mentor.capacity_left}",
        ],
    )


def _incidence(rows: Sequence[Iterable[int]], columns: int) -> sparse.csr_array:
    """A 0/1 sparse matrix with a one at (i, j) for each j in rows[i]."""
    row_index: list[int] = []
    column_index: list[int] = []
    for i, row in enumerate(rows):
        for j in row:
            row_index.append(i)
            column_index.append(j)
    data = np.ones(len(row_index), dtype=np.int64)
    return sparse.csr_array((data, (row_index, column_index)), shape=(len(rows), columns))


def _topic_matrix(
    mentees: Sequence[MenteeCandidate], mentors: Sequence[MentorCandidate]
) -> NDArray[np.float64]:
    """Topic fit of every pair at once: matched request terms / request terms (NEUTRAL_TOPIC if none).

    requests (mentee × request term) @ meets (request term × mentor) counts, per pair, the request
    terms that meet at least one of the mentor's terms; ``meets`` is the term-match relation times
    the mentors' term incidence, clipped to 0/1.
    """
    wanted = [terms(mentee.request_text()) for mentee in mentees]
    offered = [terms(mentor.offer_text()) for mentor in mentors]
    request_vocabulary = {term: i for i, term in enumerate(dict.fromkeys(t for ts in wanted for t in ts))}
    mentor_vocabulary = {term: i for i, term in enumerate(dict.fromkeys(t for ts in offered for t in ts))}
    index = TermIndex(mentor_vocabulary)
    relation = _incidence(
        [[mentor_vocabulary[hit] for hit in index.matches(term)] for term in request_vocabulary],
        len(mentor_vocabulary),
    )
    holds = _incidence([[mentor_vocabulary[t] for t in ts] for ts in offered], len(mentor_vocabulary))
    meets = ((relation @ holds.T) > 0).astype(np.int64)
    requests = _incidence([[request_vocabulary[t] for t in ts] for ts in wanted], len(request_vocabulary))
    matched = np.asarray((requests @ meets).toarray(), dtype=np.float64)
    totals = np.array([len(ts) for ts in wanted], dtype=np.float64)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(totals > 0, matched / totals, NEUTRAL_TOPIC)


# --- the batch ------------------------------------------------------------------------------------------


def _check_unique(ids: Iterable[uuid.UUID], what: str) -> None:
    seen: set[uuid.UUID] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{what} {item} is listed twice")
        seen.add(item)


def _pair_mask(
    mentees: Sequence[MenteeCandidate],
    mentors: Sequence[MentorCandidate],
    pairs: Iterable[tuple[uuid.UUID, uuid.UUID]],
) -> NDArray[np.bool_]:
    """Mentee × mentor, true for the (mentee id, mentor id) pairs given; unknown ids are ignored."""
    mask = np.zeros((len(mentees), len(mentors)), dtype=bool)
    mentee_row = {mentee.id: i for i, mentee in enumerate(mentees)}
    mentor_column = {mentor.id: j for j, mentor in enumerate(mentors)}
    for mentee_id, mentor_id in pairs:
        if mentee_id in mentee_row and mentor_id in mentor_column:
            mask[mentee_row[mentee_id], mentor_column[mentor_id]] = True
    return mask


def _solve(
    tenths: NDArray[np.int64], valid: NDArray[np.bool_], places: NDArray[np.int64]
) -> list[tuple[int, int]]:
    """The (mentee, mentor) pairs of a maximum-total assignment within the mentors' places.

    Columns: mentor j repeated places[j] times, then one zero "no mentor" column per mentee, so
    leaving a mentee out is always possible and a forbidden pair (negative) is never worth taking.
    Ties are broken towards pairing earlier mentees with earlier mentors: each entry carries
    (n - i)·(slots - c), whose sum over any assignment stays below one tenth of a point (``scale``),
    so the tie-break never changes the total score; by the rearrangement inequality it favours
    the input order. Every value is an integer below 2**52, exact in float64.
    """
    mentees = tenths.shape[0]
    slot_mentor = np.repeat(np.arange(len(places)), places)
    slots = len(slot_mentor)
    if mentees == 0 or slots == 0:
        return []
    tie = (mentees - np.arange(mentees))[:, None] * (slots - np.arange(slots))[None, :]
    scale = min(mentees, slots) * mentees * slots + 1
    if 1001 * scale >= 2**52:  # too large to stay exact: drop the tie-break, keep the optimum
        tie, scale = np.zeros_like(tie), 1
    values = np.where(valid[:, slot_mentor], tenths[:, slot_mentor] * scale + tie, -scale)
    values = np.hstack([values, np.zeros((mentees, mentees), dtype=values.dtype)]).astype(np.float64)
    rows, columns = linear_sum_assignment(values, maximize=True)
    return [
        (int(row), int(slot_mentor[column]))
        for row, column in zip(rows, columns, strict=True)
        if column < slots and valid[row, slot_mentor[column]]
    ]


def _unmatched_reason(
    mentee: MenteeCandidate,
    regime: str,
    stages: NDArray[np.int64],
    allowed_row: NDArray[np.bool_],
    rejected_row: NDArray[np.bool_],
) -> str:
    block = _mentee_block(mentee, regime)
    if block is not None:
        return block
    if len(stages) == 0:
        return "в базе нет наставников"
    # A mentor of stage k passed the first k checks: the candidates run out at the highest stage.
    furthest = int(stages[allowed_row].max()) if allowed_row.any() else -1
    if furthest == _ELIGIBLE:
        return _PLACES_TAKEN
    # Name the curator's rejections when they took the mentors who would have fitted.
    if rejected_row.any() and (furthest < 0 or bool((stages[rejected_row] == _ELIGIBLE).any())):
        return "нет подходящего наставника: подходящие наставники отклонены куратором"
    if furthest < 0:
        return "нет подходящего наставника: наставляемый не может быть своим наставником"
    return _MENTOR_CHECKS[furthest].unmatched_reason


def suggest(
    mentees: Sequence[MenteeCandidate],
    mentors: Sequence[MentorCandidate],
    forms: Sequence[FormRule],
    regime: str,
    *,
    exclude: Collection[tuple[uuid.UUID, uuid.UUID]] = frozenset(),
) -> MatchResult:
    """Suggest mentors for a batch of mentees: the assignment of maximum total score in which each
    mentee gets at most one mentor and each mentor at most ``capacity_left`` mentees.

    ``exclude`` holds (mentee id, mentor id) pairs the curator rejected. Mentees left without a
    mentor are in ``unmatched`` with the reason. The result is deterministic.
    """
    _check_unique((mentee.id for mentee in mentees), "mentee")
    _check_unique((mentor.id for mentor in mentors), "mentor")
    regime_forms = _regime_forms(forms, regime)
    stages = np.array(
        [_mentor_stage(mentor, _best_form(mentor, regime_forms)) for mentor in mentors], dtype=np.int64
    )
    mentee_ok = np.array([_mentee_block(mentee, regime) is None for mentee in mentees], dtype=bool)
    rejected = _pair_mask(mentees, mentors, exclude)
    # The same person on both bases (one id) is never their own mentor.
    themselves = _pair_mask(mentees, mentors, ((mentee.id, mentee.id) for mentee in mentees))
    allowed = ~rejected & ~themselves
    valid = allowed & mentee_ok[:, None] & (stages == _ELIGIBLE)[None, :]
    capacity = np.array([mentor.capacity_left for mentor in mentors], dtype=np.int64)
    status = np.array([mentor.status == CURRENT_STATUS for mentor in mentors], dtype=np.float64)
    tenths = _tenths(_topic_matrix(mentees, mentors), status[None, :], _balance(capacity)[None, :])
    # Nobody takes more mentees than the batch holds; ineligible mentors get no columns at all.
    places = np.where(stages == _ELIGIBLE, np.minimum(capacity, len(mentees)), 0)
    chosen = dict(_solve(tenths, valid, places))
    suggestions: list[Suggestion] = []
    unmatched: list[tuple[uuid.UUID, str]] = []
    for i, mentee in enumerate(mentees):
        pair = score_pair(mentee, mentors[chosen[i]], forms, regime) if i in chosen else None
        if pair is not None:
            suggestions.append(pair)
        else:
            unmatched.append((mentee.id, _unmatched_reason(mentee, regime, stages, allowed[i], rejected[i])))
    return MatchResult(suggestions=suggestions, unmatched=unmatched)
