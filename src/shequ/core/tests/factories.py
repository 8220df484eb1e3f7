"""Factories shared by every app's tests: a small district, users with grants."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from shequ.core.models import Grant, Region, RegionLevel, User
from shequ.core.permissions import Role
from shequ.core.scope import Actor

PASSWORD = "Test-pass-2026"


def make_region(
    *, name: str, code: str, level: RegionLevel, parent: Region | None = None, **extra
) -> Region:
    """Create a region with its ancestor columns filled as the services do."""
    region = Region(name=name, code=code, level=level, parent=parent, **extra)
    for field in ("district", "street", "community", "compound", "building"):
        setattr(region, field, getattr(parent, field) if parent else None)
    region.save()
    own = region.ancestor_field
    if own:
        setattr(region, own, region)
        region.save(update_fields=[own])
    return region


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password(PASSWORD)


def grant(user: User, role: Role, region: Region) -> Grant:
    return Grant.objects.create(user=user, role=role, region=region)


def user_with(role: Role, region: Region, username: str | None = None) -> User:
    user = UserFactory(username=username) if username else UserFactory()
    grant(user, role, region)
    return user


def actor_for(user: User) -> Actor:
    return Actor.for_user(user, ip="127.0.0.1")
