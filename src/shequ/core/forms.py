"""Core forms. They parse and shape input; the services decide."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from shequ.core import selectors
from shequ.core.models import RegionLevel
from shequ.core.permissions import Role

# Bootstrap 5 classes of every form's widgets, said once.
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}
DATE = {"class": "form-control", "type": "date"}


class DateInput(forms.DateInput):
    """``<input type="date">`` with its value in ISO form (2026-12-02): the
    browser accepts nothing else, while Django would render the locale's
    first input format (zh-hans: 2026/12/02) and the field would show blank."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "账号或密码不正确。",
        "inactive": "该账号已停用。",
        "throttled": "该账号登录失败次数过多，请 {minutes} 分钟后再试。",
        "ip_throttled": "本机登录失败次数过多，请 {minutes} 分钟后再试。",
    }

    def clean(self):
        # Password guessing stops after a few failures, whoever tries, and
        # after a few dozen from one address, whatever the names: the counts
        # come from the audit trail, so they hold across processes.
        minutes = selectors.LOGIN_LOCK_MINUTES
        actor = getattr(self.request, "actor", None)
        ip = actor.ip if actor is not None else None
        if ip and not selectors.login_throttle_ip(ip=ip).allowed:
            raise forms.ValidationError(
                self.error_messages["ip_throttled"].format(minutes=minutes), code="ip_throttled"
            )
        username = self.cleaned_data.get("username")
        if username and not selectors.login_throttle(username=username).allowed:
            raise forms.ValidationError(
                self.error_messages["throttled"].format(minutes=minutes), code="throttled"
            )
        return super().clean()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "账号"
        self.fields["password"].label = "密码"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


_COUNT_ERRORS = {"invalid": "请填写整数。", "min_value": "不能为负数。"}


class RegionForm(StyledForm):
    name = forms.CharField(label="名称", max_length=80, error_messages={"required": "请填写名称。"})
    code = forms.CharField(
        label="区划代码", max_length=24, error_messages={"required": "请填写区划代码。"}
    )
    population_served = forms.IntegerField(
        label="服务人口", required=False, min_value=0, error_messages=_COUNT_ERRORS
    )
    households_served = forms.IntegerField(
        label="服务户数", required=False, min_value=0, error_messages=_COUNT_ERRORS
    )

    def __init__(self, *args, level: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        if level != RegionLevel.COMMUNITY:
            del self.fields["population_served"]
            del self.fields["households_served"]


class RegionMoveForm(StyledForm):
    new_parent = forms.IntegerField(
        label="新上级",
        widget=forms.Select,
        error_messages={"required": "请选择新上级。", "invalid": "请选择新上级。"},
    )
    new_code = forms.CharField(
        label="新区划代码",
        max_length=24,
        required=False,
        help_text="留空则在新上级的代码后沿用本级代码段。",
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].widget.choices = [("", "请选择…")] + [
            (t.pk, f"{t.parent.name + ' ' if t.parent else ''}{t.name}（{t.code}）")
            for t in targets
        ]


class UserCreateForm(StyledForm):
    username = forms.CharField(
        label="账号名", max_length=150, error_messages={"required": "请填写账号名。"}
    )
    full_name = forms.CharField(
        label="姓名", max_length=40, error_messages={"required": "请填写姓名。"}
    )
    password = forms.CharField(
        label="初始密码",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "请填写初始密码。"},
    )
    password2 = forms.CharField(
        label="再次输入密码",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "请再次输入密码。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="off", autocapitalize="none")
        for name in ("password", "password2"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"

    def clean(self):
        data = super().clean()
        if (
            data.get("password")
            and data.get("password2") is not None
            and (data["password"] != data["password2"])
        ):
            self.add_error("password2", "两次输入的密码不一致。")
        return data


class GrantForm(StyledForm):
    username = forms.CharField(
        label="账号名", max_length=150, error_messages={"required": "请填写账号名。"}
    )
    role = forms.ChoiceField(
        label="角色",
        choices=[("", "请选择…"), *Role.choices],
        error_messages={"required": "请选择角色。", "invalid_choice": "请选择有效的角色。"},
    )
    region_code = forms.CharField(
        label="区划代码",
        max_length=24,
        help_text="区、街道、社区或楼栋的区划代码。",
        error_messages={"required": "请填写区划代码。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        self.fields["username"].widget.attrs.update(autocomplete="off", autocapitalize="none")


class TokenForm(StyledForm):
    name = forms.CharField(
        label="令牌名称",
        max_length=60,
        help_text="写明使用它的系统，例如“12345 热线对接”。",
        error_messages={"required": "请填写令牌名称。"},
    )


class AnnouncementForm(StyledForm):
    """通知公告: the scope is one of the publisher's own regions (the service
    checks it again: a hand-made POST to another scope is refused)."""

    # An integer, not a choice: a scope outside the list reaches the service,
    # which refuses it (403, audited) rather than the form.
    region_id = forms.IntegerField(
        label="发送范围",
        error_messages={"required": "请选择发送范围。", "invalid": "请选择发送范围。"},
    )
    title = forms.CharField(label="标题", max_length=100)
    body = forms.CharField(label="正文", max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    important = forms.BooleanField(
        label="重要（置顶显示）", required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(r.pk, f"{r.name}（{r.level_label}）") for r in regions]
        self.fields["region_id"].widget = forms.Select(
            choices=choices, attrs={"class": "form-select"}
        )
