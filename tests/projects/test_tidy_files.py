"""One upload path for the three kinds of project file (tidy slice): each model names its folder
and owner, the stored name is random (never the uploader's), and the names the old migrations
import still lead to the same function."""

import re

from projects import models


def test_each_attachment_is_kept_under_its_folder_and_owner():
    cases = [
        (models.ReportAttachment(report_id=7, extension=".pdf"), r"reports/7/[0-9a-f]{16}\.pdf"),
        (
            models.AcceptanceAttachment(acceptance_id=3, extension=".docx"),
            r"acceptance/3/[0-9a-f]{16}\.docx",
        ),
        (
            models.InspectionAttachment(inspection_id=11, extension=".xlsx"),
            r"inspections/11/[0-9a-f]{16}\.xlsx",
        ),
    ]
    for instance, pattern in cases:
        path = models.attachment_path(instance, "Báo cáo <script>.pdf")
        assert re.fullmatch(pattern, path), path


def test_two_files_of_one_owner_never_share_a_name():
    instance = models.ReportAttachment(report_id=1, extension=".pdf")
    assert models.attachment_path(instance, "a.pdf") != models.attachment_path(instance, "a.pdf")


def test_the_old_migrations_names_are_the_one_function():
    assert models.report_file_path is models.attachment_path
    assert models.acceptance_file_path is models.attachment_path
    assert models.inspection_file_path is models.attachment_path
    for model in (
        models.ReportAttachment,
        models.AcceptanceAttachment,
        models.InspectionAttachment,
    ):
        assert model._meta.get_field("file").upload_to is models.attachment_path
