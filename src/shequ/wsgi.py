import os

from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
application = get_wsgi_application()

# Import every view, form and API schema now (the URL conf), not on the first
# request a worker serves: that import is ~1.5 s, and with gunicorn's
# --preload (scripts/serve.sh) it is paid once in the master before the
# workers fork. No connection may cross the fork.
get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect
connections.close_all()
