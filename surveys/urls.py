from django.urls import path

from surveys import api

urlpatterns = [
    path(
        "q/<int:survey_id>/<slug:point>/<str:mac>/",
        api.short_link,
        name="surveys_short_link",
    ),
    path(
        "api/surveys/<int:survey_id>/starts/",
        api.start_response,
        name="surveys_api_start",
    ),
    path(
        "api/surveys/<int:survey_id>/responses/",
        api.submit_response,
        name="surveys_api_submit",
    ),
]
