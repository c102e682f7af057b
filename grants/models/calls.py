import datetime
import re

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.models import PortalPage, Sector
from core import roles
from core.page_cache import keep_until

CALL_CODE_RE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")
# A selection council has 7 to 9 members (Circular 20/2023/TT-BKHCN, art. 8); the call chooses.
COUNCIL_SIZE = (7, 9)


class CallStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CallIndexPage(PortalPage):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["grants.CallPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("call list")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        calls = list(
            CallPage.objects.child_of(self)
            .live()
            .prefetch_related("sectors")
            .order_by("-closes_at")
        )
        wanted = request.GET.get("status")
        sector = request.GET.get("sector")
        if sector:
            calls = [c for c in calls if any(s.slug == sector for s in c.sectors.all())]
        grouped = {status: [] for status in CallStatus.values}
        now = timezone.now()
        for call in calls:
            grouped[call.status(now)].append(call)
            keep_until(request, call.next_change(now))  # a cached list shows no stale status
        # Open calls closing soonest first; upcoming soonest first; closed most recent first.
        grouped[CallStatus.OPEN].sort(key=lambda c: c.closes_at)
        grouped[CallStatus.UPCOMING].sort(key=lambda c: c.opens_at)
        sections = [
            (status, CallStatus(status).label, grouped[status])
            for status in (CallStatus.OPEN, CallStatus.UPCOMING, CallStatus.CLOSED)
            if not wanted or wanted == status
        ]
        context.update(
            sections=sections,
            status_filter=wanted or "",
            sector_filter=sector or "",
            statuses=CallStatus.choices,
            sectors=Sector.objects.all(),
        )
        return context


class CallPage(RoutablePageMixin, PortalPage):
    """A call for S&T proposals: what is funded, until when, how much, for whom."""

    code = models.CharField(
        _("call code"),
        max_length=20,
        help_text=_(
            "Upper-case letters, digits and dashes, e.g. NN-2026. Used in receipt numbers."
        ),
    )
    summary = models.TextField(_("summary"), max_length=600)
    body = RichTextField(_("description"), blank=True)
    sectors = ParentalManyToManyField(Sector, blank=True, verbose_name=_("priority sectors"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    total_budget = models.PositiveBigIntegerField(_("total budget (VND)"))
    max_per_project = models.PositiveBigIntegerField(_("cap per project (VND)"))
    eligibility = RichTextField(_("who may apply"), blank=True)
    min_reviewers = models.PositiveSmallIntegerField(
        _("council size"),
        default=7,
        validators=[
            MinValueValidator(COUNCIL_SIZE[0]),
            MaxValueValidator(COUNCIL_SIZE[1]),
        ],
        help_text=_(
            "Council size (7–9 members, Circular 20/2023): a chair, a vice-chair, a scientific "
            "secretary, two critics and the members. A review needs two thirds of them."
        ),
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    rubric = models.ForeignKey(
        "grants.Rubric",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("rubric"),
        help_text=_("The council's scoring sheet; the default rubric when left empty."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("code"),
        FieldPanel("summary"),
        FieldPanel("sectors"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")])],
            heading=_("Dates (Asia/Ho_Chi_Minh)"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("total_budget"), FieldPanel("max_per_project")]),
                FieldPanel("min_reviewers"),
                FieldPanel("rubric"),
            ],
            heading=_("Budget and review"),
        ),
        FieldPanel("body"),
        FieldPanel("eligibility"),
        FieldPanel("contact"),
        InlinePanel("templates", label=_("Downloadable templates")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("code"),
        index.FilterField("closes_at"),
    ]
    parent_page_types = ["grants.CallIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("call for proposals")
        verbose_name_plural = _("calls for proposals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_reviewers__gte=COUNCIL_SIZE[0])
                & models.Q(min_reviewers__lte=COUNCIL_SIZE[1]),
                name="council_of_seven_to_nine",
            )
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.code and not CALL_CODE_RE.match(self.code):
            errors["code"] = _("Use upper-case letters, digits and single dashes only.")
        elif self.code:
            clash = (
                CallPage.objects.filter(code=self.code)
                .exclude(translation_key=self.translation_key)
                .exists()
            )
            if clash:
                errors["code"] = _("Another call already uses this code.")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The closing time must be after the opening time.")
        if (
            self.total_budget is not None
            and self.max_per_project is not None
            and self.max_per_project > self.total_budget
        ):
            errors["max_per_project"] = _("The cap per project cannot exceed the total budget.")
        if errors:
            raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        """The call's selection results once a funding decision is signed: the funded tasks
        with host, principal investigator, approved amount and duration (DOMAIN.md step 8,
        published within 15 days; here the day the decision is signed, for good)."""
        from grants.dossier import canonical_call
        from grants.selectors import funded_tasks

        context = super().get_context(request, *args, **kwargs)
        keep_until(request, self.next_change())  # a cached page never says "open" once closed
        results = list(
            funded_tasks().filter(call=canonical_call(self)).order_by("rank", "decided_at", "pk")
        )
        context.update(
            results=results,
            results_published=min((p.decided_at for p in results), default=None),
            # One query each (the page showed a query per template's document, and its
            # sectors twice).
            call_templates=list(self.templates.select_related("document")),
            call_sectors=list(self.sectors.all()),
        )
        return context

    def get_rubric(self):
        from grants.models import Rubric

        return self.rubric or Rubric.objects.default()

    def status(self, now=None):
        """Upcoming before `opens_at`, open until the instant `closes_at`, closed from then on."""
        now = now or timezone.now()
        if now < self.opens_at:
            return CallStatus.UPCOMING
        if now < self.closes_at:
            return CallStatus.OPEN
        return CallStatus.CLOSED

    @property
    def current_status(self):
        return self.status()

    @property
    def status_label(self):
        return CallStatus(self.status()).label

    @property
    def is_open(self):
        return self.status() == CallStatus.OPEN

    def next_change(self, now=None):
        """The next instant what the call's page says turns false: it opens, its days-left
        line moves on at midnight in Vietnam, it closes. None once closed."""
        now = now or timezone.now()
        if now < self.opens_at:
            return self.opens_at
        if now < self.closes_at:
            tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
            midnight = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))
            return min(self.closes_at, midnight)
        return None

    def days_left(self, now=None):
        """Whole calendar days until the deadline, counted in the province's time zone."""
        now = now or timezone.now()
        return (timezone.localdate(self.closes_at) - timezone.localdate(now)).days

    @path("apply/")
    def apply(self, request):
        """Entry point of an application: sign in first, as a researcher, while the call is open."""
        if not request.user.is_authenticated:
            return redirect_to_login(self.url + "apply/", reverse("account_login"))
        if not self.is_open:
            messages.error(request, gettext("This call is not accepting proposals."))
            return redirect(self.url)
        if not roles.has_role(request.user, roles.RESEARCHER):
            messages.error(request, gettext("Only researcher accounts can apply to a call."))
            return redirect(self.url)
        from grants.dossier import draft_for

        proposal, created = draft_for(self, request.user)
        if created:
            messages.success(
                request,
                gettext("Your draft for “%(call)s” is ready; it is saved as you write.")
                % {"call": self.title},
            )
        else:
            messages.info(request, gettext("You already have a draft for this call: here it is."))
        return redirect(reverse("proposal_edit", args=[proposal.pk, "general"]))


class CallTemplate(Orderable):
    """A form applicants download (thuyết minh, budget table, commitments)."""

    page = ParentalKey(CallPage, on_delete=models.CASCADE, related_name="templates")
    title = models.CharField(_("title"), max_length=200)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("document"),
    )
    required = models.BooleanField(
        _("required in the dossier"),
        default=True,
        help_text=_("Applicants must upload a completed copy before submitting."),
    )

    panels = [FieldPanel("title"), FieldPanel("document"), FieldPanel("required")]

    class Meta(Orderable.Meta):
        verbose_name = _("template")
        verbose_name_plural = _("templates")

    def __str__(self):
        return self.title
