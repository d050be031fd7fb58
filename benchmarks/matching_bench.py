"""Matching benchmark: suggestions for 500 mentees and 200 mentors in one batch.

Run from the repository root::

    uv run python -m benchmarks.matching_bench

Options: ``--mentees 500 --mentors 200 --runs 5 --seed 2025``.

The instance is seeded, so every run solves the same one: learners' requests and mentors'
competencies are drawn from a fixed vocabulary of Russian school topics, in varied grammatical
forms (the normalisation must bring them together); mentors have 1–4 free places, some are in
the reserve and a few have not given consent.
:func:`nastavnik.domain.programmes.pairs.matching.suggest` is timed
over the runs (scoring, the assignment and the explanations together); the target is at most 2 s.

This is a benchmark, not a test: it prints its figures and exits 0 whether the target is met or not.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from collections import Counter

from nastavnik.domain.programmes.pairs import matching
from nastavnik.domain.programmes.pairs.matching import FormRule, MenteeCandidate, MentorCandidate

TARGET_SECONDS = 2.0

# Topics as a curator writes them about a mentee, and as a mentor's competencies read.
REQUEST_TOPICS = (
    "подготовка к ОГЭ по математике",
    "подготовка к ЕГЭ по русскому языку",
    "олимпиадная подготовка по физике",
    "проектная деятельность",
    "профориентация",
    "адаптация в новом классе",
    "трудности в общении со сверстниками",
    "мотивация к учёбе",
    "читательская грамотность",
    "финансовая грамотность",
    "английский язык",
    "программирование на Python",
    "исследовательская работа по биологии",
    "химия: решение задач",
    "история России",
    "робототехника",
    "тревожность перед экзаменами",
    "тайм-менеджмент",
    "публичные выступления",
    "волонтёрство",
)
MENTOR_TOPICS = (
    "математика",
    "алгебра и геометрия",
    "русский язык и литература",
    "физика",
    "подготовка к олимпиадам",
    "подготовка к экзаменам ОГЭ и ЕГЭ",
    "проекты и исследования",
    "профориентационная работа",
    "классное руководство",
    "адаптация обучающихся",
    "общение и коммуникация",
    "психолого-педагогическое сопровождение",
    "финансовая грамотность",
    "английский язык",
    "информатика и программирование",
    "биология",
    "химия",
    "история",
    "робототехника",
    "публичные выступления",
    "волонтёрская деятельность",
)
FORMS = (
    FormRule("learner_learner", "Ученик – ученик", "learners", ("learner",)),
    FormRule("teacher_learner", "Учитель – ученик", "learners", ("pedagogue",)),
    FormRule("employer_learner", "Работодатель – ученик", "learners", ("staff",)),
)


def generate(mentees: int, mentors: int, seed: int) -> tuple[list[MenteeCandidate], list[MentorCandidate]]:
    rng = random.Random(seed)
    mentee_list = [
        MenteeCandidate(
            id=uuid.UUID(int=rng.getrandbits(128)),
            kind="learner",
            requests="; ".join(rng.sample(REQUEST_TOPICS, rng.randint(1, 3))),
            difficulties="; ".join(rng.sample(REQUEST_TOPICS, rng.randint(0, 2))),
            class_name=f"{rng.randint(5, 11)}{rng.choice('АБВ')}",
        )
        for _ in range(mentees)
    ]
    mentor_list = [
        MentorCandidate(
            id=uuid.UUID(int=rng.getrandbits(128)),
            category=rng.choices(("pedagogue", "learner", "staff"), weights=(6, 3, 1))[0],
            competencies=", ".join(rng.sample(MENTOR_TOPICS, rng.randint(2, 4))),
            subjects=", ".join(rng.sample(MENTOR_TOPICS, rng.randint(0, 2))),
            capacity_left=rng.randint(1, 4),
            status=rng.choices(("current", "reserve"), weights=(4, 1))[0],
            has_consent=rng.random() > 0.05,
        )
        for _ in range(mentors)
    ]
    return mentee_list, mentor_list


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentees", type=int, default=500)
    parser.add_argument("--mentors", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    mentees, mentors = generate(args.mentees, args.mentors, args.seed)
    places = sum(m.capacity_left for m in mentors if m.has_consent)
    print(f"== Matching: {len(mentees)} mentees, {len(mentors)} mentors ({places} places with consent) ==")
    timings = []
    result = None
    for _ in range(args.runs):
        started = time.perf_counter()
        result = matching.suggest(mentees, mentors, FORMS, "learners")
        timings.append(time.perf_counter() - started)
    assert result is not None
    median, worst = statistics.median(timings), max(timings)
    scores = [s.score for s in result.suggestions]
    print(f"  suggest, {args.runs} runs: median {median:.3f} s, max {worst:.3f} s (target: at most 2 s)")
    print(f"  suggestions: {len(result.suggestions)}, unmatched: {len(result.unmatched)}")
    for reason, count in Counter(reason for _, reason in result.unmatched).most_common():
        print(f"    {count} × {reason}")
    print(f"  groups (mentors with 2+ mentees): {sum(len(g) > 1 for g in matching.groups(result).values())}")
    if scores:
        print(f"  score: mean {statistics.mean(scores):.1f}, min {min(scores):.1f}, max {max(scores):.1f}")
    print(f"  {'target met' if worst <= TARGET_SECONDS else 'target missed'}")


if __name__ == "__main__":
    main()
