"""The resident register: households in units, residents in households."""

from django.db import models
from django.db.models import Q


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    GRANDPARENT = "grandparent", "祖父母"
    SIBLING = "sibling", "兄弟姐妹"
    CHILD_IN_LAW = "child_in_law", "儿媳/女婿"
    OTHER = "other", "其他"


class Tag(models.TextChoices):
    """Stored tags. 60+ and 80+ are derived from the birth date, never stored."""

    LOW_INCOME = "low_income", "低保"
    DISABLED = "disabled", "残疾"
    LIVES_ALONE = "lives_alone", "独居"
    SPECIAL_FAMILY = "special_family", "特殊家庭"
    VETERAN = "veteran", "退役军人"
    PARTY_MEMBER = "party_member", "党员"


class LeaveReason(models.TextChoices):
    """Why a resident left the register (迁出)."""

    MOVED_OUT = "moved_out", "迁出本区"
    DECEASED = "deceased", "死亡"
    OTHER = "other", "其他"


# What an erased resident is called: the row stays, for the figures of the
# past and the other apps' rows that point at it.
ERASED_NAME = "已注销居民"


# Visible only with the resident.sensitive_tags permission.
SENSITIVE_TAGS = frozenset({Tag.LOW_INCOME, Tag.DISABLED, Tag.SPECIAL_FAMILY})


class Household(models.Model):
    """户: lives in one unit (单元) and carries that unit's ancestors."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey(
        "core.Region", verbose_name="楼栋", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "core.Region", verbose_name="单元", on_delete=models.PROTECT, related_name="households"
    )
    room = models.CharField("门牌号", max_length=20)
    # 专有部分建筑面积: the owners' votes of 民法典第278条 count it.
    floor_area = models.DecimalField(
        "建筑面积（平方米）", max_digits=8, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "住户"
        verbose_name_plural = "住户"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "room", "district"], name="household_unit_room"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room}室"


class ResidentQuerySet(models.QuerySet):
    def current(self) -> "ResidentQuerySet":
        """Residents who live in the district now (not 迁出): the register's
        lists, counts and choices."""
        return self.filter(left_at__isnull=True)


class Resident(models.Model):
    """居民. ID and phone numbers are stored only as SM4 ciphertext plus a
    keyed SM3 blind index; birth date and gender come from the ID number.

    A resident who leaves (迁出) keeps the row with ``left_at``; once the
    retention period has passed their identity is erased (``erased_at``):
    name, ID and phone numbers cleared, the birth date cut to its year."""

    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        Household, verbose_name="住户", on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField("姓名", max_length=40, db_index=True)
    id_number_enc = models.BinaryField("身份证号（密文）")
    id_number_index = models.CharField(max_length=64, db_index=True)
    id_number_tail = models.CharField("身份证号后四位", max_length=4)
    id_region_code = models.CharField("身份证地址码", max_length=6)
    phone_enc = models.BinaryField("手机号（密文）", null=True, blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone_head = models.CharField(max_length=3, blank=True)
    phone_tail = models.CharField("手机号后四位", max_length=4, blank=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期", db_index=True)
    relation = models.CharField("与户主关系", max_length=16, choices=Relation.choices)
    user = models.OneToOneField(
        "core.User",
        verbose_name="居民账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    left_at = models.DateField("迁出日期", null=True, blank=True)
    left_reason = models.CharField(
        "迁出原因",
        max_length=16,
        choices=LeaveReason.choices,
        blank=True,
        default="",
        db_default="",
    )
    # db_default: the bulk loaders (demo/scale.py, COPY) name only the register's
    # columns; default: bulk_create on PostgreSQL cannot send a DatabaseDefault.
    left_note = models.CharField("迁出说明", max_length=200, blank=True, default="", db_default="")
    erased_at = models.DateTimeField("个人信息删除时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = "居民"
        verbose_name_plural = "居民"
        constraints = [
            models.UniqueConstraint(
                fields=["community", "id_number_index", "district"],
                name="resident_unique_id_in_community",
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(left_at__isnull=False),
                name="resident_erased_has_left",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "name"], name="resident_community_name"),
            # The retention tick's "left long enough ago, not yet erased".
            models.Index(
                fields=["left_at"],
                condition=Q(left_at__isnull=False, erased_at__isnull=True),
                name="resident_to_erase",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResidentTag(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField("标签", max_length=20, choices=Tag.choices)
    # Denormalised so "all 独居 residents of this community" is one index range,
    # and, like every scoped table, carrying the district (the sharding key).
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "居民标签"
        verbose_name_plural = "居民标签"
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "tag", "district"], name="resident_tag_unique"
            ),
        ]
        indexes = [models.Index(fields=["community", "tag"], name="resident_tag_community")]

    def __str__(self) -> str:
        return self.get_tag_display()
