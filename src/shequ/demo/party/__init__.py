"""The demo's 党建引领, written through the party services (``writer``) as a
dated story (``story``), with the people chosen first (``cast``) and the
words in ``scripts``:

- 街道党工委 on the three streets, 社区党委 on the fifteen communities, 小区党支部
  on the compounds where at least the district's threshold of full members
  held here live (one of them left without, and one old branch that fell
  below it, so the 建支部提示 lists both), 党小组 on the stations' compounds'
  busiest buildings; committees seated for their terms; 物业, 业委会,
  volunteer teams and social groups with contacts.
- Members: the residents the register tags 党员 (in the stations' compounds
  of a small demo topped up from the adults there, who get the tag),
  正式/预备 and 自管/在职/流动/离退休 by age; in 站前小区 one probation ends
  within the 30 days' notice (``shequ tick`` reminds demo-party-secretary)
  and one ended and was confirmed. 铁塔社区 has its committee and no member:
  a demo test deletes and reloads its register.
- 组织关系接转 of 站前社区 in every state: a retired member's 转入 completed
  (离退休转回社区), a 转入 approved and waiting, a 转出 returned with the
  receiver's reason, a 区内转移 requested.
- 红旗驿站 in 站前小区, 利民小区 and 兴华小区: rooms, weekly timetable, duty,
  openings and activities since they opened three months ago, planned so
  that some months work (充分发挥作用) and some do not, each for a stated
  reason; the months judged as ``shequ tick`` would have at each month's turn.
- 楼长制: heads on every building of 站前社区, 利民社区, 兴华社区 and 中巨社区
  (demo-building-head is 站前小区1号楼's), unit heads on 站前小区's first two
  buildings; the heads of 站前社区 and 利民社区 visit about half their
  households in the last quarter and some this quarter, and one visit raises
  an appeal.
- 双报到: the demo's stationed units report in (城东第一中学 by its liaison),
  in-service members of 站前社区 and 利民社区 report in, needs are posted,
  claimed and one closed, services logged (and counted as pairing actions
  where the unit has an agreement), and the last quarter's feedback letter
  goes to 城东第一中学.

Loaded once: skipped when the district has a party organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from shequ.core.models import Region
from shequ.party.models import (
    BuildingHead,
    HouseholdVisit,
    MemberReportIn,
    PartyMember,
    PartyOrg,
    ServiceLog,
    Station,
    Transfer,
)
from shequ.party.services.common import rules_for


@dataclass
class PartyResult:
    rows: int = 0  # service calls and the rows written beside them
    users: int = 0
    grants: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def load_party(district: Region) -> PartyResult:
    """The party story once. Call inside ``load_demo``'s transaction, after
    the governance data (units, liaisons, pairing) and the deliberation."""
    from shequ.demo.party.writer import PartyWriter

    result = PartyResult()
    if not PartyOrg.objects.filter(district=district).exists():
        writer = PartyWriter(district, timezone.now())
        writer.write(threshold=rules_for(district.pk).branch_threshold)
        result.rows, result.users, result.grants = writer.rows, writer.users, writer.grants
    result.counts = {
        "党组织": PartyOrg.objects.filter(district=district).count(),
        "党员": PartyMember.objects.filter(district=district).count(),
        "组织关系接转": Transfer.objects.filter(district=district).count(),
        "红旗驿站": Station.objects.filter(district=district).count(),
        "楼栋长": BuildingHead.objects.filter(district=district).count(),
        "入户走访": HouseholdVisit.objects.filter(district=district).count(),
        "报到党员": MemberReportIn.objects.filter(district=district).count(),
        "报到服务": ServiceLog.objects.filter(district=district).count(),
    }
    return result
