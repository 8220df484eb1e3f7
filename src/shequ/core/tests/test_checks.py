"""System checks that tell a fresh machine what it lacks, in Chinese."""

from shequ.core import checks


def test_missing_fc_list_means_no_cjk_font_and_a_warning(monkeypatch):
    # given a machine without fontconfig at all
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    # then the check warns in Chinese and says how to fix it
    [warning] = checks.check_cjk_font(None)
    assert warning.id == "shequ.W001"
    assert "方框" in warning.msg and "fonts-noto-cjk" in warning.hint


def test_fontconfig_without_chinese_fonts_warns(monkeypatch):
    class Done:
        stdout = ""

    monkeypatch.setattr(checks.shutil, "which", lambda name: "/usr/bin/fc-list")
    monkeypatch.setattr(checks.subprocess, "run", lambda *a, **k: Done())
    assert [w.id for w in checks.check_cjk_font(None)] == ["shequ.W001"]


def test_a_chinese_font_passes(monkeypatch):
    class Done:
        stdout = "Noto Sans CJK SC\n"

    monkeypatch.setattr(checks.shutil, "which", lambda name: "/usr/bin/fc-list")
    monkeypatch.setattr(checks.subprocess, "run", lambda *a, **k: Done())
    assert checks.check_cjk_font(None) == []


def test_generated_keys_are_refused_in_production(settings):
    settings.SHEQU_KEYS_GENERATED = True
    settings.DEBUG = False
    [error] = checks.check_keys(None)
    assert error.id == "shequ.E001" and "SHEQU_DATA_KEY" in error.msg
    settings.SHEQU_KEYS_GENERATED = False
    assert checks.check_keys(None) == []
