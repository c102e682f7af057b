"""Write the province's S&T tasks for the national platform (docs/open-data.md).

manage.py export_tasks --format json --output tasks.json
manage.py export_tasks --format xlsx --output tasks.xlsx --year 2025
manage.py export_tasks --call AG-CNSH24                      # JSON to standard output
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from grants.models import CallPage
from portal import task_export


class Command(BaseCommand):
    help = "Export the funded tasks (decision onwards) as JSON or XLSX for the national platform."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--output", help="file to write (JSON: standard output when omitted)")
        parser.add_argument("--year", type=int, help="year of the funding decision")
        parser.add_argument("--call", help="a call code, e.g. AG-CNSH24")

    def handle(self, *args, format, output, year, call, **options):
        if year is not None and not 1900 <= year <= 2100:
            raise CommandError("--year must be between 1900 and 2100.")
        if call and not CallPage.objects.filter(code=call.strip().upper()).exists():
            raise CommandError(f"No call with the code {call}.")
        if format == "xlsx":
            if not output:
                raise CommandError("An XLSX export needs --output PATH.")
            task_export.write_xlsx(output, year=year, call=call)
        elif output:
            with open(output, "w", encoding="utf-8") as target:
                for chunk in task_export.json_chunks(year=year, call=call):
                    target.write(chunk)
        else:
            for chunk in task_export.json_chunks(year=year, call=call):
                sys.stdout.write(chunk)
        if output:
            self.stderr.write(f"Wrote {output}")
