from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from exchange.forms import EXPORT_PERMISSION, allowed_kinds


@hooks.register("register_admin_urls")
def register_exchange_urls():
    return [path("exchange/", include("exchange.urls", namespace="exchange"))]


class ExchangeMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        user = request.user
        return bool(allowed_kinds(user)) or user.has_perm(EXPORT_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_exchange_menu_item():
    return ExchangeMenuItem(
        _("Imports and exports"),
        reverse("exchange:index"),
        name="exchange",
        icon_name="download",
        order=320,
    )
