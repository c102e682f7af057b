"""The charts of /stats/: numbers for `templates/portal/includes/bar_chart.html`, never markup.

Each chart is a horizontal bar chart in an SVG of fixed viewBox (it scales to its container);
each bar's width is its own value over the largest value of the same chart, times BAR_AREA.
Labels are plain text (sector names and call titles are user data: the template escapes them).
"""

from django.utils.translation import gettext as _

from core.text import group_thousands, shorten, vnd

VIEW_WIDTH = 400  # user units of the viewBox
BAR_AREA = 250  # the width of the largest bar; the value's label goes to its right
ROW_HEIGHT = 40
BAR_HEIGHT = 14
LABEL_CHARS = 56  # a longer label is shortened in the picture (the table has it whole)


def bar_chart(chart_id, title, rows, *, columns, unit=vnd):
    """`rows`: dicts with `label` (text), `value` (a number ≥ 0) and `cells` (the table's other
    cells, already text). Returns the context of bar_chart.html."""
    largest = max((row["value"] for row in rows), default=0)
    bars = []
    for index, row in enumerate(rows):
        top = index * ROW_HEIGHT
        width = round(BAR_AREA * row["value"] / largest, 2) if largest else 0
        bars.append(
            {
                "label": shorten(row["label"], LABEL_CHARS),
                "value_text": unit(row["value"]),
                "width": width,
                "label_y": top + 14,
                "y": top + 20,
                "value_x": round(width + 6, 2),
                "value_y": top + 31,
            }
        )
    top_row = max(rows, key=lambda row: row["value"], default=None)
    desc = (
        _("Horizontal bar chart with %(count)s bars. Largest: %(label)s, %(value)s.")
        % {"count": len(rows), "label": top_row["label"], "value": unit(top_row["value"])}
        if top_row
        else ""
    )
    return {
        "id": chart_id,
        "title": title,
        "desc": desc,
        "bars": bars,
        "width": VIEW_WIDTH,
        "height": len(rows) * ROW_HEIGHT + 8,
        "bar_height": BAR_HEIGHT,
        "columns": columns,
        "table": [[row["label"], *row["cells"]] for row in rows],
    }


def count(n):
    return group_thousands(n)


def stats_charts(numbers, language):
    """The charts of /stats/ from `portal.stats.figures` (in the reader's `language`)."""

    def sector_name(row):
        sector = row["sector"]
        return sector["name_en"] if language == "en" else sector["name"]

    def call_name(row):
        return f"{row['code']} · {row['title_en'] if language == 'en' else row['title']}"

    calls = numbers["calls"]["by_call"]
    proposals = numbers["proposals"]
    technologies = numbers["technologies"]
    transfers = numbers["transfers"]["by_year"]
    call_cols = [_("Call"), _("Budget"), _("Received"), _("Funded"), _("Approved funding")]

    def call_cells(row):
        return [vnd(row["budget"]), count(row["received"]), count(row["funded"]),
                vnd(row["approved_amount"])]  # fmt: skip

    sector_cols = [_("Sector"), _("Received"), _("Funded"), _("Approved funding")]

    def sector_cells(row):
        return [count(row["received"]), count(row["funded"]), vnd(row["approved_amount"])]

    year_cols = [_("Year"), _("Received"), _("Funded"), _("Approved funding")]
    by_sector_funding = sorted(
        proposals["by_sector"], key=lambda row: (-row["approved_amount"], row["sector"]["slug"])
    )
    return [
        bar_chart(
            "chart-call-budgets", _("Budget of each call"),
            [{"label": call_name(r), "value": r["budget"], "cells": call_cells(r)} for r in calls],
            columns=call_cols,
        ),
        bar_chart(
            "chart-call-proposals", _("Dossiers received per call"),
            [{"label": call_name(r), "value": r["received"], "cells": call_cells(r)}
             for r in calls],
            columns=call_cols, unit=count,
        ),
        bar_chart(
            "chart-sector-proposals", _("Dossiers received per sector"),
            [{"label": sector_name(r), "value": r["received"], "cells": sector_cells(r)}
             for r in proposals["by_sector"]],
            columns=sector_cols, unit=count,
        ),
        bar_chart(
            "chart-sector-funding", _("Approved funding per sector"),
            [{"label": sector_name(r), "value": r["approved_amount"], "cells": sector_cells(r)}
             for r in by_sector_funding],
            columns=sector_cols,
        ),
        bar_chart(
            "chart-year-proposals", _("Dossiers received per year"),
            [{"label": str(r["year"]), "value": r["received"], "cells": sector_cells(r)}
             for r in proposals["by_year"]],
            columns=year_cols, unit=count,
        ),
        bar_chart(
            "chart-year-funding", _("Approved funding per year of receipt"),
            [{"label": str(r["year"]), "value": r["approved_amount"], "cells": sector_cells(r)}
             for r in proposals["by_year"]],
            columns=year_cols,
        ),
        bar_chart(
            "chart-technology-trl", _("Technologies offered by readiness level (TRL)"),
            [{"label": _("TRL %(level)s") % {"level": r["trl"]}, "value": r["published"],
              "cells": [count(r["published"])]} for r in technologies["by_trl"]],
            columns=[_("Readiness level"), _("Offered")], unit=count,
        ),
        bar_chart(
            "chart-technology-sector", _("Technologies offered per sector"),
            [{"label": sector_name(r), "value": r["published"],
              "cells": [count(r["published"]), count(r["from_projects"])]}
             for r in technologies["by_sector"]],
            columns=[_("Sector"), _("Offered"), _("From funded tasks")], unit=count,
        ),
        bar_chart(
            "chart-transfer-value", _("Value of completed transfers per year of signing"),
            [{"label": str(r["year"]), "value": r["value"],
              "cells": [count(r["completed"]), vnd(r["value"])]} for r in transfers],
            columns=[_("Year"), _("Transfers"), _("Total value")],
        ),
    ]  # fmt: skip
