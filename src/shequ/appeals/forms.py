"""Forms of the appeal pages. They parse input; ``services.py`` decides and
explains (length, HTML, contact, place and photo checks live there)."""

from __future__ import annotations

from django import forms

from shequ.appeals.models import AppealCategory, AppealChannel, AppealKind, AppealState
from shequ.appeals.services import DESCRIPTION_MAX, ON_BEHALF_CHANNELS
from shequ.core.forms import CHECK, SELECT, TEXT
from shequ.core.models import Region, RegionLevel


def place_label(region: Region) -> str:
    if region.level == RegionLevel.BUILDING and region.compound is not None:
        return f"{region.compound.name} {region.name}"
    return region.name


class _AppealForm(forms.Form):
    kind = forms.ChoiceField(
        label="类型", choices=AppealKind.choices, widget=forms.Select(attrs=SELECT)
    )
    category = forms.ChoiceField(
        label="类别",
        choices=[("", "请选择")] + AppealCategory.choices,
        widget=forms.Select(attrs=SELECT),
    )
    description = forms.CharField(
        label="诉求内容",
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(
            attrs=TEXT
            | {"rows": 5, "maxlength": DESCRIPTION_MAX, "placeholder": "请写明时间、地点和具体情况"}
        ),
    )
    place = forms.TypedChoiceField(
        label="小区/楼栋", required=False, coerce=int, empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    address = forms.CharField(
        label="具体位置", required=False, max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    anonymous = forms.BooleanField(
        label="匿名反映（工作人员看不到您的姓名）",
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )
    contact_phone = forms.CharField(
        label="联系电话",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs=TEXT | {"type": "tel", "inputmode": "tel"}),
    )
    lat = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    long = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, places: list[Region] = (), **kwargs) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", "不限（填写具体位置）")] + [
            (p.pk, place_label(p)) for p in places
        ]


class AppealNewForm(_AppealForm):
    """The resident's phone page."""


class AppealRegisterForm(_AppealForm):
    """A worker or building head registers an appeal on a resident's behalf."""

    channel = forms.ChoiceField(
        label="渠道",
        choices=[(c.value, c.label) for c in ON_BEHALF_CHANNELS],
        widget=forms.Select(attrs=SELECT),
    )
    contact_name = forms.CharField(
        label="联系人", required=False, max_length=40, widget=forms.TextInput(attrs=TEXT)
    )
    field_order = [
        "channel", "kind", "category", "description", "place", "address",
        "contact_name", "contact_phone", "anonymous",
    ]  # fmt: skip


STATUS_FILTERS = [("", "全部状态"), ("open", "未办结")] + AppealState.choices


class AppealFilterForm(forms.Form):
    q = forms.CharField(
        label="编号或关键词",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs=TEXT | {"placeholder": "诉求编号或内容关键词"}),
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=STATUS_FILTERS, widget=forms.Select(attrs=SELECT)
    )
    category = forms.ChoiceField(
        label="类别",
        required=False,
        choices=[("", "全部类别")] + AppealCategory.choices,
        widget=forms.Select(attrs=SELECT),
    )
    overdue = forms.BooleanField(
        label="分办超期", required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    mine = forms.BooleanField(
        label="我首接负责的", required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )


CHANNEL_LABELS = dict(AppealChannel.choices)
