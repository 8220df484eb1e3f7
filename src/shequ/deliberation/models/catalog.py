"""协商目录: what a community consults on, by category (门类) and item (条目).

The district keeps the template; each item has immutable versions, like the
desk's service catalog, so a topic keeps the version it was raised under.
A community adopts the district's items and may add local items of its own
(``ConsultationItem.community`` set). Each version says which meeting forms
are allowed, who must be invited, the default vote rule and the level of the
matter (community, compound, building).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class MeetingForm(models.TextChoices):
    COUNCIL = "council", "议事会"  # the community's or compound's regular deliberation
    JOINT = "joint", "联席会"  # 协商议事联席会: party, 业委会, 物业, units together
    HEARING = "hearing", "听证会"
    DIALOGUE = "dialogue", "恳谈会"
    ONLINE = "online", "线上协商"  # residents vote on their phones during a window


class Participant(models.TextChoices):
    """Who a form of consultation invites (参与主体)."""

    RESIDENT_REPS = "resident_reps", "居民代表"
    PARTY_MEMBERS = "party_members", "党员代表"
    OWNERS_COMMITTEE = "owners_committee", "业委会"
    PROPERTY = "property", "物业服务企业"
    UNITS = "units", "驻区单位"
    DEPARTMENTS = "departments", "职能部门"
    STAKEHOLDERS = "stakeholders", "利益相关居民"


class VoteRule(models.TextChoices):
    MAJORITY = "majority", "到会人员过半数同意"
    TWO_THIRDS = "two_thirds", "到会人员三分之二以上同意"
    # 民法典第二百七十八条: matters of the compound's owners.
    OWNERS = "owners", "业主共同决定·一般事项（民法典第278条）"
    OWNERS_MAJOR = "owners_major", "业主共同决定·重大事项（民法典第278条）"
    CONSENSUS = "consensus", "协商一致（无反对意见）"


OWNER_RULES = (VoteRule.OWNERS, VoteRule.OWNERS_MAJOR)


class MatterLevel(models.TextChoices):
    COMMUNITY = "community", "社区"
    COMPOUND = "compound", "小区"
    BUILDING = "building", "楼栋"


class ConsultationItem(models.Model):
    """One entry of the catalog (门类 × 条目); ``community`` set for a local item."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region",
        verbose_name="社区（本社区自增条目）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.CharField("条目编码", max_length=32)
    # Mirrors of the current version, for lists and figures.
    category = models.CharField("门类", max_length=30)
    name = models.CharField("协商事项", max_length=100)
    current_version = models.ForeignKey(
        "ConsultationItemVersion",
        verbose_name="现行版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "协商目录条目"
        verbose_name_plural = "协商目录条目"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="consultation_item_code"),
        ]
        indexes = [models.Index(fields=["district", "category"], name="consultation_item_cat")]

    def __str__(self) -> str:
        return f"{self.category} / {self.name}"

    @property
    def is_local(self) -> bool:
        return self.community_id is not None


class ConsultationItemVersion(models.Model):
    """A published state of an item; never edited after it is written."""

    item = models.ForeignKey(ConsultationItem, on_delete=models.CASCADE, related_name="versions")
    # The item's district (the sharding key).
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField("版本号")
    category = models.CharField("门类", max_length=30)
    name = models.CharField("协商事项", max_length=100)
    content = models.TextField("协商内容", blank=True)
    forms = models.JSONField("协商形式", default=list)  # [MeetingForm]
    participants = models.JSONField("参与主体", default=list)  # [Participant]
    vote_rule = models.CharField("表决规则", max_length=16, choices=VoteRule.choices)
    level = models.CharField("事项层级", max_length=16, choices=MatterLevel.choices)
    legal_basis = models.CharField("依据", max_length=200, blank=True)
    published_at = models.DateTimeField("发布时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "协商目录条目版本"
        verbose_name_plural = "协商目录条目版本"
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "number", "district"], name="consultation_version_no"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版）"

    @property
    def forms_display(self) -> str:
        return "、".join(MeetingForm(f).label for f in self.forms if f in MeetingForm.values)

    @property
    def participants_display(self) -> str:
        return "、".join(Participant(p).label for p in self.participants if p in Participant.values)


class ConsultationAdoption(models.Model):
    """A community uses a district item (采用); dropping keeps the row, inactive."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(ConsultationItem, on_delete=models.PROTECT, related_name="adoptions")
    adopted_at = models.DateTimeField("采用时间")
    active = models.BooleanField("使用中", default=True)

    class Meta:
        verbose_name = "社区采用的协商条目"
        verbose_name_plural = "社区采用的协商条目"
        constraints = [
            models.UniqueConstraint(
                fields=["community", "item", "district"], name="consultation_adopt_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["community", "item"], condition=Q(active=True), name="consultation_adopted"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id}:{self.item_id}"
