from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Execution of funded tasks: contracts, tranches, reports, changes (DESIGN.md)."""

    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from grants import timeline
        from projects.timeline import acceptance_documents, project_steps

        # The proposal page shows the project's trail beside its own transitions, and the
        # acceptance's documents on the transition that closes the task.
        timeline.register(project_steps)
        timeline.register_documents(acceptance_documents)

        from grants import rules
        from projects.rules import took_part

        # Four-eyes: whoever prepared a project's contract does not decide on it either.
        if took_part not in rules.PARTICIPATION:
            rules.PARTICIPATION.append(took_part)

        from grants import assignments
        from projects.council_views import member_assignments

        # A member finds their acceptance council seats on the /reviews/ page of grants.
        assignments.register(member_assignments)
