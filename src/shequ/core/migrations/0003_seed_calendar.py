"""Seed the working-day calendar from the ``chinese-calendar`` package.

Every year the installed package knows becomes a known ``CalendarYear``.
``chinese_calendar.holidays`` lists the days off of each holiday block
(weekend days inside a block included, stored as ``off`` too) and
``chinese_calendar.workdays`` the make-up working days (调休上班).
Later years are imported on the calendar page from the State Council notice.
"""

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
SOURCE = "chinese-calendar {version}（国务院办公厅节假日安排）"


def seed(apps, schema_editor):
    import chinese_calendar

    Holiday = apps.get_model("core", "Holiday")
    CalendarYear = apps.get_model("core", "CalendarYear")
    version = getattr(chinese_calendar, "__version__", "")
    rows = {}
    for day, name in chinese_calendar.holidays.items():
        rows[day] = Holiday(date=day, kind="off", name=NAMES.get(name, name or ""))
    for day, name in chinese_calendar.workdays.items():
        rows[day] = Holiday(date=day, kind="on", name=NAMES.get(name, name or ""))
    years = sorted({day.year for day in rows})
    known = set(CalendarYear.objects.values_list("year", flat=True))
    Holiday.objects.filter(date__year__in=[y for y in years if y not in known]).delete()
    Holiday.objects.bulk_create(
        [h for day, h in sorted(rows.items()) if day.year not in known], batch_size=500
    )
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source=SOURCE.format(version=version)) for y in years
         if y not in known]
    )


def unseed(apps, schema_editor):
    Holiday = apps.get_model("core", "Holiday")
    CalendarYear = apps.get_model("core", "CalendarYear")
    years = list(
        CalendarYear.objects.filter(source__startswith="chinese-calendar").values_list(
            "year", flat=True
        )
    )
    Holiday.objects.filter(date__year__in=years).delete()
    CalendarYear.objects.filter(year__in=years).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_audit_append_only"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
