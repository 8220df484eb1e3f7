"""Shequ (社区): the community-governance platform of an urban district."""
