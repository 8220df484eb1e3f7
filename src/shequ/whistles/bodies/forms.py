"""Forms of departments, stationed units and liaisons."""

from __future__ import annotations

from django import forms

from shequ.core.forms import CHECK, SELECT, TEXT
from shequ.whistles.models import (
    DepartmentKind,
    UnitKind,
)


class DepartmentForm(forms.Form):
    name = forms.CharField(label="部门名称", max_length=80, widget=forms.TextInput(attrs=TEXT))
    kind = forms.ChoiceField(
        label="类别", choices=DepartmentKind.choices, widget=forms.Select(attrs=SELECT)
    )
    head_name = forms.CharField(
        label="负责人", max_length=40, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        help_text="手机号或带区号的固定电话；保存后只显示前三位和后四位。",
        widget=forms.TextInput(attrs=TEXT),
    )
    active = forms.BooleanField(
        label="启用", required=False, initial=True, widget=forms.CheckboxInput(attrs=CHECK)
    )


class UnitForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=80, widget=forms.TextInput(attrs=TEXT))
    kind = forms.ChoiceField(
        label="类别", choices=UnitKind.choices, widget=forms.Select(attrs=SELECT)
    )
    address = forms.CharField(
        label="地址", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    contact = forms.CharField(
        label="联系人", max_length=40, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    active = forms.BooleanField(
        label="启用", required=False, initial=True, widget=forms.CheckboxInput(attrs=CHECK)
    )


class LiaisonForm(forms.Form):
    username = forms.CharField(
        label="账号名",
        max_length=150,
        help_text="由系统管理员开设的账号。",
        widget=forms.TextInput(attrs=TEXT),
    )
    body = forms.ChoiceField(label="联络的部门或单位", widget=forms.Select(attrs=SELECT))

    def __init__(self, *args, departments=(), units=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [
            ("", "请选择…"),
            ("职能部门", [(f"d{d.pk}", d.name) for d in departments]),
            ("驻区单位", [(f"u{u.pk}", u.name) for u in units]),
        ]

    def body_ids(self) -> tuple[int | None, int | None]:
        """(department_id, unit_id) of the chosen body."""
        value = self.cleaned_data["body"]
        return (int(value[1:]), None) if value[0] == "d" else (None, int(value[1:]))
