import pytest


@pytest.fixture(autouse=True)
def _deliberation_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DELIBERATION_COSIGN_RESIDENTS = 2
