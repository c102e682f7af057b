"""The permission matrix: every named URL of the portal × every kind of person, with the status
each must get (DESIGN.md → People and roles, the state machines, URLs), on the seeded demo.

The URL conf is walked (includes, i18n patterns, Wagtail, both admins, allauth, the API); a named
pattern with no entry in MATRIX fails `test_every_named_url_has_an_entry` — add it to the matrix.
Third-party trees (Wagtail admin, Django admin, allauth) are covered by a few entries in MATRIX
and, for the rest, by the PREFIX_RULES below, which are asserted on every one of their URLs.

How to read an entry:

    "proposal_detail": [
        case({"pk": "@under_review"}, get=only("res", "rev", "off", "man")),
    ],

- `"@label"` in the kwargs is a record of the fixture `world` (tests/security/conftest.py);
- `get=` / `post=` map each role of conftest.ROLES to what it must get: a status, a tuple of
  acceptable statuses, or LOGIN (a redirect to the login page with `next` back to the URL);
- `everyone(200)`: the same for all; `only(*roles, ok=200, no=403, anon=LOGIN)`: `ok` for the
  roles named, `no` for the other signed-in ones, `anon` for visitors; keyword overrides per role;
- POST is sent with an empty body (`data=` to change it): roles that may not must get 403, the
  ones that may get a form with errors (200/400) or a redirect (302) — never a 500.
- Views answering POST only get `get=POST_ONLY` (405 for the signed-in, login for visitors).
"""

import copy
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from tests.security.conftest import ROLES

pytestmark = pytest.mark.django_db

LOGIN = "login"  # 302 to the login page, with ?next= back to the URL asked for
SIGNED_IN = ROLES[1:]
MAY_POST = (200, 302, 400)  # a form with errors, or done and redirected


def everyone(status=200, **overrides):
    return dict.fromkeys(ROLES, status) | overrides


def only(*allowed, ok=200, no=403, anon=LOGIN, **overrides):
    unknown = set(allowed) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {
        role: anon if role == "anon" else ok if role in allowed else no for role in ROLES
    } | overrides


POST_ONLY = only(*SIGNED_IN, ok=405)  # @login_required @require_POST views, asked with GET
SIGNED_IN_200 = only(*SIGNED_IN)
STAFF = ("off", "man")
# The JSON API answers visitors 403 (session authentication, no login page to go to).
API_SIGNED_IN = only(*SIGNED_IN, anon=403)


@dataclass
class Case:
    name: str
    kwargs: dict = field(default_factory=dict)
    get: dict | None = None
    post: dict | None = None
    query: str = ""
    data: dict = field(default_factory=dict)
    label: str = ""

    def url(self, world):
        if isinstance(self.kwargs, list):  # a pattern with unnamed groups (Wagtail's)
            url = reverse(self.name, args=[fill(world, value) for value in self.kwargs])
        else:
            url = reverse(self.name, kwargs={k: fill(world, v) for k, v in self.kwargs.items()})
        return f"{url}?{self.query}" if self.query else url

    def body(self, world):
        return {key: fill(world, value) for key, value in self.data.items()}

    @property
    def id(self):
        return f"{self.name}[{self.label}]" if self.label else self.name


def fill(world, value):
    """`"@label"` stands for the id of a record of the fixture `world`."""
    return world.ids[value[1:]] if isinstance(value, str) and value.startswith("@") else value


def case(kwargs=None, *, get, post=None, query="", data=None, label=""):
    return {
        "kwargs": kwargs or {},
        "get": get,
        "post": post,
        "query": query,
        "data": data or {},
        "label": label,
    }


PUBLIC = case(get=everyone(200))

# fmt: off
MATRIX = {
    # -- portal ---------------------------------------------------------------------------------
    "healthz": [PUBLIC],
    "readyz": [PUBLIC],
    # Prometheus' scrape (portal.metrics): judged on the network, not the role. The test client
    # asks from 127.0.0.1, inside the default allowed networks, so every role gets 200 here;
    # other addresses get 404 whoever is signed in (tests/portal/test_metrics.py).
    "metrics": [PUBLIC],
    "organisation_suggest": [PUBLIC, case(get=everyone(200), query="q=dai+hoc&owners=1")],
    "dashboard": [case(get=SIGNED_IN_200)],
    "stats": [PUBLIC],
    # Crawlers and feed readers (portal.sitemaps, portal.feeds): public, the same for all.
    "sitemap": [PUBLIC],
    "robots_txt": [PUBLIC],
    "feed_calls": [PUBLIC],
    "feed_calls_atom": [PUBLIC],
    "feed_news": [PUBLIC],
    "feed_news_atom": [PUBLIC],
    "feed_technologies": [PUBLIC],
    "feed_technologies_atom": [PUBLIC],
    # Public selection results (grants.public_views): filters not on offer are told, never a 500.
    "funded_list": [
        PUBLIC,
        case(get=everyone(200), query="call=AG-CNSH24&year=2025", label="filtered"),
        case(get=everyone(200), query="year=abc&sector=%3Cb%3E", label="bad filters"),
    ],
    "search": [case(get=everyone(200), query="q=lúa")],
    "javascript-catalog": [PUBLIC],
    "reviewers": [case(get=only("off", "su"))],
    "change_reviewer_role": [
        case({"user_id": "@res2_id"}, get=POST_ONLY, post=only("off", "su", ok=302)),
    ],
    # Integration tokens (portal.tokens): officers only; a token acts as the officer who issued
    # it, so an administrator without the officer role issues none.
    "integration_tokens": [case(get=only("off"))],
    "integration_token_issue": [case(get=only("off"), post=only("off", ok=MAY_POST))],
    "integration_token_detail": [case({"pk": "@token"}, get=only("off"))],
    "integration_token_revoke": [
        case({"pk": "@token"}, get=only("off"), post=only("off", ok=302)),
    ],
    # -- researchers ----------------------------------------------------------------------------
    "profile": [case(get=SIGNED_IN_200, post=only(*SIGNED_IN, ok=MAY_POST))],
    # Memberships: anyone signed in asks; officers decide (never their own); the person (or an
    # officer) ends one. The superuser administers accounts, not memberships.
    "membership_request": [case(get=POST_ONLY, post=only(*SIGNED_IN, ok=MAY_POST))],
    "membership_queue": [case(get=only("off"))],
    "membership_decide": [
        case({"pk": "@membership_pending"}, get=only("off"), post=only("off", ok=MAY_POST)),
    ],
    "membership_end": [
        case({"pk": "@membership_res"}, get=POST_ONLY, post=only("res", "off", ok=302)),
    ],
    # Personal data (Law 91/2025): each person their own; officers answer the requests.
    "privacy": [case(get=SIGNED_IN_200)],
    "privacy_export": [case(get=SIGNED_IN_200)],
    "privacy_consent": [case(get=POST_ONLY, post=only(*SIGNED_IN, ok=MAY_POST))],
    "privacy_request_open": [case(get=POST_ONLY, post=only(*SIGNED_IN, ok=MAY_POST))],
    "privacy_requests": [case(get=only("off", "su"))],
    "privacy_request_answer": [
        case({"pk": "@privacy_request"}, get=only("off", "su"), post=only("off", "su", ok=MAY_POST)),
    ],
    # -- issue 15: webhooks (officers register the endpoints of other systems) --
    "webhook_list": [case(get=only("off", "su"))],
    "webhook_add": [case(get=only("off", "su"), post=only("off", "su", ok=MAY_POST))],
    "webhook_detail": [case({"pk": "@webhook_endpoint"}, get=only("off", "su"))],
    "webhook_edit": [
        case({"pk": "@webhook_endpoint"}, get=only("off", "su"), post=only("off", "su", ok=MAY_POST)),
    ],
    "webhook_delete": [
        case({"pk": "@webhook_endpoint"}, get=only("off", "su"), post=only("off", "su", ok=302)),
    ],
    "webhook_rotate": [
        case({"pk": "@webhook_endpoint"}, get=POST_ONLY, post=only("off", "su", ok=302)),
    ],
    "webhook_test": [
        case({"pk": "@webhook_endpoint"}, get=POST_ONLY, post=only("off", "su", ok=302)),
    ],
    # -- grants: proposals ----------------------------------------------------------------------
    "proposal_list": [case(get=SIGNED_IN_200), case(get=SIGNED_IN_200, query="mine=1", label="mine")],
    "proposal_export": [
        case({"fmt": "csv"}, get=only(*STAFF), label="csv"),
        case({"fmt": "xlsx"}, get=only(*STAFF), label="xlsx"),
        case({"fmt": "pdf"}, get=only(*STAFF, ok=404), label="unknown format"),
    ],
    # A background export is its officer's alone (another officer or a manager: 403).
    "proposal_export_status": [case({"pk": "@export"}, get=only("off"))],
    "proposal_export_download": [case({"pk": "@export"}, get=only("off"))],
    # The tasks export for the national platform (portal.open_data_views, docs/open-data.md).
    "task_export": [
        case({"fmt": "json"}, get=only(*STAFF), label="json"),
        case({"fmt": "xlsx"}, get=only(*STAFF), label="xlsx"),
        case({"fmt": "json"}, get=only(*STAFF, ok=400), query="year=abc", label="bad year"),
        case({"fmt": "csv"}, get=only(*STAFF, ok=404), label="unknown format"),
    ],
    "receipt_verify": [
        case({"code": "@review_code"}, get=everyone(200), label="issued"),
        case({"code": "NOSUCHCODE"}, get=everyone(404), label="unknown"),
    ],
    "proposal_detail": [
        case({"pk": "@under_review"}, get=only("res", "rev", "off", "man"), label="under review"),
        # A draft that never reached the Department is the applicant's own business.
        case({"pk": "@draft"}, get=only("res"), label="draft"),
        case({"pk": "@reviewed"}, get=only("res2", "off", "man"), label="of researcher2"),
        # reviewer5 is invited onto this council but has not declared: not yet.
        case({"pk": "@eligible"}, get=only("res", "off", "man"), label="reviewer only invited"),
    ],
    "proposal_edit": [
        *[
            case({"pk": "@draft", "section": section}, get=only("res"), post=only("res", ok=MAY_POST),
                 label=f"draft {section}")
            for section in ("general", "team", "budget", "attachments")
        ],
        # Sent: nobody edits it any more; the owner is sent back to the dossier with a message.
        case({"pk": "@under_review", "section": "general"}, get=only("res", ok=302),
             post=only("res", ok=302), label="sent"),
        case({"pk": "@draft", "section": "nosuchsection"}, get=only(*SIGNED_IN, ok=404),
             label="unknown section"),
    ],
    "proposal_attachment": [
        case({"pk": "@under_review", "attachment_id": "@review_attachment"},
             get=only("res", "rev", "off", "man")),
        case({"pk": "@draft", "attachment_id": "@draft_attachment"}, get=only("res"), label="draft"),
    ],
    "proposal_attachment_delete": [
        case({"pk": "@draft", "attachment_id": "@draft_attachment"}, get=POST_ONLY,
             post=only("res", ok=302)),
    ],
    "proposal_transition": [
        case({"pk": "@eligible", "name": "start_review"}, get=POST_ONLY,
             post=only("off", ok=400), label="start_review without a council"),
        case({"pk": "@eligible", "name": "withdraw"}, get=POST_ONLY,
             post=only("res", ok=302), label="withdraw"),
        case({"pk": "@reviewed", "name": "fund"}, get=POST_ONLY,
             post=only("man", ok=400), label="fund without an amount"),
        case({"pk": "@under_review", "name": "nosuchtransition"}, get=POST_ONLY,
             post=only(), label="unknown"),
    ],
    "proposal_receipt": [
        case({"pk": "@under_review"}, get=only("res", "rev", "off", "man")),
        case({"pk": "@draft"}, get=only("res", ok=404), label="no receipt yet"),
    ],
    "proposal_versions": [case({"pk": "@versions"}, get=only("res2", "off", "man"))],
    # -- grants: council, appraisal, decisions --------------------------------------------------
    "proposal_council": [
        case({"pk": "@under_review"}, get=only("off"), post=only("off", ok=302)),
    ],
    "proposal_appraisal": [
        case({"pk": "@reviewed"}, get=only("off"), post=only("off", ok=400)),
    ],
    "proposal_decision": [
        case({"pk": "@funded"}, get=only("res", "off", "man")),
        case({"pk": "@under_review"}, get=only("res", "off", "man", ok=404), label="not decided"),
    ],
    # The council's minutes carry each member's ballot: staff only, never the applicant.
    "proposal_minutes": [case({"pk": "@funded"}, get=only(*STAFF))],
    # -- projects: contract --
    # Prepared by an officer while funded (an empty form: the workflow's messages, 400); once
    # signed, read-only for staff and the investigator, and a POST changes nothing.
    "project_contract": [
        case({"pk": "@funded"}, get=only("off"), post=only("off", ok=400), label="funded"),
        case({"pk": "@in_progress"}, get=only("res", "off", "man"), post=only("off", ok=302),
             label="signed"),
    ],
    "project_contract_sign": [
        # Nothing prepared on the demo's funded proposal: the officer is told so (400).
        case({"pk": "@funded"}, get=POST_ONLY, post=only("off", ok=400), label="not prepared"),
        case({"pk": "@in_progress"}, get=POST_ONLY, post=only("off", ok=302), label="signed"),
    ],
    "project_contract_pdf": [
        case({"pk": "@in_progress"}, get=only("res", "off", "man"), label="signed"),
        case({"pk": "@funded"}, get=only("res", "off", "man", ok=404), label="not signed yet"),
    ],

    # -- projects: tranches --
    # The ledger: the investigator and the Department's staff; none yet before a contract exists.
    "project_tranches": [
        case({"pk": "@in_progress"}, get=only("res", "off", "man"), label="in progress"),
        case({"pk": "@funded"}, get=only("res", "off", "man", ok=404), label="no contract yet"),
    ],
    # Officers release (an empty payment order is refused by the field); nobody else may.
    "project_tranche_release": [
        # Tranche 2 waits for report 1 (the demo paid tranche 1 on signing): refused by the field.
        case({"pk": "@in_progress", "position": 2}, get=POST_ONLY, post=only("off", ok=400),
             label="condition not met"),
        case({"pk": "@in_progress", "position": 99}, get=POST_ONLY, post=only("off", ok=404),
             label="no such tranche"),
    ],

    # -- projects: reports --
    # The investigator and the Department's staff follow the reports; others are refused like on
    # the proposal page; before the contract is signed there is nothing to report (404).
    "project_reports": [
        case({"pk": "@in_progress"}, get=only("res", "off", "man")),
        case({"pk": "@funded"}, get=only("res", "off", "man", ok=404), label="not signed"),
    ],
    # Only the investigator writes (an empty draft saves and redirects); the officer and the
    # manager read it; a POST from anyone else is refused by the workflow.
    "project_report": [
        case({"pk": "@in_progress", "number": 1}, get=only("res", "off", "man"),
             post=only("res", ok=302)),
        case({"pk": "@in_progress", "number": 99}, get=only("res", "off", "man", ok=404),
             label="no such report"),
    ],
    # Officers decide (an empty POST is a form with errors); nobody else.
    "project_report_decide": [
        case({"pk": "@in_progress", "number": 1}, get=POST_ONLY, post=only("off", ok=400)),
    ],
    # Report 1 is a draft: its files are the investigator's until it is submitted.
    "project_report_attachment": [
        case({"pk": "@in_progress", "number": 1, "attachment_id": "@report_attachment"},
             get=only("res")),
    ],

    # -- projects: changes --
    # The principal investigator asks; the Department's staff read; a manager decides. An empty
    # request is a form with errors (400); nobody else may even try.
    "project_changes": [
        case({"pk": "@in_progress"}, get=only("res", *STAFF), post=only("res", ok=400)),
        case({"pk": "@funded"}, get=only("res", *STAFF, ok=404), label="no signed contract"),
    ],
    "project_change_decide": [
        case({"pk": "@in_progress", "change_id": "@change_requested"}, get=POST_ONLY,
             post=only("man", ok=400)),
    ],

    # -- projects: acceptance dossier --
    # The investigator writes the dossier (an empty draft saves and redirects); the Department's
    # staff read it; anyone else is refused; before a signed contract there is none (404).
    "project_acceptance": [
        case({"pk": "@in_progress"}, get=only("res", *STAFF), post=only("res", ok=302)),
        case({"pk": "@funded"}, get=only("res", *STAFF, ok=404), label="not signed"),
    ],
    # An empty dossier is saved and refused by the field (400); nobody else may submit.
    "project_acceptance_submit": [
        case({"pk": "@in_progress"}, get=POST_ONLY, post=only("res", ok=400)),
    ],
    # The world's dossier is a draft: its file is the investigator's until it is submitted.
    "project_acceptance_attachment": [
        case({"pk": "@in_progress", "attachment_id": "@acceptance_attachment"}, get=only("res")),
    ],
    # Officers return a submitted dossier (this one is a draft: told so and sent back, 302).
    "project_acceptance_return": [
        case({"pk": "@in_progress"}, get=POST_ONLY, post=only("off", ok=302)),
    ],
    # No verdict recorded yet: the officer is told by the field (400); nobody else may try.
    "project_acceptance_accept": [
        case({"pk": "@in_progress"}, get=POST_ONLY, post=only("off", ok=400)),
    ],
    # Managers terminate a failed task with its refund: no verdict here, so refused (400).
    "project_acceptance_terminate": [
        case({"pk": "@in_progress"}, get=POST_ONLY, post=only("man", ok=400)),
    ],
    # -- projects: acceptance council --
    # The officer forms and runs the council (an empty POST names no action: 400); a manager
    # reads it; nobody else. Before the dossier is submitted there is no council (404).
    "project_acceptance_council": [
        case({"pk": "@accepted_task"}, get=only(*STAFF), post=only("off", ok=400)),
        case({"pk": "@in_progress"}, get=only(*STAFF, ok=404), label="a draft dossier"),
        case({"pk": "@funded"}, get=only(*STAFF, ok=404), label="no acceptance"),
    ],
    # The seated member reads their grades; once the verdict is in, a POST is told so and sent
    # back (302); nobody without a seat.
    "project_acceptance_council_grade": [
        case({"pk": "@accepted_task"}, get=only("rev"), post=only("rev", ok=302)),
    ],
    # The signed minutes, signed and stored when the verdict is recorded: the investigator, the
    # council's members and the Department's staff; 403 for anyone else, whatever the state.
    # Before a verdict (here a draft dossier) the document does not exist yet: 404 for those
    # who will read it (tests/projects/test_tidy_minutes.py).
    "project_acceptance_minutes": [
        case({"pk": "@accepted_task"}, get=only("res", "rev", *STAFF)),
        case({"pk": "@in_progress"}, get=only("res", *STAFF, ok=404), label="a draft dossier"),
    ],
    # -- projects: result registration --
    # The investigator and the Department's staff read it (a running task: the page says it
    # waits for the acceptance; no signed contract: 404); the investigator files (an empty
    # filing: the workflow's messages, 400); an officer records the certificate of the filed
    # results (an empty number and date, 400); nobody else may.
    "project_registration": [
        case({"pk": "@registration_completed"}, get=only("res", *STAFF), label="accepted"),
        case({"pk": "@in_progress"}, get=only("res", *STAFF), label="not accepted yet"),
        case({"pk": "@funded"}, get=only("res", *STAFF, ok=404), label="no contract yet"),
    ],
    "project_registration_file": [
        case({"pk": "@registration_completed"}, get=POST_ONLY, post=only("res", ok=400)),
    ],
    "project_registration_record": [
        case({"pk": "@registration_completed"}, get=POST_ONLY, post=only("off", ok=400)),
    ],
    # The certificate: once an officer recorded it (the world's is filed, not yet recorded).
    "project_registration_pdf": [
        case({"pk": "@registration_completed"}, get=only("res", *STAFF, ok=404),
             label="not registered yet"),
    ],
    # -- projects: inspections --
    # The investigator and the Department's staff follow the inspections; an officer records one
    # (an empty form: refused by the field, 400); nothing before the contract is signed (404).
    "project_inspections": [
        case({"pk": "@in_progress"}, get=only("res", *STAFF), post=only("off", ok=400)),
        case({"pk": "@funded"}, get=only("res", *STAFF, ok=404), label="not signed"),
    ],
    # No inspection of the demo has a file yet: 404 for those who may read, 403 for the others.
    "project_inspection_file": [
        case({"pk": "@in_progress", "year": 1}, get=only("res", *STAFF, ok=404)),
    ],
    # -- projects: verify --
    # Public: anyone may read the page and upload a file (an empty POST: no file, 400).
    "document_verify": [case(get=everyone(200), post=everyone(400))],

    "call_results": [case({"call_id": "@call_scored"}, get=only(*STAFF))],
    "call_minutes": [case({"call_id": "@call_scored"}, get=only(*STAFF))],
    "review_list": [case(get=only("rev", "rev2"))],
    "review_detail": [
        case({"pk": "@assignment"}, get=only("rev"), post=only("rev", ok=(302, 400)),
             label="accepted"),
        # The declaration of conflicts of interest, before the dossier opens.
        case({"pk": "@assignment_invited"}, get=only("rev"), post=only("rev", ok=(302, 400)),
             label="invited"),
    ],
    # -- transfer: the catalogue ----------------------------------------------------------------
    "technology_list": [PUBLIC, case(get=everyone(200), query="q=lúa&trl_min=5", label="filtered")],
    "technology_new": [
        case(get=only("res", "res2"), post=only("res", "res2", ok=MAY_POST)),
    ],
    "technology_moderation": [
        case(get=only("off"), post=only("off", ok=MAY_POST), data={"technology": "@technology_draft"}),
    ],
    "technology_detail": [
        case({"pk": "@technology"}, get=everyone(200), label="published"),
        case({"pk": "@technology_draft"}, get=only("res", "off", no=404, anon=404), label="draft"),
    ],
    "technology_edit": [
        case({"pk": "@technology"}, get=only("res"), post=only("res", ok=MAY_POST)),
    ],
    "technology_file_add": [
        case({"pk": "@technology"}, get=POST_ONLY, post=only("res", ok=400)),
    ],
    "technology_file": [
        case({"pk": "@technology", "file_pk": "@technology_file"}, get=everyone(200),
             label="published"),
        case({"pk": "@technology_draft", "file_pk": "@technology_draft_file"},
             get=only("res", "off", no=404, anon=404), label="draft"),
        # A file of another listing, asked through a published one.
        case({"pk": "@technology", "file_pk": "@technology_draft_file"}, get=everyone(404),
             label="of another listing"),
    ],
    "technology_file_remove": [
        case({"pk": "@technology", "file_pk": "@technology_file"}, get=POST_ONLY,
             post=only("res", ok=302)),
    ],
    # Only businesses ask for a transfer, and not for their own technology.
    "technology_interest": [
        # An empty request is shown again with the site's error summary (400, errors slice).
        case({"pk": "@technology"}, get=POST_ONLY, post=only("biz", "biz2", ok=400)),
    ],
    # The owner withdraws a listing (an officer may too); only its owner sends it again.
    "technology_move": [
        case({"pk": "@technology", "action": "archive"}, get=POST_ONLY,
             post=only("res", "off", ok=302), label="archive"),
        case({"pk": "@technology", "action": "resubmit"}, get=POST_ONLY,
             post=only("res", ok=302), label="resubmit"),
        case({"pk": "@technology", "action": "nosuchaction"}, get=POST_ONLY, post=only(),
             label="unknown"),
    ],
    # -- transfer: needs and deals --------------------------------------------------------------
    "need_list": [
        case(get=everyone(200), post=only("biz", "biz2", ok=200, anon=403)),
    ],
    "need_detail": [
        case({"pk": "@need"}, get=everyone(200), label="published"),
        case({"pk": "@need_closed"}, get=only("biz", "off", no=404, anon=404), label="closed"),
    ],
    # Only the business that wrote a draft need publishes it (a published one: a message, 302).
    "need_publish": [
        case({"pk": "@need"}, get=POST_ONLY, post=only("biz", ok=302)),
    ],
    "need_close": [
        case({"pk": "@need"}, get=POST_ONLY, post=only("biz", "off", ok=302)),
    ],
    "deal_list": [case(get=SIGNED_IN_200)],
    "deal_detail": [case({"pk": "@deal"}, get=only("res", "biz", "off"))],
    "deal_agreement": [
        case({"pk": "@deal_agreed"}, get=only("res", "biz", "off"), label="signed"),
        case({"pk": "@deal"}, get=only("res", "biz", "off", ok=404), label="none yet"),
    ],
    "deal_action": [
        case({"pk": "@deal", "action": "accept"}, get=POST_ONLY, post=only("res", ok=302),
             label="accept"),
        case({"pk": "@deal", "action": "cancel"}, get=POST_ONLY, post=only("res", "biz", ok=302),
             label="cancel"),
        case({"pk": "@deal", "action": "complete"}, get=POST_ONLY, post=only("off", ok=302),
             label="complete too early"),
        case({"pk": "@deal_agreed", "action": "record_terms"}, get=POST_ONLY,
             post=only("res", "biz", ok=400), label="record_terms"),
        case({"pk": "@deal", "action": "nosuchaction"}, get=POST_ONLY, post=only(),
             label="unknown"),
    ],
    # -- issue 14: errors --
    # (errors slice)
    # -- issue 14: dashboards --
    # (dashboards slice)
    # -- issue 14: search --
    # (search slice)
    # -- issue 14: language --
    # (language slice)
    # -- the JSON API ---------------------------------------------------------------------------
    # The API's index of links asks for a sign-in (DRF's default); its public endpoints do not.
    "api-root": [case(get=API_SIGNED_IN)],
    "api-schema": [PUBLIC],
    "api-docs": [PUBLIC],
    "api-stats": [PUBLIC],
    "call-list": [PUBLIC],
    "call-detail": [case({"pk": "@call_open"}, get=everyone(200))],
    "funded-project-list": [PUBLIC],
    "funded-project-detail": [
        case({"pk": "@funded"}, get=everyone(200), label="funded"),
        case({"pk": "@under_review"}, get=everyone(404), label="not funded"),
    ],
    "technology-list": [PUBLIC],
    "technology-detail": [
        case({"pk": "@technology"}, get=everyone(200), label="published"),
        case({"pk": "@technology_draft"}, get=everyone(404), label="draft"),
    ],
    "need-list": [PUBLIC],
    "need-detail": [
        case({"pk": "@need"}, get=everyone(200), label="published"),
        case({"pk": "@need_closed"}, get=everyone(404), label="closed"),
    ],
    # Department staff follow every dossier, an applicant their own; other roles have none.
    "dossier-status": [case(get=only("res", "res2", "off", "man", anon=403))],
    "proposal-list": [case(get=API_SIGNED_IN)],
    "proposal-detail": [
        case({"pk": "@under_review"}, get=only("res", "off", "man", no=404, anon=403)),
    ],
    "proposal-transition": [
        case({"pk": "@eligible", "name": "start_review"}, get=only(*SIGNED_IN, ok=405, anon=403),
             post=only("off", ok=400, anon=403), label="start_review without a council"),
        case({"pk": "@eligible", "name": "withdraw"}, get=only(*SIGNED_IN, ok=405, anon=403),
             post=only("res", ok=200, anon=403), label="withdraw"),
    ],
    # -- Wagtail: pages, documents --------------------------------------------------------------
    "wagtail_serve": [
        case([""], get=everyone(200), label="home"),
        case(["calls/"], get=everyone(200), label="calls"),
        case(["calls/ag-nn01/"], get=everyone(200), label="a call"),
        case(["tin-tuc/"], get=everyone(200), label="news"),
        case(["bao-ve-du-lieu-ca-nhan/"], get=everyone(200), label="a standard page"),
        case(["khong-co-trang-nay/"], get=everyone(404), label="missing"),
    ],
    "wagtaildocs_serve": [
        case(["@document", "@document_filename"], get=everyone(200), label="a call's template"),
    ],
    "wagtaildocs_authenticate_with_password": [
        case({"restriction_id": 999999}, get=everyone(404)),
    ],
    "wagtailcore_authenticate_with_password": [
        case({"page_view_restriction_id": 999999, "page_id": "@home_page"}, get=everyone(404)),
    ],
    # Wagtail's own password-only login forms (private pages; the admin's): a sign-in goes
    # through allauth (rate limits, two-factor), so both send everyone there.
    "wagtailcore_login": [case(get=everyone(302))],
    # To allauth (302); a signed-in person who may not enter that admin may be told so (403).
    "wagtailadmin_login": [case(get=only(no=(302, 403), anon=302, off=302, su=302))],
    "wagtailadmin_logout": [case(get=everyone(302))],
    # The Django admin's login likewise (tests/security/test_auth.py has the details).
    "admin:login": [case(get=only(no=(302, 403), anon=302, su=302))],
    "admin:logout": [case(get=everyone((302, 307, 405)))],
    # -- representative third-party entries (the rest: PREFIX_RULES) ----------------------------
    "account_login": [case(get=only(no=302, anon=200))],
    "account_signup": [case(get=only(no=302, anon=200))],
    "account_logout": [case(get=only(*SIGNED_IN, anon=302))],
    "account_email": [case(get=SIGNED_IN_200)],
    "account_change_password": [case(get=SIGNED_IN_200)],
    "account_reset_password": [case(get=everyone(200))],
    "mfa_index": [case(get=SIGNED_IN_200)],
    "wagtailadmin_home": [case(get=only("off", "su", no=302))],
    "wagtailadmin_explore_root": [case(get=only("off", "su", no=302))],
    "wagtailsnippets_grants_rubric:list": [case(get=only("off", "su", no=302))],
    "wagtailusers_users:index": [case(get=only("su", no=302))],
    # Wagtail admin's assets are public; its password reset is turned off (allauth's is used).
    "wagtailadmin_javascript_catalog": [PUBLIC],
    "wagtailadmin_sprite": [PUBLIC],
    **{
        name: [case(kwargs, get=everyone(404))]
        for name, kwargs in (
            ("wagtailadmin_password_reset", {}),
            ("wagtailadmin_password_reset_done", {}),
            ("wagtailadmin_password_reset_complete", {}),
            ("wagtailadmin_password_reset_confirm", {"uidb64": "MQ", "token": "x-y"}),
        )
    },
    # Wagtail's deliberate error page, for testing error reporting: whoever may open the admin
    # gets its 500 by design.
    "wagtailadmin_error_test": [case(get=only(no=302) | {"off": 500, "su": 500})],
    "admin:index": [case(get=only("su", no=LOGIN))],
    "admin:grants_proposal_changelist": [case(get=only("su", no=LOGIN))],
    "admin:auth_user_changelist": [case(get=only("su", no=LOGIN))],
}
# fmt: on

CASES = [Case(name=name, **spec) for name, specs in MATRIX.items() for spec in specs]


# -- the URL conf ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str  # the pattern's text, prefixes joined
    module: str  # where its view lives
    pattern: object


def walk(resolver=None, namespace=None, prefix=""):
    """Every named pattern of the URL conf, through includes and the i18n prefix."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            callback = entry.callback
            module = getattr(callback, "__module__", "") or ""
            cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
            if cls is not None:
                module = cls.__module__
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(name, prefix + str(entry.pattern).lstrip("^"), module, entry)


def _local_packages():
    """The project's own apps: those whose code lives in this repository (not in the venv)."""
    from django.apps import apps

    base = str(settings.BASE_DIR)
    return {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if config.path.startswith(base) and "site-packages" not in config.path
    }


def is_project(route):
    return route.module.split(".")[0] in _local_packages() or route.route.startswith("api/")


# Third-party trees not listed one by one. Each rule is asserted on every URL it covers (GET,
# kwargs filled with dummies): `roles` → acceptable statuses (LOGIN: to the login page).
PREFIX_RULES = {
    # Wagtail admin: officers run the CMS. Everyone else is sent away (never a 200).
    "admin/": {
        "anon": LOGIN,
        "res": (302, 403),
        "off": (200, 302, 403, 404, 405),
    },
    # Django admin: superusers only; everyone else to the login page.
    "django-admin/": {
        "anon": LOGIN,
        "res": LOGIN,
        "off": LOGIN,
        "su": (200, 302, 403, 404, 405),  # 403: add and delete of the read-only records
    },
    # allauth's accounts and two-factor pages: whatever they answer, never a 500.
    "accounts/": {
        "anon": (200, 302, 400, 404, 405),
        "res": (200, 302, 400, 404, 405),
        "off": (200, 302, 400, 404, 405),
    },
}


def rule_for(route):
    if is_project(route):
        return None
    for prefix, rule in PREFIX_RULES.items():
        if route.route.startswith(prefix):
            return prefix, rule
    return None


def test_every_named_url_has_an_entry():
    routes = list(walk())
    assert len(routes) > 300, "the walk reached Wagtail admin, Django admin, allauth and the API"
    names = {route.name for route in routes}
    for expected in ("wagtail_serve", "proposal_detail", "proposal-detail", "admin:index",
                     "wagtailadmin_home", "account_login", "mfa_index"):  # fmt: skip
        assert expected in names
    missing = sorted(
        {
            f"{r.name}  ({r.route}, {r.module})"
            for r in routes
            if r.name not in MATRIX and (is_project(r) or rule_for(r) is None)
        }  # fmt: skip
    )
    assert not missing, (
        "add these URLs to the matrix (tests/security/test_permission_matrix.py):\n"
        + ("\n".join(missing))
    )
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"the matrix names URLs that no longer exist: {stale}"


def test_every_project_url_has_its_own_entry():
    """Prefix rules are for third-party trees; each of the portal's own URLs is listed."""
    project = {route.name for route in walk() if is_project(route)}
    assert {"proposal_detail", "deal_detail", "profile", "api-root", "dossier-status"} <= project
    assert sorted(project - set(MATRIX)) == []


# -- asking --------------------------------------------------------------------------------------


def _ask(client, method, url, data):
    """One request in a savepoint of its own, the client's cookies put back after it: a POST
    that succeeds, or a page that signs the person out, changes nothing for the next request."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            response = client.get(url) if method == "get" else client.post(url, data)
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return response


def _matches(expected, response, url):
    status = response.status_code
    if expected == LOGIN:
        if status != 302:
            return False
        location = urlsplit(response["Location"])
        next_values = parse_qs(location.query).get("next", [])
        return "login" in location.path and next_values == [url]
    if isinstance(expected, tuple):
        return status in expected
    return status == expected


def _describe(response):
    text = str(response.status_code)
    if response.status_code in (301, 302):
        text += f" → {response['Location']}"
    if response.status_code >= 500 and getattr(response, "exc_info", None):
        text += f" ({response.exc_info[1]!r})"
    return text


def _check(world, clients, url, expectations, method, data=None):
    wrong = []
    for role in ROLES:
        if role not in expectations:
            continue
        response = _ask(clients[role], method, url, data or {})
        expected = expectations[role]
        if not _matches(expected, response, url):
            wrong.append(
                f"{method.upper()} {url} as {role}: expected {expected}, got {_describe(response)}"
            )
    return wrong


@pytest.mark.parametrize("entry", CASES, ids=[c.id for c in CASES])
def test_matrix(entry, world, clients):
    url = entry.url(world)
    wrong = _check(world, clients, url, entry.get, "get")
    if entry.post is not None:
        wrong += _check(world, clients, url, entry.post, "post", entry.body(world))
    assert not wrong, "\n".join(wrong)


# -- the prefix rules, on every URL they cover ----------------------------------------------------

DUMMIES = ("1", "x", "1-x", "0-0")


def _dummy_url(routes):
    """A URL of the pattern with made-up arguments (the view must refuse or answer sensibly)."""
    from django.urls import NoReverseMatch

    for route in routes:
        pattern = route.pattern.pattern
        names = list(getattr(pattern, "converters", {}) or pattern.regex.groupindex)
        names = [n for n in names if n != "format"]
        for dummy in DUMMIES:
            try:
                return reverse(route.name, kwargs=dict.fromkeys(names, dummy))
            except NoReverseMatch:
                continue
    return None


def _ruled():
    by_name = {}
    for route in walk():
        ruled = rule_for(route)
        if ruled and route.name not in MATRIX:
            by_name.setdefault((ruled[0], route.name), []).append(route)
    return by_name


RULED = _ruled()


@pytest.mark.parametrize("prefix", list(PREFIX_RULES))
def test_prefix_rule(prefix, world, clients):
    urls = sorted(
        {
            url
            for (rule, _name), routes in RULED.items()
            if rule == prefix
            if (url := _dummy_url(routes))
        }  # fmt: skip
    )
    assert len(urls) >= 5, f"the rule for {prefix} covers its tree"
    wrong = []
    for url in urls:
        wrong += _check(world, clients, url, PREFIX_RULES[prefix], "get")
    assert not wrong, "\n".join(wrong)


# -- visitors and private pages -----------------------------------------------------------------


# The Django admin's login and logout: they only hand a visitor over to allauth's own pages.
HANDOVERS = {"admin:login", "admin:logout"}


def test_private_pages_send_visitors_to_login_with_next(world, clients):
    """A page some signed-in person may not open is never shown to a visitor: they are sent to
    the login page, which brings them back (`next`, query string kept) — or, for a record that
    is not public, told it does not exist."""
    api = {r.name for r in walk() if r.route.startswith("api/")}
    private = []
    for entry in CASES:
        if entry.name in api or not is_project_name(entry.name):
            continue
        signed_in = {entry.get[role] for role in SIGNED_IN}
        if signed_in == {200}:
            continue  # public
        if entry.name in HANDOVERS:
            continue
        assert entry.get["anon"] in (LOGIN, 404), (
            f"{entry.id}: a visitor must be sent to login, not {entry.get['anon']}"
        )
        if entry.get["anon"] == LOGIN:
            private.append(entry)
    assert len(private) >= 30
    wrong = []
    for entry in private:
        for language in ("vi", "en"):  # the English pages live under /en/
            with translation.override(language):
                url = entry.url(world)
            url = f"{url}{'&' if '?' in url else '?'}page=2"
            response = _ask(clients["anon"], "get", url, {})
            if not _matches(LOGIN, response, url):
                wrong.append(f"{url}: {_describe(response)}")
    assert not wrong, "\n".join(wrong)


def is_project_name(name):
    return any(is_project(route) for route in walk() if route.name == name)


# -- Wagtail's login forms ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/login/", "/_util/login/", "/en/_util/login/"])
def test_wagtail_login_forms_sign_nobody_in_and_lead_to_allauth(client, path):
    """They took a password alone (no rate limit, no two-factor) and let an officer in."""
    response = client.post(path, {"username": "officer", "password": "AnGiang@2025"})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path.endswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/proposals/").status_code == 302
    response = client.get(f"{path}?next=/admin/pages/")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == ["/admin/pages/"]


# -- the refusals fixed with the matrix, at the function and through the view -------------------


def test_only_a_business_asks_for_a_transfer_and_never_of_its_own(world, clients):
    from django.contrib.auth.models import Group
    from django.core.exceptions import PermissionDenied

    from transfer import workflow
    from transfer.models import Technology, TransferDeal

    technology = Technology.objects.get(pk=world.ids["technology"])
    message = "Chúng tôi cần công nghệ này cho 20 ha."
    for role in ("res", "res2", "rev", "off", "man", "su"):
        with pytest.raises(PermissionDenied):
            workflow.request_deal(technology, by=world.user(role), message=message)
    owner = world.user("res")
    owner.groups.add(Group.objects.get(name="business"))  # an owner who is a business too
    with pytest.raises(PermissionDenied):
        workflow.request_deal(technology, by=get_user(owner.pk), message=message)
    before = TransferDeal.objects.count()
    url = reverse("technology_interest", args=[technology.pk])
    for role in ("res", "res2", "off"):
        assert _ask(clients[role], "post", url, {"message": message}).status_code == 403
    assert TransferDeal.objects.count() == before
    response = clients["biz2"].post(url, {"message": message})
    assert response.status_code == 302
    assert TransferDeal.objects.filter(
        technology=technology, business__pk=world.users["biz2"]
    ).exists()


def test_only_the_parties_record_a_deals_terms(world, clients):
    import datetime

    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    from tests.samples import pdf
    from transfer import workflow
    from transfer.models import TransferDeal

    deal = TransferDeal.objects.get(pk=world.ids["deal_agreed"])
    terms = {
        "mode": deal.mode, "value": 250_000_000, "payment": "lump_sum", "term_months": 6,
        "signed_on": timezone.localdate() - datetime.timedelta(days=1),
    }  # fmt: skip
    with pytest.raises(PermissionDenied):
        workflow.record_terms(deal, by=world.user("off"), **terms)
    url = reverse("deal_action", args=[deal.pk, "record_terms"])
    posted = {**terms, "signed_on": terms["signed_on"].isoformat(), "agreement": pdf()}
    assert _ask(clients["off"], "post", url, posted).status_code == 403
    posted["agreement"] = pdf()
    assert _ask(clients["biz"], "post", url, posted).status_code == 302
    deal.refresh_from_db()
    assert deal.value != 250_000_000  # each request above was rolled back


def get_user(pk):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=pk)


def test_a_get_of_the_wagtail_admin_logout_signs_nobody_out(client_as):
    """It did: an image on any page could sign an officer out. allauth's logout asks first."""
    officer = client_as("officer@example.org")
    response = officer.get("/admin/logout/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/accounts/logout/"
    assert officer.get("/accounts/logout/").status_code == 200  # the question, not the deed
    assert officer.get("/dashboard/").status_code == 200


# -- the token column: an integration token is held to the web's rules -----------------------------

# How a token's answer follows from the matrix (issue 15, "the API permission matrix equal to the
# web's, tokens included"): on the API a token with every scope answers as the officer who issued
# it, one with the `public` scope alone as a visitor on the public reads and 403 elsewhere; on the
# web pages a bearer token counts for nothing (a visitor's answer).
TOKEN_EXCEPTIONS = {
    # The index of links is for people browsing the API in a session; a token names no scope
    # for it (core.rest.TokenScopePermission), and integrators read the public /api/schema/.
    "api-root": {"tok": 403, "tok_public": 403},
}


@pytest.fixture(scope="module")
def token_clients(world, django_db_blocker):
    from django.test import Client

    from portal import tokens
    from portal.models import TokenScope

    with django_db_blocker.unblock():
        officer = world.user("off")
        _every, every = tokens.issue(
            name="Matrix: every scope", scopes=TokenScope.values, by=officer
        )
        _public, public = tokens.issue(name="Matrix: public data", scopes=["public"], by=officer)
    return {
        name: Client(raise_request_exception=False, headers={"Authorization": f"Bearer {secret}"})
        for name, secret in (("tok", every), ("tok_public", public))
    }


def _token_expectation(entry, token, method):
    expected = getattr(entry, method)
    if entry.name in TOKEN_EXCEPTIONS:
        return TOKEN_EXCEPTIONS[entry.name][token]
    if not any(r.route.startswith("api/") for r in walk() if r.name == entry.name):
        return expected["anon"]
    if token == "tok":
        return expected["off"]
    public = entry.get["anon"] == 200 or entry.get["anon"] == 404 and entry.get["off"] == 404
    return expected["anon"] if public else 403


API_CASES = [
    c for c in CASES if any(r.route.startswith("api/") for r in walk() if r.name == c.name)
]
WEB_SAMPLE = [
    c
    for c in CASES
    if c.name in {"dashboard", "proposal_detail", "proposal_queue", "integration_tokens", "profile"}
]


@pytest.mark.parametrize(
    "entry", API_CASES + WEB_SAMPLE, ids=[c.id for c in API_CASES + WEB_SAMPLE]
)
def test_token_column(entry, world, token_clients):
    url = entry.url(world)
    wrong = []
    for token, client in token_clients.items():
        for method in ("get", "post"):
            if getattr(entry, method) is None:
                continue
            data = entry.body(world) if method == "post" else {}
            response = _ask(client, method, url, data)
            expected = _token_expectation(entry, token, method)
            if not _matches(expected, response, url):
                wrong.append(
                    f"{method.upper()} {url} with {token}: expected {expected}, got "
                    f"{_describe(response)}"
                )
    assert not wrong, "\n".join(wrong)
