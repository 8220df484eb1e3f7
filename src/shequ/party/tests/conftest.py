import pytest

from shequ.core.models import User


@pytest.fixture(autouse=True)
def _party_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(people):
    """The shared accounts, with names no member of a test can have: the
    factory's random Chinese full names appear in every page's header, and
    the tests assert that members' names do not appear where they must not."""
    for user in vars(people).values():
        if isinstance(user, User):
            user.full_name = f"账号{user.username}"
            user.save(update_fields=["full_name"])
    return people
