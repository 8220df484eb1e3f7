"""Idempotency keys of API writes: a client that retries a create with the
same ``Idempotency-Key`` gets the first answer back instead of a second row."""

from django.db import models


class IdempotencyKey(models.Model):
    # Who sent it: "user:<id>" for a session or token, "client:<id>" for an
    # API client (Open311); keys of different callers never collide.
    caller = models.CharField(max_length=64)
    scope = models.CharField("接口", max_length=64)  # "services.case_create"
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)  # SM3 of the canonical request body
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "幂等键"
        verbose_name_plural = "幂等键"
        constraints = [
            models.UniqueConstraint(fields=["caller", "scope", "key"], name="idempotency_key_once"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
