"""`shequ citus-plan`: print the SQL that distributes the tables over a Citus
cluster (core/sharding.py; docs/operations.md, 分库分片（Citus）部署方案)."""

from django.core.management.base import BaseCommand

from shequ.core.sharding import plan_sql


class Command(BaseCommand):
    help = (
        "打印按区分片（Citus）的建表方案 SQL：参照表、分布式表及含区的主键和外键。"
        " Print the Citus distribution plan as SQL (pipe it to psql)."
    )

    def handle(self, *args, **options):
        self.stdout.write(plan_sql(), ending="")
