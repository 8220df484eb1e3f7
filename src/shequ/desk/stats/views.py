"""Pages of the service desk: statistics (see views/__init__.py).

Every figure comes from the ``CaseStat`` rollup in the actor's scope and
links to the case list with the same keys it was counted by, so the number
on the link is the number of rows behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from shequ.core.http import requires
from shequ.desk.catalog import selectors
from shequ.desk.models import Rating
from shequ.desk.stats.selectors import CaseFigures, case_figures, case_figures_by, key_labels

# ?by= → (the rollup key of case_figures_by, the case list's filter, the column title)
GROUPS: dict[str, tuple[str, str, str]] = {
    "month": ("month", "month", "受理月份"),
    "street": ("street", "street", "街道"),
    "community": ("community", "community", "社区"),
    "item": ("item", "item", "事项"),
    "window": ("window_id_key", "window", "窗口"),
    "worker": ("worker_id_key", "worker", "受理人"),
}
GROUP_CHOICES = [(k, f"按{v[2]}") for k, v in GROUPS.items()]

_MONTH = {
    "regex": r"^\d{4}-(0[1-9]|1[0-2])$",
    "required": False,
    "error_messages": {"invalid": "月份格式应为 2026-10。"},
}


class StatsFilterForm(forms.Form):
    start = forms.RegexField(
        label="起始月份", widget=forms.TextInput(attrs={"type": "month"}), **_MONTH
    )
    end = forms.RegexField(
        label="截止月份", widget=forms.TextInput(attrs={"type": "month"}), **_MONTH
    )
    by = forms.ChoiceField(label="分组", required=False, choices=GROUP_CHOICES)

    def __init__(self, data, *args, **kwargs) -> None:
        # "from" is a Python keyword: the query string's from/to map to start/end.
        data = {"start": data.get("from", ""), "end": data.get("to", ""), "by": data.get("by", "")}
        super().__init__(data, *args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
        self.fields["by"].widget.attrs["class"] = "form-select form-select-sm"

    def clean(self):
        data = super().clean()
        start, end = _first(data.get("start")), _first(data.get("end"))
        if start and end and start > end:
            self.add_error("end", "截止月份不能早于起始月份。")
        return data

    def choices(self) -> tuple[dt.date | None, dt.date | None, str]:
        """(first month, last month, grouping); a bad value is reported on the
        form and left out, the others still apply."""
        self.is_valid()
        data = self.cleaned_data
        return _first(data.get("start")), _first(data.get("end")), data.get("by") or "month"


def _first(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(f"{text}-01") if text else None


def _ym(day: dt.date) -> str:
    return f"{day:%Y-%m}"


# -- drill-down --------------------------------------------------------------------------

# figure → the case list's filters that select exactly the cases it counts
FIGURE_FILTERS: dict[str, dict[str, str]] = {
    "accepted": {},
    "completed": {"status": "done"},
    "on_time": {"overdue": "0"},
    "overdue": {"overdue": "1"},
    "one_trip": {"one_trip": "1"},
    **{f"rating_{n}": {"rating": str(n)} for n in (5, 4, 3, 2, 1)},
}


@dataclass
class Cell:
    value: int
    url: str = ""


class Drill:
    """Builds case-list URLs for figures; empty when the actor cannot open it."""

    def __init__(self, *, allowed: bool, start: dt.date | None, end: dt.date) -> None:
        self.base = reverse("services:case_list") if allowed else ""
        # Every accepted case lies in a month up to today's: without a chosen
        # end, the range still leaves out applications nobody accepted yet.
        self.span: dict[str, str] = {"month_to": _ym(end)}
        if start is not None:
            self.span["month"] = _ym(start)

    def url(self, figure: str, keys: dict[str, str] | None = None) -> str:
        if not self.base:
            return ""
        keys = keys or {}
        span = {} if "month" in keys else self.span
        return f"{self.base}?{urlencode(span | keys | FIGURE_FILTERS[figure])}"

    def cells(self, figures: CaseFigures, keys: dict[str, str] | None = None) -> dict[str, Cell]:
        values = {
            "accepted": figures.accepted,
            "completed": figures.completed,
            "on_time": figures.on_time,
            "overdue": figures.overdue,
            "one_trip": figures.one_trip,
            **{f"rating_{n}": figures.ratings.get(n, 0) for n in (5, 4, 3, 2, 1)},
        }
        return {
            name: Cell(value, self.url(name, keys) if value else "")
            for name, value in values.items()
        }


# The table's count columns, as its headings name them: 受理 办结 按时 超期 一趟办结.
COUNT_COLUMNS = ("accepted", "completed", "on_time", "overdue", "one_trip")


def _key_param(group: str, key: object) -> str:
    return _ym(key) if isinstance(key, dt.date) else str(key)


# -- the report sentence -------------------------------------------------------------------


def _about(n: int) -> str:
    """清单“60多项”: tens and more, unless the count is round."""
    return f"{n // 10 * 10}多" if n >= 10 and n % 10 else str(n)


def report_sentence(summary, figures: CaseFigures) -> str:
    if summary.windows_min == summary.windows_max:
        windows = f"{summary.windows_max}个"
    else:
        windows = f"{summary.windows_min}到{summary.windows_max}个"
    return (
        f"共梳理社区公共服务事项清单{_about(summary.items)}项，"
        f"培训全科社区工作人员{summary.generalists}名，"
        f"每个试点社区都设置了{windows}社区综合服务窗口……"
        f"共处理办结群众服务事项{figures.completed}项"
    )


def _ratings(figures: CaseFigures, cells: dict[str, Cell]) -> list[dict]:
    """The satisfaction distribution: each level with its count, link and share."""
    return [
        {
            "level": int(r.value),
            "label": r.label,
            "cell": cells[f"rating_{r.value}"],
            "share": _percent(figures.ratings.get(int(r.value), 0) / figures.rated)
            if figures.rated
            else "—",
        }
        for r in Rating
    ]


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


# -- the page -----------------------------------------------------------------------------


@requires("stats.view")
def stats(request: HttpRequest) -> HttpResponse:
    """一窗受理统计: the actor's scope, a month range, one table by a key."""
    actor = request.actor
    form = StatsFilterForm(request.GET)
    start, end, group = form.choices()
    rollup_key, list_param, column = GROUPS[group]
    period = {"month_from": start, "month_to": end}
    figures = case_figures(actor=actor, **period)
    rows = case_figures_by(actor=actor, key=rollup_key, **period)
    labels = key_labels(actor=actor, key=rollup_key, ids=[k for k, _ in rows])
    summary = selectors.desk_summary(actor=actor)
    desks = list(selectors.desk_counts(actor=actor))
    adopted = [getattr(c, "adopted", 0) for c in desks]
    drill = Drill(allowed=actor.can("case.view"), start=start, end=end or selectors.local_today())
    table = []
    for key, f in rows:
        cells = drill.cells(f, {list_param: _key_param(group, key)})
        table.append(
            {
                "label": labels.get(key, str(key)),
                "figures": f,
                "cells": cells,
                # The columns in the order of the table's headings.
                "count_cells": [cells[name] for name in COUNT_COLUMNS],
                "rating_cells": [cells[f"rating_{r.value}"] for r in Rating],
                "one_trip_rate": _percent(f.one_trip_rate),
                "satisfaction_rate": _percent(f.satisfaction_rate),
            }
        )
    chart = {
        "labels": [row["label"] for row in table],
        "accepted": [row["figures"].accepted for row in table],
        "completed": [row["figures"].completed for row in table],
    }
    return render(
        request,
        "services/stats/stats.html",
        {
            "form": form,
            "group": group,
            "column": column,
            "groups": GROUP_CHOICES,
            "figures": figures,
            "cells": drill.cells(figures),
            "ratings": _ratings(figures, drill.cells(figures)),
            "desks": desks,
            "adopted": (min(adopted, default=0), max(adopted, default=0)),
            "one_trip_rate": _percent(figures.one_trip_rate),
            "on_time_rate": _percent(figures.on_time_rate),
            "satisfaction_rate": _percent(figures.satisfaction_rate),
            "summary": summary,
            "sentence": report_sentence(summary, figures),
            "table": table,
            "chart": chart,
            "query": {"from": _ym(start) if start else "", "to": _ym(end) if end else ""},
        },
    )
