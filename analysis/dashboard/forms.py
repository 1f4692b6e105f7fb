"""The dashboard's filters: wave, sector, district, channel (all optional)."""

from __future__ import annotations

from django import forms

from analysis.dashboard.labels import words
from analysis.models import Wave
from core.i18n import localized_value
from surveys.models import Region, Sector
from surveys.models.choices import Channel


class DashboardFilterForm(forms.Form):
    """Unknown codes are form errors (a 400 page), never a server error."""

    wave = forms.ChoiceField(required=False)
    sector = forms.ChoiceField(required=False)
    district = forms.ChoiceField(required=False)
    channel = forms.ChoiceField(required=False)

    def __init__(self, *args, waves: list[Wave], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        w = words(language)
        everything = [("", w["all"])]
        self.fields["wave"].choices = [
            (wave.slug, str(localized_value(wave, "name", language)))
            for wave in reversed(waves)
        ]
        self.fields["wave"].label = w["wave"]
        self.fields["sector"].choices = everything + [
            (s.code, str(localized_value(s, "name", language)))
            for s in Sector.objects.all()
        ]
        self.fields["sector"].label = w["sector"]
        self.fields["district"].choices = everything + [
            (r.code, str(localized_value(r, "name", language)))
            for r in Region.objects.all()
        ]
        self.fields["district"].label = w["district"]
        self.fields["channel"].choices = everything + list(Channel.choices)
        self.fields["channel"].label = w["channel"]
