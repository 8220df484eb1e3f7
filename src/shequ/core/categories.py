"""问题类别: what a governance issue is about. Residents' appeals are filed
under it, whistles to departments carry it (with per-category deadlines),
and deliberation topics will too; one enum in core so none of them borrows
another app's."""

from django.db import models


class IssueCategory(models.TextChoices):
    SANITATION = "sanitation", "环境卫生"
    PARKING = "parking", "停车"
    FUMES = "fumes", "油烟"
    NOISE = "noise", "噪音"
    ILLEGAL_BUILDING = "illegal_building", "违建"
    PROPERTY = "property", "物业"
    SECURITY = "security", "安全防盗"
    REPAIR = "repair", "设施维修"
    NEIGHBOUR = "neighbour", "邻里纠纷"
    OTHER = "other", "其他"
