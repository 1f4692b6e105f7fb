from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from surveys.models import Region, Sector, ServicePoint


class SectorViewSet(SnippetViewSet):
    model = Sector
    icon = "folder-open-inverse"
    list_display = ["code", "name", "name_en", "service_class"]
    list_filter = ["service_class"]
    search_fields = ["code", "name", "name_en"]


class RegionViewSet(SnippetViewSet):
    model = Region
    icon = "site"
    list_display = ["code", "name", "name_en", "kind"]
    search_fields = ["code", "name", "name_en"]


class ServicePointViewSet(SnippetViewSet):
    model = ServicePoint
    icon = "pick"
    list_display = ["code", "name", "sector", "region", "active"]
    list_filter = ["sector", "region", "active"]
    search_fields = ["code", "name", "name_en"]


class ReferenceDataGroup(SnippetViewSetGroup):
    menu_label = _("Reference data")
    menu_icon = "list-ul"
    menu_order = 300
    items = (SectorViewSet, RegionViewSet, ServicePointViewSet)


register_snippet(ReferenceDataGroup)
