"""Forms parse input only; the services validate the register's rules."""

from __future__ import annotations

from django import forms

from shequ.core.scope import Actor
from shequ.residents import selectors
from shequ.residents.models import LeaveReason, Relation, Resident


def _unit_label(unit) -> str:
    return f"{unit.compound.name} {unit.building.name} {unit.name}"


def _style(form: forms.Form) -> None:
    for f in form.fields.values():
        widget = f.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label="查找",
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "placeholder": "姓名，或完整身份证号、手机号",
                "type": "search",
                "autocomplete": "off",
            }
        ),
    )
    building = forms.TypedChoiceField(label="楼栋", required=False, coerce=int, empty_value=None)
    tag = forms.ChoiceField(label="标签", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=selectors.STATUS_CHOICES)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [("", "全部楼栋")] + [
            (b.pk, f"{b.compound.name} {b.name}") for b in selectors.building_choices(actor=actor)
        ]
        self.fields["tag"].choices = [("", "全部标签")] + selectors.tag_filter_choices(actor)
        _style(self)

    def filters(self) -> dict:
        """The valid filters; an invalid one (e.g. a building out of scope) is dropped
        and its error shown on the form."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "building": data.get("building"),
            "tag": data.get("tag") or None,
            "status": data.get("status") or "",
        }


class _UnitFormMixin:
    def _unit_field(self, actor: Actor) -> None:
        self.fields["unit"].choices = [("", "请选择单元")] + [
            (u.pk, _unit_label(u)) for u in selectors.unit_choices(actor=actor)
        ]


class ResidentCreateForm(_UnitFormMixin, forms.Form):
    unit = forms.TypedChoiceField(label="单元", coerce=int)
    room = forms.CharField(label="门牌号", max_length=20, help_text="该门牌尚无住户时将新建一户。")
    name = forms.CharField(label="姓名", max_length=40)
    id_number = forms.CharField(
        label="身份证号",
        max_length=18,
        min_length=15,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text="性别和出生日期将由身份证号自动得出。",
    )
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    relation = forms.ChoiceField(label="与户主关系", choices=Relation.choices)
    tags = forms.MultipleChoiceField(
        label="标签", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._unit_field(actor)
        self.fields["tags"].choices = selectors.visible_tags(actor)
        _style(self)


class ResidentEditForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=40)
    id_number = forms.CharField(
        label="新身份证号",
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="留空则不修改。",
    )
    phone = forms.CharField(
        label="新手机号",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        help_text="留空则不修改。",
    )
    clear_phone = forms.BooleanField(label="清除已登记的手机号", required=False)
    relation = forms.ChoiceField(label="与户主关系", choices=Relation.choices)
    tags = forms.MultipleChoiceField(
        label="标签", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = selectors.visible_tags(actor)
        _style(self)

    def changes(self) -> dict:
        data = self.cleaned_data
        phone = "" if data["clear_phone"] else (data["phone"] or None)
        return {
            "name": data["name"],
            "id_number": data["id_number"] or None,
            "phone": phone,
            "relation": data["relation"],
            "tags": data["tags"],
        }


class HouseholdMoveForm(_UnitFormMixin, forms.Form):
    unit = forms.TypedChoiceField(label="迁入单元", coerce=int)
    room = forms.CharField(label="迁入门牌号", max_length=20)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._unit_field(actor)
        _style(self)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class LeaveForm(forms.Form):
    left_at = forms.DateField(label="迁出日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(label="迁出原因", choices=LeaveReason.choices)
    note = forms.CharField(
        label="说明",
        max_length=200,
        required=False,
        help_text="如迁往何处；原因为“其他”时必填。",
    )
    new_head = forms.TypedChoiceField(
        label="新户主",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="户主迁出而本户还有其他成员时，可指定一位成员改为户主。",
    )

    def __init__(self, *args, resident: Resident, **kwargs):
        super().__init__(*args, **kwargs)
        successors = list(selectors.head_successors(resident=resident))
        if successors:
            self.fields["new_head"].choices = [("", "暂不指定")] + [
                (m.pk, f"{m.name}（{m.get_relation_display()}）") for m in successors
            ]
        else:
            del self.fields["new_head"]
        _style(self)
