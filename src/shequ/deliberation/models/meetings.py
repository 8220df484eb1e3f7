"""议事会 / 联席会 / 听证会 / 恳谈会 / 线上协商: a meeting with its notice
period, invitees and sign-in (quorum, proxies), its agenda of accepted
topics, one vote per agenda topic, minutes, the publicity (公示) of its
decisions and the residents' objections to them.

Votes are cast, never typed in: a physical meeting's present invitees vote
(on their phone, or a worker records the paper ballot of one); matters of
the compound's owners (民法典第278条) are voted by household, with the
household's floor area; an online consultation is voted on the phone
during its window. A secret ballot records who voted (``Ballot`` without a
choice) and adds the choice to ``SecretTally``: no table holds who voted
what.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from shequ.deliberation.models.catalog import MeetingForm, Participant, VoteRule


class MeetingState(models.TextChoices):
    PLANNED = "planned", "筹备中"  # agenda and invitees being prepared
    NOTICED = "noticed", "已公告"  # notice published; the notice period runs
    IN_SESSION = "in_session", "进行中"  # opened: sign-in and votes (online: the window)
    CLOSED = "closed", "已结束"
    CANCELLED = "cancelled", "已取消"


class Meeting(models.Model):
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        "core.Region", verbose_name="社区", on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        "core.Region",
        verbose_name="小区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField("会议编号", max_length=32)  # unique with the district
    form = models.CharField("协商形式", max_length=16, choices=MeetingForm.choices)
    title = models.CharField("会议名称", max_length=60)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间（线上协商截止）", null=True, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    # A room of a 红旗驿站 or facility (its code) once those modules exist.
    room_ref = models.CharField("活动场所编号", max_length=40, blank=True)
    notice_days = models.PositiveSmallIntegerField("公告提前天数")
    notice_text = models.TextField("会议公告", blank=True)
    noticed_at = models.DateTimeField("公告时间", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=MeetingState.choices)
    invited = models.PositiveIntegerField("应到人数", default=0)
    present = models.PositiveIntegerField("实到人数（含委托）", default=0)
    quorum_met = models.BooleanField("达到法定人数", default=False)
    opened_at = models.DateTimeField("开会时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    chair = models.CharField("主持人", max_length=40, blank=True)
    recorder = models.CharField("记录人", max_length=40, blank=True)
    # 会议纪要: [{name, role, summary}] and what was decided, in words.
    speeches = models.JSONField("发言", default=list)
    minutes = models.TextField("会议纪要", blank=True)
    minutes_at = models.DateTimeField("纪要时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "协商会议"
        verbose_name_plural = "协商会议"
        constraints = [
            models.UniqueConstraint(fields=["number", "district"], name="meeting_number"),
        ]
        indexes = [
            models.Index(fields=["community", "status", "starts_at"], name="meeting_queue"),
            models.Index(fields=["district", "starts_at"], name="meeting_district_day"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_online(self) -> bool:
        return self.form == MeetingForm.ONLINE


class Invitee(models.Model):
    """参会人: invited by role; signed in in person or by an authorised proxy."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("身份", max_length=20, choices=Participant.choices)
    name = models.CharField("姓名", max_length=40)
    body = models.CharField("所在单位", max_length=100, blank=True)
    resident = models.ForeignKey(
        "residents.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    proxy_name = models.CharField("委托代理人", max_length=40, blank=True)
    proxy_relation = models.CharField("与本人关系", max_length=20, blank=True)
    proxy_authorisation = models.CharField("授权委托书", max_length=200, blank=True)

    class Meta:
        verbose_name = "参会人"
        verbose_name_plural = "参会人"
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "resident", "district"],
                condition=Q(resident__isnull=False),
                name="invitee_resident_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def present(self) -> bool:
        return self.signed_in_at is not None


class VoteState(models.TextChoices):
    PENDING = "pending", "未表决"
    OPEN = "open", "表决中"
    CLOSED = "closed", "已表决"


class AgendaItem(models.Model):
    """A topic on a meeting's agenda, its vote and, once closed, the result
    the service computed and the decision published for objections."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    topic = models.ForeignKey(
        "deliberation.Topic", on_delete=models.PROTECT, related_name="agenda_items"
    )
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField("序号")
    rule = models.CharField("表决规则", max_length=16, choices=VoteRule.choices)
    secret = models.BooleanField("无记名投票", default=False)
    vote_state = models.CharField(
        "表决状态", max_length=10, choices=VoteState.choices, default=VoteState.PENDING
    )
    opened_at = models.DateTimeField("开始表决", null=True, blank=True)
    closes_at = models.DateTimeField("表决截止", null=True, blank=True)
    closed_at = models.DateTimeField("表决结束", null=True, blank=True)
    # The result, computed by ``deliberation.rules`` when the vote closes.
    eligible = models.PositiveIntegerField("应参与表决", default=0)
    eligible_area = models.DecimalField("总面积", max_digits=12, decimal_places=2, default=0)
    participants = models.PositiveIntegerField("参与表决", default=0)
    participants_area = models.DecimalField(
        "参与表决面积", max_digits=12, decimal_places=2, default=0
    )
    yes = models.PositiveIntegerField("同意", default=0)
    yes_area = models.DecimalField("同意面积", max_digits=12, decimal_places=2, default=0)
    no = models.PositiveIntegerField("反对", default=0)
    no_area = models.DecimalField("反对面积", max_digits=12, decimal_places=2, default=0)
    abstain = models.PositiveIntegerField("弃权", default=0)
    abstain_area = models.DecimalField("弃权面积", max_digits=12, decimal_places=2, default=0)
    passed = models.BooleanField("通过", null=True, blank=True)
    verdict = models.CharField("表决结论", max_length=200, blank=True)
    decision = models.TextField("协商结果", blank=True)
    publicity_until = models.DateField("公示截止", null=True, blank=True)

    class Meta:
        verbose_name = "议程"
        verbose_name_plural = "议程"
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order", "district"], name="agenda_order"),
            models.UniqueConstraint(
                fields=["meeting", "topic", "district"], name="agenda_topic_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["community", "publicity_until"],
                condition=Q(passed=True),
                name="agenda_publicity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.order}"


class Choice(models.TextChoices):
    YES = "yes", "同意"
    NO = "no", "反对"
    ABSTAIN = "abstain", "弃权"


class Ballot(models.Model):
    """One voter's ballot on one agenda item: an invitee (meeting rules), a
    household (owners' rules) or a resident (an online consultation).
    ``choice`` is empty for a secret ballot (its choice is in SecretTally)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="ballots")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    invitee = models.ForeignKey(
        Invitee, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "residents.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        "residents.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded = models.BooleanField("工作人员代录纸质票", default=False)
    choice = models.CharField("表决意见", max_length=8, choices=Choice.choices, blank=True)
    area = models.DecimalField("专有部分面积", max_digits=8, decimal_places=2, default=0)
    at = models.DateTimeField("投票时间")

    class Meta:
        verbose_name = "选票"
        verbose_name_plural = "选票"
        constraints = [
            models.UniqueConstraint(
                fields=["item", "invitee", "district"],
                condition=Q(invitee__isnull=False),
                name="ballot_invitee_once",
            ),
            models.UniqueConstraint(
                fields=["item", "household", "district"],
                condition=Q(household__isnull=False),
                name="ballot_household_once",
            ),
            models.UniqueConstraint(
                fields=["item", "resident", "district"],
                condition=Q(resident__isnull=False),
                name="ballot_resident_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.pk}"


class SecretTally(models.Model):
    """The choices of a secret ballot, counted: no voter on this row."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="secret_tally")
    # The meeting's district (the sharding key).
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    count = models.PositiveIntegerField(default=0)
    area = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = "无记名计票"
        verbose_name_plural = "无记名计票"
        constraints = [
            models.UniqueConstraint(
                fields=["item", "choice", "district"], name="secret_tally_choice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.choice}"


class Objection(models.Model):
    """A resident's objection to a decision under publicity (公示期异议), and
    the community's answer."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="objections")
    district = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(
        "residents.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField("异议内容")
    at = models.DateTimeField("提出时间")
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["item", "id"]
        indexes = [
            models.Index(
                fields=["community"], condition=Q(answered_at__isnull=True), name="objection_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.pk}"
