"""Departments, people and who holds which role of the pack."""

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """People register of each organisation."""

    name = "kitei.people"
    label = "people"
    verbose_name = "people"
