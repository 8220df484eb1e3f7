"""`shequ permissions`: print the role table (docs/permissions.md) from every
app's registered permission codes."""

from django.core.management.base import BaseCommand

from shequ.core.permissions import permission_table_markdown


class Command(BaseCommand):
    help = "打印角色与权限表（docs/permissions.md）。 Print the role/permission table."

    def handle(self, *args, **options):
        self.stdout.write(permission_table_markdown(), ending="")
