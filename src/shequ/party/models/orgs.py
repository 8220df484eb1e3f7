"""党组织: the four levels tied to the region tree, their committees with
terms, and the bodies of a compound they work with (物业, 业委会 …).

街道党工委 sits on a street, 社区党委/党总支 on a community, 小区党支部 on a
compound, 楼院党小组 on a building; ``parent`` follows the tree. Each row
carries its district and (from the community down) its community, the scope
and sharding keys, and ``compound`` when it lies at or below one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shequ.core.models import RegionLevel


class OrgKind(models.TextChoices):
    STREET_COMMITTEE = "street_committee", "街道党工委"
    COMMUNITY_COMMITTEE = "community_committee", "社区党委"
    GENERAL_BRANCH = "general_branch", "社区党总支"
    BRANCH = "branch", "小区党支部"
    GROUP = "group", "楼院党小组"


# Which kinds may sit on which level of the region tree.
KINDS_BY_LEVEL = {
    RegionLevel.STREET: (OrgKind.STREET_COMMITTEE,),
    RegionLevel.COMMUNITY: (OrgKind.COMMUNITY_COMMITTEE, OrgKind.GENERAL_BRANCH),
    RegionLevel.COMPOUND: (OrgKind.BRANCH,),
    RegionLevel.BUILDING: (OrgKind.GROUP,),
}
LEVEL_OF_KIND = {kind: level for level, kinds in KINDS_BY_LEVEL.items() for kind in kinds}


class PartyOrg(models.Model):
    """党组织."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "core.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField("类别", max_length=24, choices=OrgKind.choices)
    name = models.CharField("名称", max_length=80)
    founded_on = models.DateField("成立日期")
    active = models.BooleanField("存续", default=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["district", "region__code", "id"]
        constraints = [
            # One standing organisation per region node: a compound has one branch.
            models.UniqueConstraint(
                fields=["region", "district"],
                condition=Q(active=True),
                name="party_org_one_per_region",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "kind"], name="party_org_community_kind"),
            models.Index(fields=["district", "kind"], name="party_org_district_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class OrgRoleKind(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY = "deputy", "副书记"
    ORGANISATION = "organisation", "组织委员"
    PROPAGANDA = "propaganda", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    MEMBER = "member", "委员"
    GROUP_LEADER = "group_leader", "党小组长"


class OrgRole(models.Model):
    """A seat on an organisation's committee, held by a member for a term."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="roles")
    member = models.ForeignKey(
        "party.PartyMember", verbose_name="党员", on_delete=models.PROTECT, related_name="roles"
    )
    role = models.CharField("职务", max_length=16, choices=OrgRoleKind.choices)
    term_start = models.DateField("任期开始")
    term_end = models.DateField("任期届满", null=True, blank=True)
    ended_on = models.DateField("离任日期", null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "班子成员"
        verbose_name_plural = "班子成员"
        ordering = ["org", "role", "term_start"]
        constraints = [
            # One sitting secretary per organisation.
            models.UniqueConstraint(
                fields=["org", "district"],
                condition=Q(role="secretary", ended_on__isnull=True),
                name="party_org_one_secretary",
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="party_role_term_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org}·{self.get_role_display()}"


class BodyKind(models.TextChoices):
    PROPERTY = "property", "物业服务企业"
    OWNERS_COMMITTEE = "owners_committee", "业主委员会"
    VOLUNTEER_TEAM = "volunteer_team", "志愿服务队"
    SOCIAL_GROUP = "social_group", "社会组织、群团组织"


class LinkedBody(models.Model):
    """A body of the compound the organisation works with, with its contact.
    (Social organisations link here by name until the civic module exists.)"""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField("类别", max_length=20, choices=BodyKind.choices)
    name = models.CharField("名称", max_length=80)
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    # Encrypted (SM4), with head/tail in clear for the masked display.
    contact_phone_enc = models.BinaryField(null=True, blank=True)
    contact_phone_head = models.CharField(max_length=3, blank=True)
    contact_phone_tail = models.CharField(max_length=4, blank=True)
    active = models.BooleanField("联系中", default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "共建组织"
        verbose_name_plural = "共建组织"
        ordering = ["org", "kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        if not self.contact_phone_tail:
            return ""
        return f"{self.contact_phone_head}****{self.contact_phone_tail}"
