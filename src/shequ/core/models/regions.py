"""The one region tree: 区 > 街道 > 社区 > 小区 > 楼栋 > 单元."""

from django.db import models


class RegionLevel(models.IntegerChoices):
    DISTRICT = 1, "区"
    STREET = 2, "街道"
    COMMUNITY = 3, "社区"
    COMPOUND = 4, "小区"
    BUILDING = 5, "楼栋"
    UNIT = 6, "单元"

    @classmethod
    def child_of(cls, level: int) -> "RegionLevel | None":
        return cls(level + 1) if level < cls.UNIT else None


ANCESTOR_FIELDS = {
    RegionLevel.DISTRICT: "district",
    RegionLevel.STREET: "street",
    RegionLevel.COMMUNITY: "community",
    RegionLevel.COMPOUND: "compound",
    RegionLevel.BUILDING: "building",
}


def _ancestor(name: str, label: str) -> models.ForeignKey:
    return models.ForeignKey(
        "self",
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )


class Region(models.Model):
    """A node of the tree.

    Every node carries its ancestors at each level, itself included at its own
    level (a community row has ``community = itself``). A subtree is then one
    indexed equality lookup (``community=c``), the same cost at 10 or 10,000
    communities on SQLite and PostgreSQL alike, and a city deployment can
    shard on ``district_id``. Codes follow 统计用区划代码 down to the
    community (6/9/12 digits) and extend it below: compound +3, building +3,
    unit +2.
    """

    code = models.CharField("区划代码", max_length=24, unique=True)
    name = models.CharField("名称", max_length=80)
    level = models.PositiveSmallIntegerField("层级", choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    district = _ancestor("district", "区")
    street = _ancestor("street", "街道")
    community = _ancestor("community", "社区")
    compound = _ancestor("compound", "小区")
    building = _ancestor("building", "楼栋")
    # Only communities carry these two: the figures the street reports upward.
    population_served = models.PositiveIntegerField("服务人口", null=True, blank=True)
    households_served = models.PositiveIntegerField("服务户数", null=True, blank=True)

    class Meta:
        verbose_name = "区划"
        verbose_name_plural = "区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="region_level_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def level_label(self) -> str:
        return RegionLevel(self.level).label

    @property
    def ancestor_field(self) -> str | None:
        """The column that names this node in every row of its subtree."""
        return ANCESTOR_FIELDS.get(RegionLevel(self.level))


class RegionStat(models.Model):
    """Rolled-up counts of a region's subtree, kept current by services and
    rebuilt by `shequ tick`, so dashboards cost the same at any scale."""

    region = models.OneToOneField(
        Region, primary_key=True, on_delete=models.CASCADE, related_name="stat"
    )
    # The region's district (a district's own row: itself), the sharding key.
    district = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    residents = models.PositiveIntegerField("居民数", default=0)
    households = models.PositiveIntegerField("户数", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "区划统计"
        verbose_name_plural = "区划统计"

    def __str__(self) -> str:
        return f"{self.region_id}: {self.residents} 人 / {self.households} 户"
