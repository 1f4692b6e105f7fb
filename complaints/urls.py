from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("new/", views.complaint_new, name="new"),
    path("new/<slug:point>/", views.complaint_new, name="new_at"),
    path(
        "track/<str:reference>/<str:secret>/",
        views.complaint_track,
        name="track",
    ),
]
