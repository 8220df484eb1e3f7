"""The working-day calendar: 法定节假日 and 调休 make-up working days."""

from django.db import models


class HolidayKind(models.TextChoices):
    OFF = "off", "放假"  # a weekday (or weekend day) off for a statutory holiday
    ON = "on", "调休上班"  # a weekend day worked to make up for a holiday


class Holiday(models.Model):
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=3, choices=HolidayKind.choices)
    name = models.CharField("节日", max_length=40, blank=True)

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose holiday plan is known. Years without a row count
    weekends only and every deadline in them is marked uncertain."""

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    source = models.CharField("依据", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "已知年度"
        verbose_name_plural = "已知年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
