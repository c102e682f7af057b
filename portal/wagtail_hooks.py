"""What the portal adds to pages of the apps it composes."""

from wagtail import hooks


@hooks.register("home_page_context")
def latest_technologies(request, context):
    """The home page shows the three technologies published last."""
    from transfer.models import Technology

    context["latest_technologies"] = (
        Technology.objects.filter(state=Technology.State.PUBLISHED)
        .select_related("sector", "organisation")
        .only("title", "title_en", "summary", "summary_en", "trl", "state", "sector__name",
              "sector__name_en", "organisation__name", "organisation__short_name")
        .order_by("-published_at", "-pk")[:3]
    )  # fmt: skip
