"""Forms of pairing (结对共建): agreements, commitments, actions, ratings."""

from __future__ import annotations

from django import forms

from shequ.core.forms import CHECK, DATE, SELECT, TEXT
from shequ.whistles.models import (
    ActionKind,
    AgreementState,
    CommitmentKind,
    QuarterScore,
)
from shequ.whistles.pairing.services import NEW_ACTION_KINDS


class AgreementFilterForm(forms.Form):
    q = forms.CharField(
        label="结对方",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs=TEXT | {"placeholder": "单位或部门名称"}),
    )
    community = forms.TypedChoiceField(
        label="社区",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    partner_kind = forms.ChoiceField(
        label="结对方类别",
        required=False,
        choices=[("", "全部"), ("unit", "驻区单位"), ("department", "职能部门")],
        widget=forms.Select(attrs=SELECT),
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *AgreementState.choices],
        widget=forms.Select(attrs=SELECT),
    )
    paper_only = forms.BooleanField(
        label="只看“仅面上”（上一整季度无共建活动）的协议",
        help_text="履行中的协议在上一个完整季度没有登记任何共建活动，即为“仅面上”"
        "（仅满足于面上的工作）；补登活动后，系统下次核定时取消标记。",
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )

    def __init__(self, *args, communities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [
            ("", "全部社区"),
            *((c.pk, c.name) for c in communities),
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"],
            "community_id": data["community"],
            "partner_kind": data["partner_kind"],
            "status": data["status"],
            "paper_only": True if data["paper_only"] else None,
        }


class AgreementForm(forms.Form):
    community = forms.TypedChoiceField(label="社区", coerce=int, widget=forms.Select(attrs=SELECT))
    partner = forms.ChoiceField(label="结对方", widget=forms.Select(attrs=SELECT))
    starts_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs=DATE))
    contact_name = forms.CharField(
        label="对方联系人", max_length=40, widget=forms.TextInput(attrs=TEXT)
    )
    contact_phone = forms.CharField(
        label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    note = forms.CharField(
        label="说明",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs=TEXT | {"rows": 2}),
    )

    def __init__(self, *args, communities=(), units=(), departments=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "请选择…"), *((c.pk, c.name) for c in communities)]
        self.fields["partner"].choices = [
            ("", "请选择…"),
            ("驻区单位", [(f"u{u.pk}", u.name) for u in units]),
            ("职能部门", [(f"d{d.pk}", d.name) for d in departments]),
        ]

    def partner_ids(self) -> tuple[int | None, int | None]:
        """(unit_id, department_id) of the chosen partner."""
        value = self.cleaned_data["partner"]
        return (int(value[1:]), None) if value[0] == "u" else (None, int(value[1:]))


class CommitmentForm(forms.Form):
    kind = forms.ChoiceField(
        label="类别", choices=CommitmentKind.choices, widget=forms.Select(attrs=SELECT)
    )
    quantity = forms.DecimalField(
        label="数量", min_value=0, max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs=TEXT | {"step": "0.01"}),
    )  # fmt: skip
    quantity_unit = forms.CharField(
        label="单位",
        max_length=20,
        required=False,
        help_text="不填则按类别：个、处、人次/月、元…",
        widget=forms.TextInput(attrs=TEXT),
    )
    description = forms.CharField(
        label="内容", max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class ActionForm(forms.Form):
    kind = forms.ChoiceField(
        label="类别", choices=ActionKind.choices, widget=forms.Select(attrs=SELECT)
    )
    commitment = forms.TypedChoiceField(
        label="对应承诺",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )
    what = forms.CharField(label="活动内容", max_length=200, widget=forms.TextInput(attrs=TEXT))
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs=DATE))
    hours = forms.DecimalField(
        label="服务时长（小时）", required=False, max_digits=8, decimal_places=1,
        widget=forms.NumberInput(attrs=TEXT | {"step": "0.5"}),
    )  # fmt: skip
    people = forms.IntegerField(
        label="参与人数", required=False, widget=forms.NumberInput(attrs=TEXT)
    )
    resources = forms.CharField(
        label="实际提供的资源", max_length=300, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    amount = forms.DecimalField(
        label="资金或物资折款（元）", required=False, max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs=TEXT | {"step": "0.01"}),
    )  # fmt: skip

    def __init__(self, *args, commitments=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Every kind passes the form, so a posted 在职党员双报到 reaches the
        # service and gets its refusal that says where it went; the list
        # offers only the kinds a new action may take.
        self.fields["kind"].widget.choices = NEW_ACTION_KINDS
        self.fields["kind"].help_text = "在职党员双报到请到“党建引领 › 双报到”登记服务。"
        self.fields["commitment"].choices = [
            ("", "（不对应具体承诺）"),
            *((c.pk, str(c)) for c in commitments),
        ]

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "commitment_id": data["commitment"],
            "what": data["what"],
            "date": data["date"],
            "hours": data["hours"] if data["hours"] is not None else 0,
            "people": data["people"] if data["people"] is not None else 0,
            "resources": data["resources"],
            "amount": data["amount"],
        }


class RatingForm(forms.Form):
    quarter = forms.CharField(
        label="季度",
        max_length=6,
        widget=forms.TextInput(attrs=TEXT | {"placeholder": "2026Q4"}),
    )
    score = forms.TypedChoiceField(
        label="评价", coerce=int, choices=QuarterScore.choices, widget=forms.Select(attrs=SELECT)
    )
    comment = forms.CharField(
        label="评语", max_length=500, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class EndForm(forms.Form):
    reason = forms.CharField(label="终止原因", max_length=500, widget=forms.TextInput(attrs=TEXT))
