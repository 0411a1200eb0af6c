"""Number the entries written before numbering, within their book, per organisation and
fiscal year, in order of recording (R8-0001 …), and leave each counter at its last number."""

from datetime import date

from django.db import migrations
from django.utils import timezone


def _fiscal_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _display(year: int, number: int) -> str:
    # As kitei.core.numbering.display, frozen here: 2019-04-01 onwards is 令和 (R1 = 2019).
    era = f"R{year - 2018}" if year >= 2019 else f"H{year - 1988}"
    return f"{era}-{number:04d}"


def number_entries(apps, schema_editor):
    # Entries are append-only for the application (RecordEntry.save refuses an update); the
    # historical model and a queryset update are how a migration fills the new column once.
    entry_model = apps.get_model("records", "RecordEntry")
    counter_model = apps.get_model("core", "NumberCounter")
    last: dict[tuple[int, str, int], int] = {}
    rows = entry_model.objects.order_by("recorded_at", "pk").values_list(
        "pk", "organization_id", "book", "recorded_at"
    )
    for pk, organization, book, recorded in rows.iterator(chunk_size=2000):
        year = _fiscal_year(timezone.localtime(recorded).date())
        number = last.get((organization, book, year), 0) + 1
        last[organization, book, year] = number
        entry_model.objects.filter(pk=pk).update(number=_display(year, number))
    for (organization, book, year), number in last.items():
        counter_model.objects.update_or_create(
            organization_id=organization, kind=f"records:{book}", fiscal_year=year,
            defaults={"last": number},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0003_entry_number"),
    ]

    operations = [
        migrations.RunPython(number_entries, migrations.RunPython.noop, elidable=False),
    ]
