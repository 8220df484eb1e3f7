"""System checks that say plainly what a fresh machine is missing."""

import shutil
import subprocess

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


def cjk_font_present() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [fc_list, ":lang=zh", "family"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.strip())


@register(Tags.compatibility)
def check_cjk_font(app_configs, **kwargs):
    if cjk_font_present():
        return []
    return [
        Warning(
            "本机没有中文字体：生成的 PDF 和截图中的汉字会显示为方框。",
            hint="以 root 运行 `apt-get install fonts-noto-cjk`（make demo / make test 会自动安装）。",
            id="shequ.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_keys(app_configs, **kwargs):
    if settings.SHEQU_KEYS_GENERATED and not settings.DEBUG:
        return [
            Error(
                "生产环境必须通过环境变量设置 SHEQU_SECRET_KEY 和 SHEQU_DATA_KEY，"
                "当前使用的是自动生成在 var/keys.env 中的演示密钥。",
                hint="见 docs/operations.md“密钥”一节。",
                id="shequ.E001",
            )
        ]
    return []
