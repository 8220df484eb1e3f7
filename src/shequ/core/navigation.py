"""The navigation: one entry per capability in DESIGN.md.

A section appears when its app exists (its URL name resolves) and the active
grant holds its permission. New apps add themselves to ``SECTIONS`` here.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from shequ.core.scope import Actor


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    permission: str
    group: str


SECTIONS: list[Section] = [
    Section("居民档案", "residents:list", "resident.view", "基层治理"),
    Section("我的信息", "residents:me", "resident.self", "居民"),
    Section("网上办事", "services:apply_list", "case.apply", "居民"),
    Section("我的申请", "services:my_applications", "case.apply", "居民"),
    Section("我的诉求", "appeals:mine", "appeal.self", "居民"),
    Section("一窗受理", "services:home", "service_item.view", "基层治理"),
    Section("居民诉求", "appeals:list", "appeal.view", "基层治理"),
    Section("吹哨报到", "whistles:list", "whistle.view", "基层治理"),
    Section("结对共建", "whistles:pairing_list", "pairing.view", "共建共享"),
    Section("议事协商", "deliberation:home", "topic.view", "基层治理"),
    Section("红旗驿站", "party:home", "party.view", "党建引领"),
    Section("志愿与社会组织", "civic:home", "civic.view", "共建共享"),
    Section("公益设施", "facilities:list", "facility.view", "共建共享"),
    Section("社区减负", "burden:home", "burden.view", "保障"),
    Section("统计与报告", "reports:home", "report.view", "保障"),
    Section("区划", "core:regions", "region.view", "系统"),
    Section("工作日历", "core:calendar", "calendar.view", "系统"),
    Section("用户账号", "core:users", "user.manage", "系统"),
    Section("角色授权", "core:grants", "grant.manage", "系统"),
    Section("审计记录", "core:audit", "audit.view", "系统"),
    Section("接口令牌", "core:tokens", "api.token", "系统"),
    Section("Open311 接入", "open311:clients", "open311.manage", "系统"),
]


def visible_sections(actor: Actor) -> list[tuple[Section, str]]:
    out = []
    for section in SECTIONS:
        if section.permission not in actor.permissions:
            continue
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue  # the app is not built yet
        out.append((section, url))
    return out
