"""Classification helpers on a pack: resolve, compare, label, and derive 取扱制限.

An asset's classification is a mapping axis id → level id. These functions answer what
the register shows: the handling restrictions the pack derives from the classification
(002 3(1)), the label text to stamp on the file or medium (002 3(2)イ), and the class of
a medium holding several assets (the highest on each axis, 002 3(2)オ(ウ)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kitei.policy.model import Pack, Principle, Restriction

Classification = Mapping[str, str]


class ClassificationError(ValueError):
    """An unknown axis or level, or a missing axis, named in Japanese for the user."""


@dataclass(frozen=True, kw_only=True)
class AppliedRestriction:
    """A restriction that applies to a classification, with the axis it comes from."""

    axis: str
    axis_title: str
    restriction: Restriction


def _axis_table(pack: Pack) -> dict[str, tuple[str, dict[str, int], list[str]]]:
    table = {}
    for axis in pack.classification.axes:
        ranks: dict[str, int] = {}
        for rank, level in enumerate(axis.levels):
            for name in (level.id, level.title, *level.aliases):
                ranks[name] = rank
                ranks[name.replace(" ", "")] = rank
        table[axis.id] = (axis.title, ranks, [lv.id for lv in axis.levels])
    return table


def normalise(pack: Pack, raw: Mapping[str, object], *, complete: bool = True) -> dict[str, str]:
    """Axis and level names (ids, titles or aliases) → {axis id: level id}.

    With `complete`, every axis of the pack must be given.
    """
    names = {n: a.id for a in pack.classification.axes for n in (a.id, a.title, *a.aliases)}
    table = _axis_table(pack)
    result: dict[str, str] = {}
    for axis_name, level_name in raw.items():
        axis = names.get(str(axis_name))
        if axis is None:
            raise ClassificationError(f"分類「{axis_name}」はこの組織のポリシーにありません。")
        title, ranks, ids = table[axis]
        rank = ranks.get(str(level_name).strip().replace(" ", ""))
        if rank is None:
            raise ClassificationError(
                f"{title}の区分「{level_name}」はありません（{'・'.join(ids)}）。"
            )
        result[axis] = ids[rank]
    if complete:
        missing = [table[a][0] for a in table if a not in result]
        if missing:
            raise ClassificationError(f"{'・'.join(missing)}の分類がありません。")
    return result


def rank(pack: Pack, axis: str, level: str) -> int:
    """The position of a level on its axis (0 = lowest)."""
    return _axis_table(pack)[axis][2].index(level)


def highest(pack: Pack, classifications: Iterable[Classification]) -> dict[str, str]:
    """The highest level on each axis among several classifications (mixed media)."""
    table = _axis_table(pack)
    result: dict[str, str] = {}
    for classification in classifications:
        for axis, level in classification.items():
            ids = table[axis][2]
            if axis not in result or ids.index(level) > ids.index(result[axis]):
                result[axis] = level
    return result


def restrictions(pack: Pack, classification: Classification) -> list[AppliedRestriction]:
    """Every 取扱制限 of the pack that applies to the classification, axis by axis."""
    applied = []
    for axis in pack.classification.axes:
        level = classification.get(axis.id)
        if level is None:
            continue
        ids = [lv.id for lv in axis.levels]
        at = ids.index(level)
        for r in axis.restrictions:
            top = ids.index(r.max) if r.max is not None else len(ids) - 1
            if ids.index(r.min) <= at <= top:
                applied.append(
                    AppliedRestriction(axis=axis.id, axis_title=axis.title, restriction=r)
                )
    return applied


def label_principle(pack: Pack) -> Principle | None:
    """The pack's labelling principle, if it has one."""
    return next((p for p in pack.classification.principles if p.kind == "label_required"), None)


def label(pack: Pack, classification: Classification) -> str | None:
    """The label to stamp, e.g. 「機密性3B・完全性2・可用性1」; None when none is needed.

    None also when the pack has no labelling principle (the seed does not require one).
    """
    principle = label_principle(pack)
    if principle is None or not classification:
        return None
    axes = [a for a in pack.classification.axes if a.id in classification]
    lowest = all(classification[a.id] == a.levels[0].id for a in axes)
    if lowest and principle.label_exempt_when_all_lowest:
        return None
    parts = []
    for axis in axes:
        level = next(lv for lv in axis.levels if lv.id == classification[axis.id])
        parts.append(level.title.replace(" ", ""))
    return "・".join(parts)
