"""Forms of the window's case pages: intake, the case actions, the case
search. They parse input; ``services/cases.py`` decides and explains."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from shequ.core.forms import CHECK, SELECT, TEXT, DateInput
from shequ.desk.cases.selectors import CaseFilters
from shequ.desk.cases.services import CASE_ACTIONS, DELIVERY_METHODS
from shequ.desk.models import (
    CaseState,
    Channel,
    Outcome,
    Rating,
    ServiceItem,
    ServiceItemVersion,
    Window,
)

FORM_PREFIX = "form__"
INTAKE_CHANNELS = [(c.value, c.label) for c in (Channel.WINDOW, Channel.PHONE, Channel.PROXY)]
ID_NUMBER_RE = re.compile(r"\d{17}[\dX]")


class IntakeForm(forms.Form):
    """窗口受理. Field order is the tab order: applicant, item, materials,
    extra fields, then window, channel and note (already defaulted)."""

    id_number = forms.CharField(
        label="身份证号",
        max_length=30,
        widget=forms.TextInput(
            attrs=TEXT
            | {
                "autofocus": True,
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "form-control font-monospace",
            }
        ),
    )
    applicant_name = forms.CharField(
        label="申请人姓名",
        max_length=40,
        widget=forms.TextInput(attrs=TEXT | {"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        widget=forms.TextInput(
            attrs=TEXT | {"autocomplete": "off", "inputmode": "tel", "type": "tel"}
        ),
    )
    item = forms.TypedChoiceField(label="办理事项", coerce=int, widget=forms.Select(attrs=SELECT))
    provided = forms.MultipleChoiceField(
        label="已收材料", required=False, widget=forms.CheckboxSelectMultiple(attrs=CHECK)
    )
    supplement_by = forms.DateField(
        label="容缺材料补齐日期",
        required=False,
        widget=DateInput(attrs=TEXT),
    )
    window = forms.TypedChoiceField(
        label="受理窗口",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    channel = forms.ChoiceField(
        label="受理渠道",
        choices=INTAKE_CHANNELS,
        initial=Channel.WINDOW,
        widget=forms.Select(attrs=SELECT),
    )
    note = forms.CharField(
        label="备注",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT | {"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        items: list[ServiceItem] = (),  # type: ignore[assignment]
        windows: list[Window] = (),  # type: ignore[assignment]
        version: ServiceItemVersion | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.items = list(items)
        self.windows = list(windows)
        self.fields["item"].choices = [("", "请选择事项")] + [
            (i.pk, f"{i.code} {i.name}") for i in items
        ]
        self.fields["window"].choices = [("", "（不经窗口）")] + [(w.pk, w.name) for w in windows]
        materials = version.materials if version is not None else []
        self.fields["provided"].choices = [(m["name"], m["name"]) for m in materials]
        for spec in version.form_fields if version is not None else []:
            self.fields[FORM_PREFIX + spec["name"]] = _extra_field(spec)

    @property
    def materials(self) -> list[dict]:
        """The version's materials with ``checked`` from the input, for the checklist."""
        if self.version is None:
            return []
        ticked = set(self["provided"].value() or [])
        return [
            {
                "name": m["name"],
                "original_or_copy": m.get("original_or_copy", ""),
                "key": bool(m.get("key")),
                "checked": m["name"] in ticked,
                "index": n,
            }
            for n, m in enumerate(self.version.materials)
        ]

    @property
    def needs_supplement(self) -> bool:
        """A non-key material is unticked: 容缺 needs a date to supply it."""
        return any(not m["key"] and not m["checked"] for m in self.materials)

    @property
    def extra_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(FORM_PREFIX)]

    def form_data(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            name.removeprefix(FORM_PREFIX): data.get(name) or ""
            for name in self.fields
            if name.startswith(FORM_PREFIX)
        }

    def id_number_value(self) -> str:
        return re.sub(r"\s", "", self.cleaned_data["id_number"]).upper()


def _extra_field(spec: dict) -> forms.Field:
    """An item's extra field; the service checks required, types and options
    (in Chinese), so the form only offers the right input."""
    attrs: dict[str, Any] = dict(TEXT)
    if spec.get("required"):
        attrs["required"] = True
    label = spec["name"] + ("" if spec.get("required") else "（选填）")
    kind = spec.get("type")
    if kind == "choice":
        options = [("", "请选择")] + [(o, o) for o in spec.get("options", [])]
        widget: forms.Widget = forms.Select(attrs=SELECT | attrs, choices=options)
    elif kind == "date":
        widget = DateInput(attrs=attrs)
    elif kind == "number":
        widget = forms.TextInput(attrs=attrs | {"inputmode": "decimal"})
    else:
        widget = forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, required=False, max_length=500, widget=widget)


# -- case actions ------------------------------------------------------------------------


class CaseActForm(forms.Form):
    """One action on a case; which fields matter depends on the action."""

    note = forms.CharField(label="备注", required=False, max_length=2000)
    reason = forms.CharField(label="原因", required=False, max_length=2000)
    outcome = forms.ChoiceField(
        label="办理结果", required=False, choices=[("", "")] + Outcome.choices
    )
    department = forms.CharField(label="转办部门", required=False, max_length=100)
    department_days = forms.CharField(label="部门办理时限（工作日）", required=False, max_length=5)
    supplied = forms.MultipleChoiceField(label="补交材料", required=False)
    in_person = forms.BooleanField(label="申请人到窗口补交", required=False)
    method = forms.ChoiceField(
        label="送达方式", required=False, choices=[("", "")] + list(DELIVERY_METHODS.items())
    )
    visit_reason = forms.CharField(label="到访原因", required=False, max_length=200)

    def __init__(self, *args: Any, materials: list[dict] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["supplied"].choices = [(m["name"], m["name"]) for m in materials]

    def action_data(self, action: str) -> dict[str, Any]:
        """The inputs of ``action``'s service (``CASE_ACTIONS``)."""
        data = self.cleaned_data
        return {name: data.get(name) for name in CASE_ACTIONS[action].fields}

    def first_error(self) -> str:
        for field, errors in self.errors.items():
            label = self.fields[field].label if field in self.fields else ""
            return f"{label}：{errors[0]}" if label else str(errors[0])
        return ""


class RectificationActForm(forms.Form):
    measures = forms.CharField(label="整改措施", required=False, max_length=2000)
    result = forms.CharField(label="回访结果", required=False, max_length=1000)
    satisfied = forms.ChoiceField(
        label="申请人是否满意",
        required=False,
        choices=[("", ""), ("yes", "满意"), ("no", "不满意")],
    )

    def action_data(self, action: str) -> dict[str, Any]:
        data = self.cleaned_data
        if action == "rectify":
            return {"measures": data.get("measures", "")}
        return {"result": data.get("result", ""), "satisfied": data.get("satisfied") or None}

    first_error = CaseActForm.first_error


# -- search ------------------------------------------------------------------------------

STATUS_CHOICES = [("", "全部状态"), ("open", "未办结"), ("done", "已办结"), *CaseState.choices]
LEVEL_CHOICES = [
    ("", "全部"),
    ("overdue", "已超期"),
    ("urgent", "超期预警"),
    ("near", "临期"),
    ("warned", "临期及预警"),
]
_YES_NO = [("", "不限"), ("1", "是"), ("0", "否")]


class CaseFilterForm(forms.Form):
    """The list's filters, all from the query string (statistics drill down
    here). A bad value is reported and left out; the others still apply."""

    q = forms.CharField(
        label="受理编号或申请人",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs=TEXT | {"placeholder": "受理编号或申请人姓名"}),
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=STATUS_CHOICES, widget=forms.Select(attrs=SELECT)
    )
    level = forms.ChoiceField(
        label="预警", required=False, choices=LEVEL_CHOICES, widget=forms.Select(attrs=SELECT)
    )
    community = forms.TypedChoiceField(
        label="社区",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    street = forms.IntegerField(label="街道", required=False, min_value=1)
    item = forms.TypedChoiceField(
        label="事项",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    window = forms.IntegerField(label="窗口", required=False, min_value=0)
    worker = forms.IntegerField(label="受理人", required=False, min_value=0)
    month = forms.RegexField(
        label="受理月份",
        required=False,
        regex=r"^\d{4}-\d{2}$",
        error_messages={"invalid": "月份格式应为 2026-10。"},
        widget=forms.TextInput(attrs=TEXT | {"type": "month"}),
    )
    month_to = forms.RegexField(
        label="受理月份至",
        required=False,
        regex=r"^\d{4}-\d{2}$",
        error_messages={"invalid": "月份格式应为 2026-10。"},
    )
    one_trip = forms.ChoiceField(label="最多跑一趟", required=False, choices=_YES_NO)
    rating = forms.TypedChoiceField(
        label="评价",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "不限"), *[(r.value, r.label) for r in Rating]],
    )
    overdue = forms.ChoiceField(label="超期办结", required=False, choices=_YES_NO)

    # Filters without a control of their own on the page: kept as hidden inputs.
    HIDDEN = ("street", "window", "worker", "month_to", "one_trip", "rating", "overdue")

    def __init__(
        self,
        *args: Any,
        communities: list = (),  # type: ignore[assignment]
        items: list = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "全部社区")] + [
            (c.pk, c.name) for c in communities
        ]
        self.fields["item"].choices = [("", "全部事项")] + [
            (i.pk, f"{i.code} {i.name}") for i in items
        ]

    def filters(self) -> CaseFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        month = self._month(data, "month")
        month_to = self._month(data, "month_to")
        return CaseFilters(
            q=data.get("q") or "",
            status=data.get("status") or "",
            level=data.get("level") or "",
            community_id=data.get("community"),
            street_id=data.get("street"),
            item_id=data.get("item"),
            window_id=data.get("window"),
            worker_id=data.get("worker"),
            month=month,
            month_to=month_to,
            one_trip=_yes_no(data.get("one_trip")),
            rating=data.get("rating"),
            overdue=_yes_no(data.get("overdue")),
        )

    def _month(self, data: dict, name: str) -> dt.date | None:
        if not data.get(name):
            return None
        try:
            return dt.date.fromisoformat(data[name] + "-01")
        except ValueError:
            self.add_error(name, "月份不正确。")
            return None

    def hidden_filters(self) -> list[tuple[str, str, Any]]:
        """(name, label, raw value) of the set filters kept as hidden inputs."""
        data = getattr(self, "cleaned_data", {})
        out = []
        for name in self.HIDDEN:
            value = data.get(name)
            if value not in (None, ""):
                out.append((name, str(self.fields[name].label), self.data.get(name)))
        return out


def _yes_no(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")
