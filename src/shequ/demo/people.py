"""Generated people: households of residents with Chinese names, valid ID
numbers, mobile numbers and tags, for the demo district and the benchmark.

Names are drawn from Faker's zh_CN tables (surnames with their frequency
weights, given names) with our own seeded ``random.Random``, so a run is
reproducible and ~20× faster than calling ``Faker.name()`` per person: the
benchmark makes half a million of them. Ages follow an old north-eastern
urban district: about a quarter of residents are 60 or over.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from faker.providers.person.zh_CN import Provider as _ZhPerson

from shequ.core.idcard import IdNumber, make_id_number
from shequ.residents.models import Relation, Tag

# Ages are counted on this fixed day so that two runs on different days
# generate the same people.
REFERENCE_DAY = dt.date(2026, 1, 1)

# Where residents' ID numbers were issued (地址码): mostly the district itself,
# then the rest of 鞍山, neighbouring cities and a few migrants from afar.
ID_REGIONS: tuple[tuple[str, int], ...] = (
    ("210302", 52),
    ("210303", 10),
    ("210304", 8),
    ("210311", 5),
    ("210381", 6),
    ("210321", 4),
    ("211002", 3),
    ("210102", 3),
    ("210203", 2),
    ("230102", 3),
    ("220102", 2),
    ("370102", 2),
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
)
# Household sizes repeat this pattern (mean 2.6, the urban average), so the
# number of households of a given population is known exactly.
HOUSEHOLD_SIZES = (3, 2, 1, 4, 3, 2, 3, 5, 2, 1)

_SURNAMES = tuple(_ZhPerson.last_names)
_SURNAME_CUM = tuple(accumulate(_ZhPerson.last_names.values()))
_GIVEN = {"M": tuple(_ZhPerson.first_names_male), "F": tuple(_ZhPerson.first_names_female)}
_ID_CODES = tuple(code for code, _ in ID_REGIONS)
_ID_CUM = tuple(accumulate(weight for _, weight in ID_REGIONS))


def household_sizes(residents: int) -> list[int]:
    """Sizes of the households holding exactly ``residents`` people."""
    sizes: list[int] = []
    left = residents
    i = 0
    while left > 0:
        size = min(HOUSEHOLD_SIZES[i % len(HOUSEHOLD_SIZES)], left)
        sizes.append(size)
        left -= size
        i += 1
    return sizes


def room_name(index: int, per_floor: int) -> str:
    """The index-th flat of a unit: 101, 102, 201, … (floor, then door)."""
    return f"{index // per_floor + 1}{index % per_floor + 1:02d}"


def split_evenly(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder)."""
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


@dataclass
class Member:
    name: str
    gender: str  # "M" / "F"
    birth_date: dt.date
    relation: str
    id_number: IdNumber
    phone: str
    tags: set[str] = field(default_factory=set)

    @property
    def age(self) -> int:
        day, birth = REFERENCE_DAY, self.birth_date
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class PeopleMaker:
    """Makes households for one community. ID numbers are unique within it,
    as the register requires (one seed per community keeps runs stable even
    when only some communities are generated)."""

    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self._ids: set[str] = set()

    # -- single attributes -------------------------------------------------------

    def surname(self) -> str:
        return _SURNAMES[bisect(_SURNAME_CUM, self.rng.random() * _SURNAME_CUM[-1])]

    def given_name(self, gender: str) -> str:
        pool = _GIVEN[gender]
        first = self.rng.choice(pool)
        if len(first) == 1 and self.rng.random() < 0.5:
            second = self.rng.choice(pool)
            if second != first and len(second) == 1:
                return first + second
        return first

    def birth_date(self, age: int) -> dt.date:
        return REFERENCE_DAY - dt.timedelta(days=int(age * 365.25) + self.rng.randrange(1, 365))

    def id_number(self, gender: str, birth: dt.date) -> IdNumber:
        """A valid, community-unique number; the 17th digit is odd for men."""
        while True:
            region = _ID_CODES[bisect(_ID_CUM, self.rng.random() * _ID_CUM[-1])]
            seq = self.rng.randrange(500) * 2 + (1 if gender == "M" else 0)
            value = make_id_number(region, birth, seq)
            if value not in self._ids:
                self._ids.add(value)
                return IdNumber(value=value, birth_date=birth, gender=gender)

    def phone(self, age: int) -> str:
        if age < 16 or self.rng.random() > (0.6 if age >= 80 else 0.95):
            return ""
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def member(self, *, gender: str, age: int, relation: str, surname: str | None = None) -> Member:
        age = max(0, min(age, 99))
        birth = self.birth_date(age)
        return Member(
            name=(surname or self.surname()) + self.given_name(gender),
            gender=gender,
            birth_date=birth,
            relation=relation,
            id_number=self.id_number(gender, birth),
            phone=self.phone(age),
        )

    # -- a household -------------------------------------------------------------

    def _head_age(self, size: int) -> int:
        r = self.rng
        if size == 1:  # people living alone are mostly old
            return r.choice(
                (r.randint(22, 59), r.randint(60, 79), r.randint(60, 79), r.randint(80, 95))
            )
        if size == 2:  # young couples and elderly couples
            return r.randint(24, 59) if r.random() < 0.45 else r.randint(60, 90)
        if size <= 4:
            return r.randint(30, 62)
        return r.randint(52, 70)

    def household(self, size: int) -> list[Member]:
        """A household of ``size`` people, the head first."""
        r = self.rng
        head_age = self._head_age(size)
        if size == 1:
            head = self.member(
                gender="F" if r.random() < 0.58 else "M", age=head_age, relation=Relation.HEAD
            )
            if head.age >= 60:
                head.tags.add(Tag.LIVES_ALONE)
            members = [head]
        else:
            head_gender = "M" if r.random() < 0.8 else "F"
            head_surname, spouse_surname = self.surname(), self.surname()
            head = self.member(
                gender=head_gender, age=head_age, relation=Relation.HEAD, surname=head_surname
            )
            spouse = self.member(
                gender="F" if head_gender == "M" else "M",
                age=head_age + r.randint(-5, 3),
                relation=Relation.SPOUSE,
                surname=spouse_surname,
            )
            # Children take the father's surname.
            family = head_surname if head_gender == "M" else spouse_surname
            members = [head, spouse]
            child_age = max(0, head_age - r.randint(24, 34))
            if size >= 3:
                members.append(
                    self.member(
                        gender=r.choice("MF"),
                        age=child_age,
                        relation=Relation.CHILD,
                        surname=family,
                    )
                )
            if size == 4:
                if r.random() < 0.6:
                    members.append(
                        self.member(
                            gender=r.choice("MF"),
                            age=max(0, child_age - r.randint(1, 6)),
                            relation=Relation.CHILD,
                            surname=family,
                        )
                    )
                else:
                    members.append(
                        self.member(
                            gender=r.choice("MF"),
                            age=head_age + r.randint(24, 30),
                            relation=Relation.PARENT,
                            surname=head_surname,
                        )
                    )
            if size >= 5:
                child = members[2]
                members.append(
                    self.member(
                        gender="F" if child.gender == "M" else "M",
                        age=child.age + r.randint(-3, 3),
                        relation=Relation.CHILD_IN_LAW,
                    )
                )
                for _ in range(size - 4):
                    members.append(
                        self.member(
                            gender=r.choice("MF"),
                            age=r.randint(0, 12),
                            relation=Relation.GRANDCHILD,
                            surname=family,
                        )
                    )
        self._tag(members)
        return members

    def _tag(self, members: list[Member]) -> None:
        r = self.rng
        head = members[0]
        if r.random() < 0.03:  # 低保 is granted to the household
            for m in members:
                m.tags.add(Tag.LOW_INCOME)
        if head.age >= 50 and len(members) <= 2 and r.random() < 0.04:
            for m in members:  # 计生特殊家庭: parents who lost their only child
                m.tags.add(Tag.SPECIAL_FAMILY)
        for m in members:
            age = m.age
            if r.random() < (0.05 if age >= 60 else 0.015):
                m.tags.add(Tag.DISABLED)
            if m.gender == "M" and 25 <= age <= 85 and r.random() < 0.05:
                m.tags.add(Tag.VETERAN)
            if age >= 18 and r.random() < (0.14 if age >= 60 else 0.07):
                m.tags.add(Tag.PARTY_MEMBER)
