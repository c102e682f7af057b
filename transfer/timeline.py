"""The market end of a proposal's timeline (registered with `grants.timeline` from
`TransferConfig.ready`): its results listed in the technology catalogue, and the deals on them
that completed, which move the proposal to `transferred`.

What each reader sees: a published listing is public, so every reader gets its page. A deal is
the business's and the owner's affair (DESIGN.md; its page is for the two parties and the
Department's officers): they see the business, the value, the deal's page and its signed
agreement; anyone else who may read the proposal (a manager, a council member) only that a
transfer of the results was completed. Two queries whatever the number of listings or deals,
none before the task is funded.
"""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from core.text import vnd
from grants.models import FUNDED_STATES
from grants.timeline import Item, actor_name, link, links
from transfer.models import CatalogueEntry, DealEntry, Technology, TransferDeal


def _listings(proposal):
    """The published listings, each with the name of the officer who published it last."""
    publication = CatalogueEntry.objects.filter(
        technology=OuterRef("pk"), target=Technology.State.PUBLISHED
    ).order_by("-at", "-pk")
    return list(
        Technology.objects.filter(source_proposal=proposal, state=Technology.State.PUBLISHED)
        .exclude(published_at__isnull=True)
        .annotate(published_by=Subquery(publication.values("actor__profile__full_name")[:1]))
        .select_related("owner__profile")
        .order_by("published_at", "pk")
    )


def _completed_deals(proposal):
    completion = DealEntry.objects.filter(deal=OuterRef("pk"), action="complete").order_by("at")
    return list(
        TransferDeal.objects.filter(
            technology__source_proposal=proposal, state=TransferDeal.State.COMPLETED
        )
        .annotate(
            completed_at=Subquery(completion.values("at")[:1]),
            completed_by=Subquery(completion.values("actor__profile__full_name")[:1]),
        )
        .select_related("technology", "business__profile__organisation")
        .order_by("pk")
    )


def may_see_deal(deal, reader):
    """The deal's page would let the reader in: its two parties and the officers."""
    if reader is None:
        return False
    return reader.officer or reader.user.pk in (deal.business_id, deal.technology.owner_id)


def _business(deal):
    profile = getattr(deal.business, "profile", None)
    organisation = getattr(profile, "organisation", None)
    return getattr(organisation, "name", "") or actor_name(deal.business)


def _deal_links(deal, reader):
    if not may_see_deal(deal, reader):
        return ()
    return links(
        link("deal_detail", deal.pk, label=_("Transfer deal #%(id)s") % {"id": deal.pk}),
        link("deal_agreement", deal.pk, label=_("Signed agreement")) if deal.agreement else None,
    )


def market_steps(proposal, reader=None):
    """The proposal's listings (when published) and completed deals, oldest first. A listing
    names only a task the Department funded (`TechnologyForm` offers those under contract and
    after), so the page of a dossier still being submitted or reviewed — most of them, on the
    night a call closes — asks nothing of the catalogue."""
    if proposal.state not in FUNDED_STATES:
        return []
    items = []
    for technology in _listings(proposal):
        items.append(
            Item(
                at=technology.published_at,
                label=_("Result listed in the technology catalogue"),
                actor=technology.published_by or actor_name(technology.owner),
                record=technology.title,
                links=links(link("technology_detail", technology.pk, label=technology.title))
                if reader is not None
                else (),
                milestone="listing",
            )
        )
    for deal in _completed_deals(proposal):
        if deal.completed_at is None:
            continue
        private = may_see_deal(deal, reader)
        items.append(
            Item(
                at=deal.completed_at,
                label=_("Transfer of the results completed"),
                actor=deal.completed_by or "",
                record=f"{deal.technology.title} → {_business(deal)}" if private else "",
                detail=vnd(deal.value) if private and deal.value else "",
                links=_deal_links(deal, reader),
                milestone="deal",
            )
        )
    return items


def transfer_documents(proposal, reader):
    """On `mark_transferred`: the deals that made the proposal `transferred`, for their
    parties and the officers."""
    if proposal.state != "transferred":
        return {}
    found = tuple(
        found_link
        for deal in _completed_deals(proposal)
        for found_link in _deal_links(deal, reader)[:1]
    )
    return {"mark_transferred": found} if found else {}
