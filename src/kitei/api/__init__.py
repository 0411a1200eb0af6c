"""The JSON API (django-ninja): the registers over `Authorization: Bearer` tokens."""
