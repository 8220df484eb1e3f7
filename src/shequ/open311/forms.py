"""The client page's form (the Open311 arguments are read by ``params``)."""

from django import forms

from shequ.open311.services import RATE_MAX


class ClientForm(forms.Form):
    name = forms.CharField(
        label="客户端名称", max_length=60, help_text="例如“12345热线”“微信小程序”"
    )
    rate_per_minute = forms.IntegerField(
        label="每分钟请求上限", min_value=1, max_value=RATE_MAX, initial=60
    )
