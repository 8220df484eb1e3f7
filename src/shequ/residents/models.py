"""The resident register: households in units, residents in households."""

from django.db import models


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


class Resident(models.Model):
    """居民. ID and phone numbers are stored only as SM4 ciphertext plus a
    keyed SM3 blind index; birth date and gender come from the ID number."""

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "居民"
        verbose_name_plural = "居民"
        constraints = [
            models.UniqueConstraint(
                fields=["community", "id_number_index", "district"],
                name="resident_unique_id_in_community",
            ),
        ]
        indexes = [models.Index(fields=["community", "name"], name="resident_community_name")]

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
