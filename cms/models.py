import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import AbstractGroupApprovalTask, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from cms.blocks import BodyBlock


def check_image_alt_text(page, *field_names):
    """Refuse a page whose chosen image has no text alternative (the image's description)."""
    errors = {}
    for name in field_names:
        image = getattr(page, name)
        if image is not None and not (image.description or "").strip():
            errors[name] = _(
                "This image has no text alternative: add one under Images (the image's "
                "“Text alternative (alt)”) or choose another image."
            )
    if errors:
        raise ValidationError(errors)


class PortalPage(Page):
    """Base for our pages: lets the header link to this page's other-language version."""

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        request._portal_page = self
        return super().get_context(request, *args, **kwargs)


@register_snippet
class Sector(models.Model):
    """A provincial priority area (rice, aquaculture, ...), shared by calls, news and technologies."""

    slug = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.label

    @property
    def label(self):
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


# "UBND tỉnh An Giang", "Ủy ban nhân dân thành phố Cần Thơ": a provincial People's Committee.
_PEOPLES_COMMITTEE = re.compile(
    r"^(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(?P<kind>tỉnh|thành phố)\s+(?P<place>.+)$",
    re.IGNORECASE,
)


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """The Department's identity and contact details, shown in the header, footer and documents."""

    parent_body = models.CharField(
        _("parent body"),
        max_length=120,
        default="UBND TỈNH AN GIANG",
        help_text=_("Shown above the department's name on official documents."),
    )
    department_name = models.CharField(
        _("department name"), max_length=200, default="Sở Khoa học và Công nghệ tỉnh An Giang"
    )
    department_name_en = models.CharField(
        _("department name (English)"),
        max_length=200,
        default="An Giang Department of Science and Technology",
    )
    portal_name = models.CharField(
        _("portal name"), max_length=200, default="Cổng Đổi mới sáng tạo An Giang"
    )
    portal_name_en = models.CharField(
        _("portal name (English)"), max_length=200, default="An Giang Innovation Portal"
    )
    address = models.CharField(
        _("address"),
        max_length=255,
        default="Số 01 Lê Lợi, phường Rạch Giá, tỉnh An Giang",
    )
    hotline = models.CharField(_("hotline"), max_length=40, default="0297 3862 000")
    email = models.EmailField(_("e-mail"), default="skhcn@angiang.gov.vn")
    working_hours = models.CharField(
        _("working hours"), max_length=120, default="Thứ Hai – Thứ Sáu, 7:00–11:00 và 13:00–17:00"
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("parent_body"),
                FieldPanel("department_name"),
                FieldPanel("department_name_en"),
                FieldPanel("portal_name"),
                FieldPanel("portal_name_en"),
                FieldPanel("logo"),
            ],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("hotline"),
                FieldPanel("email"),
                FieldPanel("working_hours"),
            ],
            heading=_("Contact"),
        ),
    ]

    class Meta:
        verbose_name = _("site settings")

    @property
    def department_label(self):
        if translation.get_language() == "en":
            return self.department_name_en
        return self.department_name

    @property
    def parent_body_label(self):
        """The parent body for the header's top line: as written on the Vietnamese site; on the
        English one, "UBND tỉnh An Giang" (the customary form) reads "People's Committee of An
        Giang Province". A name written otherwise is shown as written."""
        text = self.parent_body or ""
        if translation.get_language() != "en":
            return text
        match = _PEOPLES_COMMITTEE.match(text.strip())
        if not match:
            return text
        place = match.group("place").title()
        if match.group("kind").casefold() == "thành phố":
            return f"{place} City People's Committee"
        return f"People's Committee of {place} Province"

    @property
    def portal_label(self):
        if translation.get_language() == "en":
            return self.portal_name_en
        return self.portal_name


class HomePage(PortalPage):
    hero_title = models.CharField(_("hero title"), max_length=200)
    hero_text = models.TextField(_("hero text"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hero image"),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [
        FieldPanel("hero_title"),
        FieldPanel("hero_text"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
    ]
    max_count = None
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def clean(self):
        super().clean()
        check_image_alt_text(self, "hero_image")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = (
            NewsPage.objects.live().descendant_of(self).order_by("-date", "-pk")[:3]
        )
        # What other apps show on the home page (the latest technologies…) is added by the
        # portal, which composes the apps: cms imports none of them.
        for add in hooks.get_hooks("home_page_context"):
            add(request, context)
        return context


class StandardPage(PortalPage):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")


class NewsIndexPage(PortalPage):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.child_of(self).live().order_by("-date", "-pk")
        context["news_page"] = Paginator(news, 10).get_page(request.GET.get("page"))
        return context


class NewsPage(PortalPage):
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("summary"), max_length=400)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    sectors = ParentalManyToManyField(Sector, blank=True, verbose_name=_("sectors"))

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("body"),
        FieldPanel("sectors"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news article")
        ordering = ["-date"]

    def clean(self):
        super().clean()
        check_image_alt_text(self, "image")


def submitter_id(obj):
    """The id of whoever sent `obj` to review (its current workflow state), or None."""
    state = getattr(obj, "current_workflow_state", None)
    return state.requested_by_id if state is not None else None


class FourEyesApprovalTask(AbstractGroupApprovalTask):
    """Wagtail's group approval, with the Department's four-eyes rule: a member of the groups
    (or a superuser) approves or rejects, but never the person who submitted the page
    (docs/decisions/0017-page-moderation.md)."""

    def _may_moderate(self, user, requested_by_id):
        if not (user.is_superuser or self._user_in_groups(user)):
            return False
        return user.pk != requested_by_id

    def get_actions(self, obj, user):
        if not self._may_moderate(user, submitter_id(obj)):
            return []
        return super().get_actions(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        # The admin offers the submitter no action; refuse one here too, whoever calls.
        if user is not None and not self._may_moderate(
            user, task_state.workflow_state.requested_by_id
        ):
            raise PermissionDenied(
                _("Another officer than the one who submitted this page must approve it.")
            )
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return states.exclude(workflow_state__requested_by=user)

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups approve, except the person who submitted the page")

    class Meta:
        verbose_name = _("four-eyes approval task")
        verbose_name_plural = _("four-eyes approval tasks")
