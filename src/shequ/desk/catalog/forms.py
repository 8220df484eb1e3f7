"""Forms of the service desk. They parse input; the services decide."""

from __future__ import annotations

from django import forms

from shequ.core.errors import DomainError
from shequ.core.forms import CHECK, SELECT, TEXT, DateInput
from shequ.desk.catalog import services
from shequ.desk.catalog import validation as v
from shequ.desk.models import Category, ItemKind, ServiceItemVersion


class CatalogSearchForm(forms.Form):
    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs=TEXT | {"placeholder": "编码、名称或责任部门"}),
    )
    category = forms.ChoiceField(
        label="类别",
        required=False,
        choices=[("", "全部类别"), *Category.choices],
        widget=forms.Select(attrs=SELECT),
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"q": self.cleaned_data["q"], "category": self.cleaned_data["category"]}


class ItemForm(forms.Form):
    """Create or revise an item; materials and extra fields are edited as lines."""

    code = forms.CharField(label="事项编码", max_length=32, widget=forms.TextInput(attrs=TEXT))
    name = forms.CharField(label="事项名称", max_length=100, widget=forms.TextInput(attrs=TEXT))
    category = forms.ChoiceField(
        label="类别", choices=Category.choices, widget=forms.Select(attrs=SELECT)
    )
    department = forms.CharField(
        label="责任部门", max_length=100, widget=forms.TextInput(attrs=TEXT)
    )
    legal_basis = forms.CharField(
        label="设定依据",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXT | {"rows": 2}),
    )
    materials = forms.CharField(
        label="申请材料",
        max_length=5000,
        help_text="每行一项：名称|原件（或复印件、原件和复印件）|关键（或非关键）|样表说明（可省略）",
        widget=forms.Textarea(attrs=TEXT | {"rows": 5, "placeholder": "户口簿|原件|关键"}),
    )
    legal_days = forms.IntegerField(
        label="法定时限（工作日）", min_value=0, widget=forms.NumberInput(attrs=TEXT)
    )
    promised_days = forms.IntegerField(
        label="承诺时限（工作日）",
        min_value=0,
        help_text="即办件填0",
        widget=forms.NumberInput(attrs=TEXT),
    )
    kind = forms.ChoiceField(
        label="办件类型", choices=ItemKind.choices, widget=forms.Select(attrs=SELECT)
    )
    fee = forms.DecimalField(
        label="收费标准（元）",
        min_value=0,
        max_digits=10,
        decimal_places=2,
        initial=0,
        help_text="0 表示免费",
        widget=forms.NumberInput(attrs=TEXT | {"step": "0.01"}),
    )
    proxy_allowed = forms.BooleanField(
        label="可代办", required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    online_allowed = forms.BooleanField(
        label="可网办", required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    form_fields = forms.CharField(
        label="补充填报项",
        required=False,
        max_length=5000,
        help_text="每行一项：名称|文本（或数字、日期、选项）|必填（或选填）|选项1,选项2",
        widget=forms.Textarea(attrs=TEXT | {"rows": 3}),
    )

    def __init__(self, *args, revising: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if revising:
            del self.fields["code"]

    @classmethod
    def initial_from(cls, version: ServiceItemVersion) -> dict:
        return {
            "name": version.name,
            "category": version.category,
            "department": version.department,
            "legal_basis": version.legal_basis,
            "materials": v.materials_to_lines(version.materials),
            "legal_days": version.legal_days,
            "promised_days": version.promised_days,
            "kind": version.kind,
            "fee": version.fee,
            "proxy_allowed": version.proxy_allowed,
            "online_allowed": version.online_allowed,
            "form_fields": v.form_fields_to_lines(version.form_fields),
        }

    def spec(self) -> services.ItemSpec | None:
        """The checked item, or None with the problem added to the form."""
        data = self.cleaned_data
        try:
            return services.item_spec(
                name=data["name"],
                category=data["category"],
                department=data["department"],
                legal_basis=data["legal_basis"],
                materials=v.materials_from_lines(data["materials"]),
                legal_days=data["legal_days"],
                promised_days=data["promised_days"],
                kind=data["kind"],
                fee=data["fee"],
                proxy_allowed=data["proxy_allowed"],
                online_allowed=data["online_allowed"],
                form_fields=v.form_fields_from_lines(data["form_fields"]),
            )
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
            return None


class ImportForm(forms.Form):
    file = forms.FileField(
        label="事项清单（.xlsx）",
        widget=forms.ClearableFileInput(attrs=TEXT | {"accept": ".xlsx"}),
    )


class WindowForm(forms.Form):
    name = forms.CharField(
        label="窗口名称",
        max_length=40,
        widget=forms.TextInput(attrs=TEXT | {"placeholder": "如：1号综合窗口"}),
    )


class DutyForm(forms.Form):
    date = forms.DateField(label="日期", widget=DateInput(attrs=TEXT))
    worker = forms.TypedChoiceField(
        label="值班人员",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "（取消当日排班）")] + [
            (w.pk, str(w)) for w in workers
        ]


class QualificationForm(forms.Form):
    community = forms.TypedChoiceField(label="社区", coerce=int, widget=forms.Select(attrs=SELECT))
    worker = forms.IntegerField(label="社区工作人员", widget=forms.Select(attrs=SELECT))
    all_categories = forms.BooleanField(
        label="全科（可受理全部类别）", required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    categories = forms.MultipleChoiceField(
        label="可受理类别",
        required=False,
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple(attrs=CHECK),
    )
    granted_at = forms.DateField(label="取得日期", widget=DateInput(attrs=TEXT))
    basis = forms.CharField(
        label="依据",
        max_length=200,
        widget=forms.TextInput(attrs=TEXT | {"placeholder": "如：2026年全科社工培训考核合格"}),
    )

    def __init__(self, *args, communities=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        self.fields["worker"].widget.choices = [
            (w.pk, f"{w}（{community.name}）") for community, w in workers
        ]
