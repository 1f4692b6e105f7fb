from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from core.health import healthz

# A database connection failure raised outside a view is a 503 too.
handler500 = "core.unavailable.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("analysis.api_urls")),
    # Before the admin's own URLs: the second factor is asked for under /admin/.
    path("admin/two-factor/", include("accounts.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("surveys.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Public pages: Chinese at the root, English under /en/.
urlpatterns += i18n_patterns(
    path("complaints/", include("complaints.urls")),
    path("results/", include("analysis.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
