from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


class TokenField(forms.CharField):
    """Six digits; the spaces some apps show between groups are dropped."""

    default_validators = [RegexValidator(r"^\d{6}$", _("Enter the 6-digit code."))]

    def to_python(self, value):
        return "".join(super().to_python(value).split())


class TokenForm(forms.Form):
    otp_token = TokenField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )
