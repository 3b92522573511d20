from django import forms
from django.utils.translation import gettext_lazy as _

from cistern.metering.domain.read_files import MAX_FILE_BYTES
from cistern.metering.models import ReadImport


class ReadImportForm(forms.Form):
    layout = forms.ChoiceField(label=_("File layout"), choices=ReadImport.Layout.choices)
    file = forms.FileField(label=_("Read file (CSV)"))

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class ReviewForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CorrectForm(forms.Form):
    raw_value = forms.IntegerField(label=_("Correct register reading"), min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=300)
