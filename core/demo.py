"""The demo site: home page, admin account."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from core.models import HomePage

DEMO_ADMIN_USERNAME = "admin"

HOME_INTRO = (
    "<p>嘉兴市公共服务质量满意度监测平台：由第三方评估机构组织调查，"
    "以科学、客观的方法测评教育、公共交通、医疗、养老、旅游、金融和物流服务的满意度，"
    "并向社会公开结果，接受公众监督。</p>"
)
HOME_INTRO_EN = (
    "<p>Jiaxing's public-service satisfaction monitor: third-party assessors run "
    "the surveys, satisfaction with education, public transport, medical care, "
    "elderly care, tourism, finance and logistics is measured scientifically and "
    "objectively, and the results are opened to public supervision.</p>"
)


def ensure_tree_root() -> Page:
    """Wagtail's root page (and default locale), recreated if a flush removed them.

    Wagtail's migrations create both; a database emptied since (a flush, a
    restore of data only) would otherwise have nowhere to put the site.
    """
    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    return root


@transaction.atomic
def ensure_home_page() -> HomePage:
    """The single HomePage, made the default site's root (replacing Wagtail's)."""
    home = HomePage.objects.first()
    if home is None:
        home = ensure_tree_root().add_child(
            instance=HomePage(
                title="嘉兴市公共服务满意度",
                title_en="Jiaxing public-service satisfaction",
                slug="satisfaction",
                intro=HOME_INTRO,
                intro_en=HOME_INTRO_EN,
            )
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="嘉兴市公共服务满意度",
        )
    elif site.root_page_id != home.pk:
        previous = site.root_page
        site.root_page = home
        site.save()
        if previous.specific_class is Page and not previous.get_children().exists():
            previous.delete()
    return home


def ensure_demo_admin(password_file: Path) -> tuple[str, str]:
    """A superuser whose password is kept in ``password_file`` for this checkout."""
    if password_file.exists():
        password = password_file.read_text().strip()
    else:
        password = secrets.token_urlsafe(12)
        password_file.write_text(password)
        password_file.chmod(0o600)
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=DEMO_ADMIN_USERNAME, defaults={"email": "admin@example.org"}
    )
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    return DEMO_ADMIN_USERNAME, password
