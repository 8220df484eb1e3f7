"""What the audit pages call deliberation's actions and objects (registered
in ``DeliberationConfig.ready()``). A vote's record never names a secret
ballot's choice."""

from __future__ import annotations

from collections.abc import Mapping

from shequ.core.registry import AuditObjectNames, object_namer
from shequ.deliberation.models import (
    AgendaItem,
    ConsultationItem,
    Meeting,
    Objection,
    Outcome,
    Topic,
)

AUDIT_ACTIONS = {
    "consultation_item.create": "新增协商目录条目",
    "consultation_item.revise": "修订协商目录条目",
    "consultation.adopt": "社区采用协商目录",
    "consultation.import": "导入协商目录",
    "topic.propose": "提出议题",
    "topic.cosign": "附议议题",
    "topic.absorb": "合并相似议题",
    "topic.threshold": "议题附议达到门槛",
    "topic.accept": "审核通过议题",
    "topic.reject": "不予受理议题",
    "topic.merge": "合并议题",
    "topic.hand_over": "议题转为吹哨",
    "topic.schedule": "议题列入会议议程",
    "topic.unschedule": "议题移出会议议程",
    "topic.decide": "议题表决通过",
    "topic.not_pass": "议题表决未通过",
    "meeting.schedule": "筹备协商会议",
    "meeting.invite": "邀请参会人",
    "meeting.notice": "发布会议公告",
    "meeting.open": "开会",
    "meeting.sign_in": "会议签到",
    "meeting.minutes": "填写会议纪要",
    "meeting.close": "散会",
    "meeting.cancel": "取消会议",
    "vote.open": "开始表决",
    "vote.cast": "投票",
    "vote.close": "结束表决",
    "objection.raise": "提出公示异议",
    "objection.answer": "答复公示异议",
    "outcome.create": "形成协商成果",
    "outcome.assign": "明确协商成果责任方",
    "outcome.task_add": "增加成果任务",
    "outcome.progress": "登记成果进展",
    "outcome.shelve": "搁置协商成果",
    "outcome.rate": "居民评价协商成果",
    "outcome.task_overdue": "成果任务超期",
    "outcome.task_whistle": "成果任务吹哨交部门办理",
}

AUDIT_OBJECTS: Mapping[str, AuditObjectNames] = {
    ConsultationItem._meta.label_lower: object_namer(ConsultationItem, "code", "name"),
    Topic._meta.label_lower: object_namer(Topic, "number", "title"),
    Meeting._meta.label_lower: object_namer(Meeting, "number", "title"),
    AgendaItem._meta.label_lower: object_namer(
        AgendaItem, "meeting__number", "order", label=lambda n, o: f"{n} 第{o}项议程"
    ),
    Objection._meta.label_lower: object_namer(
        Objection, "item__meeting__number", label=lambda n: f"{n} 公示异议"
    ),
    Outcome._meta.label_lower: object_namer(Outcome, "title"),
}
