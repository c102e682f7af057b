"""Load the An Giang demo (DESIGN.md → Demo data). Safe to run again: it only adds what is missing."""

import datetime
import time
from contextlib import contextmanager

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.text import slugify
from modelsearch import index as search_index
from modelsearch import signal_handlers as search_signal_handlers
from modelsearch.tasks import insert_or_update_object_task
from wagtail.documents.models import Document
from wagtail.models import Collection, Locale, Page, ReferenceIndex, Site
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.tasks import update_reference_index_task

from cms.models import HomePage, NewsIndexPage, NewsPage, Sector, SiteSettings, StandardPage
from core import demo_signing, roles
from core.docx import build_docx
from grants.models import CallIndexPage, CallPage, CallTemplate, Rubric, RubricCriterion
from portal import demo_data
from portal.permissions import sync_role_permissions
from researchers.models import Organisation, Profile


@contextmanager
def indexed_once():
    """Wagtail indexes the references of an object, and the search index its text, each time it
    is saved (a page is saved four or five times while it is created, translated and published);
    here each object saved is indexed once, at the end, with Wagtail's and modelsearch's own
    tasks."""
    tracked = set(ReferenceIndex.tracked_models)
    indexed = {
        m for m in search_index.get_indexed_models() if getattr(m, "search_auto_update", True)
    }
    saved = {}  # (app label, model name, pk) -> (model, the tasks that index it)

    def remember(sender, instance, raw=False, **kwargs):
        tasks = [
            task
            for task, wanted in (
                (update_reference_index_task, tracked),
                (insert_or_update_object_task, indexed),
            )
            if sender in wanted
        ]
        if not raw and tasks:
            saved[(sender._meta.app_label, sender._meta.model_name, str(instance.pk))] = (
                sender,
                tasks,
            )

    post_save.connect(remember, weak=False, dispatch_uid="seed_demo_indexes")
    for model in indexed:
        post_save.disconnect(search_signal_handlers.post_save_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        post_save.disconnect(dispatch_uid="seed_demo_indexes")
        for model in indexed:
            post_save.connect(search_signal_handlers.post_save_signal_handler, sender=model)
    for (app_label, model_name, pk), (model, tasks) in sorted(
        saved.items(), key=lambda item: item[0]
    ):
        if model.objects.filter(pk=pk).exists():  # not deleted since (Wagtail's welcome page)
            for task in tasks:
                task.enqueue(app_label, model_name, pk)


class Command(BaseCommand):
    help = "Create the An Giang demo data and accounts (idempotent)."

    def handle(self, *args, **options):
        started = time.monotonic()

        def stage(text):
            self.stdout.write(f"[{time.monotonic() - started:5.1f} s] {text}")

        stage("Signing certificate of the demo")
        demo_signing.ensure()  # the throwaway certificate the demo's decisions are signed with
        with transaction.atomic(), indexed_once():
            self.vi = Locale.objects.get_or_create(language_code="vi")[0]
            self.en = Locale.objects.get_or_create(language_code="en")[0]
            # The role groups first: in a flushed database (the PostgreSQL concurrency tests
            # seed again after each test) post_migrate has not run, and people get their roles.
            sync_role_permissions()
            stage(
                "Sectors, organisations, people, memberships, consents and personal-data requests"
            )
            sectors = self.seed_sectors()
            organisations = self.seed_organisations()
            self.seed_people(organisations)
            self.seed_memberships(organisations)
            self.seed_consents()
            self.seed_requests_answered(organisations)
            stage("Pages: home, about, guidance, privacy")
            home = self.seed_home()
            self.seed_site_settings(home)
            self.seed_standard_pages(home)
            stage("Calls with their templates and rubrics")
            documents = self.seed_templates()
            rubrics = self.seed_rubrics()
            # The pangasius call scores on the pilot-production sheet; the others on the default.
            self.seed_calls(home, sectors, documents, rubrics={"AG-TS01": rubrics[1]})
            stage("News")
            self.seed_news(home, sectors)
            stage("Proposals in every state, through the workflow (councils, decisions, contracts)")
            self.seed_proposals()
            stage("The market: technologies, needs and deals, through the workflow")
            self.seed_catalogue(organisations)
            # Officers' CMS rights hang on the root page and collection: in a flushed database
            # this command re-created both, after post_migrate had found neither.
            sync_role_permissions()
        stage("Done")
        self.print_accounts()

    # -- people -----------------------------------------------------------------------------

    def seed_sectors(self):
        sectors = {}
        for order, (slug, name, name_en, description) in enumerate(demo_data.SECTORS):
            sectors[slug], _ = Sector.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "description": description,
                    "sort_order": order,
                },
            )
        return sectors

    def seed_organisations(self):
        organisations = {}
        for key, kind, name, short, tax_code, province, website in demo_data.ORGANISATIONS:
            organisations[key], _ = Organisation.objects.get_or_create(
                name=name,
                defaults={
                    "kind": kind,
                    "short_name": short,
                    "tax_code": tax_code,
                    "province": province,
                    "website": website,
                },
            )
        return organisations

    def seed_people(self, organisations):
        user_model = get_user_model()
        # The demo password is public: hashed once (a full PBKDF2 run, a good part of the whole
        # seed's time when done per account) and that one hash given to every demo account.
        hashed = None
        for email, name, title, _org, role_names, position, expertise, orcid in demo_data.PEOPLE:
            user, created = user_model.objects.get_or_create(
                username=email.split("@")[0], defaults={"email": email, "first_name": name}
            )
            if created:
                hashed = hashed or make_password(settings.PORTAL_DEMO_PASSWORD)
                user.password = hashed
                user.is_superuser = user.is_staff = email.startswith("admin@")
                user.save()
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            Profile.objects.get_or_create(
                user=user,
                defaults={
                    "full_name": name,
                    "title": title,
                    "position": position,
                    "expertise": expertise,
                    "orcid": orcid,
                    "data_consent_at": timezone.now(),
                },
            )
            user.groups.add(*Group.objects.filter(name__in=role_names))
            if roles.requires_two_factor(user):
                has_totp = Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
                if not has_totp:
                    TOTP.activate(user, settings.PORTAL_DEMO_TOTP_SECRET)

    def seed_memberships(self, organisations):
        """Each demo person asks to join their organisation and the demo officer confirms it,
        through researchers.workflow as people would (the officer's own membership is
        confirmed by the system: nobody decides their own); one request stays waiting."""
        from researchers import workflow
        from researchers.models import Membership

        users = get_user_model().objects
        officer = users.get(email="officer@example.org")
        for email, _name, _title, org, *_rest in demo_data.PEOPLE:
            user = users.get(email=email)
            if Membership.objects.filter(user=user).exists():
                continue
            membership = workflow.request_membership(user, by=user, organisation=organisations[org])
            if email in demo_data.PENDING_MEMBERSHIPS:
                continue
            decider = None if user == officer else officer
            workflow.confirm(membership, by=decider, notify=False)

    def seed_consents(self):
        """The demo's people gave every consent at signup (Law 91/2025: one record per purpose)."""
        from researchers import privacy

        emails = [person[0] for person in demo_data.PEOPLE]
        for user in get_user_model().objects.filter(email__in=emails):
            for purpose in privacy.CONSENT_TEXTS:
                privacy.give_consent(user, purpose)

    def seed_requests_answered(self, organisations):
        """The other ends of the people's requests, through the same workflows: a request to
        move to another organisation refused by the officer, one withdrawn by the person; a
        personal-data correction carried out, one refused with its reason, one still open."""
        from researchers import privacy, workflow
        from researchers.models import DataRequest, Membership

        users = get_user_model().objects
        officer = users.get(email="officer@example.org")
        moves = demo_data.MEMBERSHIP_CHANGES
        for email, org, decision, note in moves:
            user = users.get(email=email)
            if Membership.objects.filter(user=user, state__in=["refused", "ended"]).exists():
                continue
            asked = workflow.request_membership(user, by=user, organisation=organisations[org])
            if decision == "refuse":
                workflow.refuse(asked, by=officer, note=note, notify=False)
            else:
                workflow.end(asked, by=user, note=note, notify=False)
        for email, text, answer in demo_data.DATA_REQUESTS:
            user = users.get(email=email)
            if DataRequest.objects.filter(user=user).exists():
                continue
            asked = privacy.open_request(user, DataRequest.Kind.CORRECTION, text)
            if answer is not None:
                done, reply = answer
                privacy.answer_request(asked, by=officer, done=done, answer=reply)

    # -- pages ------------------------------------------------------------------------------

    def publish(self, page):
        page.save_revision().publish()
        return page

    def child(self, parent, model, slug, **fields):
        """The live child page with this slug, created and published if missing."""
        existing = model.objects.child_of(parent).filter(slug=slug).first()
        if existing:
            return existing
        page = model(slug=slug, locale=parent.locale, **fields)
        parent.add_child(instance=page)
        return self.publish(page)

    def translate(self, page, **fields):
        """The English version of `page`, created from it with English fields if missing."""
        existing = page.get_translations().filter(locale=self.en).first()
        if existing:
            return existing.specific
        translated = page.copy_for_translation(self.en, copy_parents=True)
        for name, value in fields.items():
            setattr(translated, name, value)
        translated.save()
        return self.publish(translated)

    def seed_home(self):
        root = Page.get_first_root_node()
        if root is None:  # a flushed database (transactional tests) has lost Wagtail's root
            root = Page.add_root(instance=Page(title="Root", slug="root", locale=self.vi))
        home = HomePage.objects.filter(locale=self.vi).first()
        if home is None:
            home = HomePage(
                title="Trang chủ",
                slug="trang-chu",
                locale=self.vi,
                hero_title="Khoa học, công nghệ và đổi mới sáng tạo cho An Giang",
                hero_text=(
                    "Nộp đề xuất nhiệm vụ khoa học và công nghệ, theo dõi hồ sơ trực tuyến và "
                    "tìm công nghệ từ các trường, viện cho doanh nghiệp của tỉnh."
                ),
                seo_title="Cổng Đổi mới sáng tạo An Giang",
            )
            root.add_child(instance=home)
            self.publish(home)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            site = Site(hostname="localhost", port=80, is_default_site=True)
        if site.root_page_id != home.pk:
            old_root = site.root_page if site.pk else None
            site.root_page = home
            site.site_name = "Cổng Đổi mới sáng tạo An Giang"
            site.save()
            # Wagtail's "Welcome" placeholder page is no longer reachable.
            if old_root and old_root.pk != home.pk and old_root.specific_class is Page:
                old_root.delete()
        self.translate(
            home,
            title="Home",
            hero_title="Science, technology and innovation for An Giang",
            hero_text=(
                "Submit S&T project proposals, follow your dossier online, and find "
                "technologies from universities and institutes for the province's businesses."
            ),
            seo_title="An Giang Innovation Portal",
        )
        return home

    def seed_site_settings(self, home):
        site = Site.objects.get(root_page=home)
        SiteSettings.for_site(site)  # creates the row with the defaults

    def seed_standard_pages(self, home):
        pages = [
            (
                "gioi-thieu",
                "Giới thiệu",
                "About the portal",
                "Cổng Đổi mới sáng tạo là nơi Sở Khoa học và Công nghệ tỉnh An Giang công bố đợt "
                "gọi đề xuất, tiếp nhận hồ sơ, tổ chức đánh giá và kết nối kết quả nghiên cứu với "
                "doanh nghiệp, triển khai Nghị quyết 57-NQ/TW.",
                "The Innovation Portal is where the An Giang Department of Science and Technology "
                "publishes calls, receives dossiers, runs evaluations and connects research "
                "results with businesses, under Resolution 57-NQ/TW.",
            ),
            (
                "huong-dan",
                "Hướng dẫn nộp hồ sơ",
                "How to apply",
                "Đăng ký tài khoản nhà khoa học, xác nhận e-mail, chọn đợt gọi đang mở, bấm "
                "“Nộp hồ sơ” và hoàn thiện thuyết minh theo từng phần trước thời hạn.",
                "Sign up as a researcher, confirm your e-mail, choose an open call, press "
                "“Apply” and complete the proposal section by section before the deadline.",
            ),
            (
                "bao-ve-du-lieu-ca-nhan",
                "Chính sách bảo vệ dữ liệu cá nhân",
                "Privacy notice",
                "Sở xử lý dữ liệu cá nhân của người dùng chỉ để quản lý tài khoản, hồ sơ nhiệm vụ và "
                "hoạt động chuyển giao công nghệ, theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15. "
                "Người dùng có quyền truy cập, chỉnh sửa, xóa và rút lại sự đồng ý.",
                "The Department processes personal data only to run accounts, dossiers and "
                "technology transfer, under the Law on Personal Data Protection 91/2025/QH15. "
                "Users may access, correct, erase and withdraw consent.",
            ),
        ]
        for slug, title, title_en, intro, intro_en in pages:
            page = self.child(home, StandardPage, slug, title=title, intro=intro)
            self.translate(page, title=title_en, intro=intro_en)

    def seed_templates(self):
        if Collection.get_first_root_node() is None:  # lost in a flushed database
            Collection.add_root(name="Root")
        documents = []
        for title, filename, paragraphs in demo_data.TEMPLATES:
            document = Document.objects.filter(title=title).first()
            if document is None:
                document = Document(title=title)
                document.file.save(filename, ContentFile(build_docx(title, paragraphs)), save=False)
                document.save()
            documents.append(document)
        return documents

    def seed_rubrics(self):
        rubrics = []
        for name, is_default, criteria in demo_data.RUBRICS:
            rubric = Rubric.objects.filter(name=name).first()
            if rubric is None:
                rubric = Rubric(name=name, is_default=is_default)
                rubric.criteria = [
                    RubricCriterion(
                        key=key,
                        name=title,
                        name_en=title_en,
                        guidance=guidance,
                        max_points=points,
                        tiebreak=tiebreak,
                    )
                    for key, title, title_en, guidance, points, tiebreak in criteria
                ]
                rubric.save()
            rubrics.append(rubric)
        return rubrics

    def seed_calls(self, home, sectors, documents, rubrics):
        index = self.child(
            home,
            CallIndexPage,
            "calls",
            title="Đợt gọi đề xuất",
            intro="Các đợt tuyển chọn, giao trực tiếp nhiệm vụ khoa học và công nghệ cấp tỉnh.",
        )
        self.translate(
            index,
            title="Calls for proposals",
            intro="Calls to select or commission provincial science and technology projects.",
        )
        today = timezone.localdate()
        for (
            code,
            title,
            title_en,
            sector_slugs,
            opens_in,
            closes_in,
            total,
            cap,
            summary,
            summary_en,
        ) in demo_data.CALLS:
            if CallPage.objects.filter(code=code, locale=self.vi).exists():
                continue
            opens_at = self.local_datetime(today + datetime.timedelta(days=opens_in), 7, 30)
            closes_at = self.local_datetime(today + datetime.timedelta(days=closes_in), 17, 0)
            call = CallPage(
                title=title,
                slug=code.lower(),
                locale=self.vi,
                code=code,
                summary=summary,
                body=demo_data.CALL_BODY,
                eligibility=demo_data.ELIGIBILITY,
                opens_at=opens_at,
                closes_at=closes_at,
                total_budget=total,
                max_per_project=cap,
                min_reviewers=7,
                rubric=rubrics.get(code),
                contact="Phòng Quản lý khoa học, ĐT 0297 3862 000, skhcn@angiang.gov.vn",
            )
            call.sectors = [sectors[slug] for slug in sector_slugs]
            call.templates = [
                CallTemplate(title=doc.title, document=doc, required=position < 3)
                for position, doc in enumerate(documents)
            ]
            index.add_child(instance=call)
            self.publish(call)
            self.translate(
                call,
                title=title_en,
                summary=summary_en,
                body=demo_data.CALL_BODY_EN,
                eligibility=demo_data.ELIGIBILITY_EN,
            )

    def seed_proposals(self):
        from grants.demo import seed_proposals

        users = get_user_model().objects.filter(email__endswith="@example.org")
        people = {user.email.split("@")[0]: user for user in users}
        from projects.demo import run_on

        seed_proposals(
            people=people,
            stdout=self.stdout,
            after_funding=lambda p, target: run_on(p, target, people),
        )

    def seed_catalogue(self, organisations):
        from transfer.demo import seed

        seed(
            technologies=demo_data.TECHNOLOGIES,
            needs=demo_data.NEEDS,
            organisations=organisations,
            sources=demo_data.TECHNOLOGY_SOURCES,
            english=demo_data.TECHNOLOGIES_EN,
            other_listings=demo_data.OTHER_LISTINGS,
            closed_needs=demo_data.CLOSED_NEEDS,
            draft_needs=demo_data.DRAFT_NEEDS,
            deals=demo_data.DEALS,
            stdout=self.stdout,
        )

    def seed_news(self, home, sectors):
        index = self.child(
            home,
            NewsIndexPage,
            "tin-tuc",
            title="Tin tức",
            intro="Tin hoạt động khoa học, công nghệ và đổi mới sáng tạo của tỉnh.",
        )
        self.translate(index, title="News", intro="Science, technology and innovation news.")
        today = timezone.localdate()
        for days_ago, title, title_en, intro, intro_en, sector_slugs in demo_data.NEWS:
            slug = slugify(title_en)[:60]
            if NewsPage.objects.child_of(index).filter(title=title).exists():
                continue
            page = NewsPage(
                title=title,
                slug=slug,
                locale=self.vi,
                intro=intro,
                date=today - datetime.timedelta(days=days_ago),
                body=[("paragraph", f"<p>{intro}</p>")],
            )
            page.sectors = [sectors[s] for s in sector_slugs]
            index.add_child(instance=page)
            self.publish(page)
            self.translate(
                page, title=title_en, intro=intro_en, body=[("paragraph", f"<p>{intro_en}</p>")]
            )

    @staticmethod
    def local_datetime(day, hour, minute):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def print_accounts(self):
        self.stdout.write(self.style.SUCCESS("Demo data ready. Accounts (password AnGiang@2025):"))
        for email, name, _t, _o, role_names, *_rest in demo_data.PEOPLE:
            roles_text = ", ".join(role_names) or "superuser"
            self.stdout.write(f"  {email:<26} {roles_text:<11} {name}")
        self.stdout.write(
            f"  Admin, officer and manager sign in with TOTP; secret {settings.PORTAL_DEMO_TOTP_SECRET} "
            "(any authenticator app, or: .venv/bin/python manage.py demo_totp)."
        )
