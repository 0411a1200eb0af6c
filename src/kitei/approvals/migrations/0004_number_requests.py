"""Number the requests filed before numbering, per organisation and fiscal year, in order of
filing (R8-0001 …), and leave each year's counter at the last number given."""

from datetime import date

from django.db import migrations
from django.utils import timezone


def _fiscal_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _display(year: int, number: int) -> str:
    # As kitei.core.numbering.display, frozen here: 2019-04-01 onwards is 令和 (R1 = 2019).
    era = f"R{year - 2018}" if year >= 2019 else f"H{year - 1988}"
    return f"{era}-{number:04d}"


def number_requests(apps, schema_editor):
    request_model = apps.get_model("approvals", "Request")
    counter_model = apps.get_model("core", "NumberCounter")
    last: dict[tuple[int, int], int] = {}
    rows = request_model.objects.order_by("created_at", "pk").values_list(
        "pk", "organization_id", "created_at"
    )
    for pk, organization, created in rows.iterator(chunk_size=2000):
        year = _fiscal_year(timezone.localtime(created).date())
        number = last.get((organization, year), 0) + 1
        last[organization, year] = number
        request_model.objects.filter(pk=pk).update(number=_display(year, number))
    for (organization, year), number in last.items():
        counter_model.objects.update_or_create(
            organization_id=organization, kind="request", fiscal_year=year,
            defaults={"last": number},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0003_request_number_take_out"),
    ]

    operations = [
        migrations.RunPython(number_requests, migrations.RunPython.noop, elidable=False),
    ]
