"""When a technology's owner learns who the interested business is.

DESIGN.md: contact details are visible to both from `negotiating`. Until the owner accepts to
talk, the business is "a business" to them: no name, no organisation, no contact, on the deal's
page, in its history, in the deal lists and in the e-mail. A deal the owner declined, or the
business cancelled, before that stays anonymous.
"""

OPENED = ("negotiating", "agreed", "completed")


def business_disclosed(deal):
    """The owner has accepted to talk on this deal (it is, or once was, negotiating)."""
    return deal.state in OPENED or deal.entries.filter(action="accept").exists()


def business_hidden_from(deal, user):
    """Whether `user` sees the deal's business only as "a business" (its owner, before that)."""
    if user.pk != deal.technology.owner_id or user.pk == deal.business_id:
        return False
    return not business_disclosed(deal)
