"""Unfold's look for the admin's own forms (credit or debit, reversal, imports, simulation).

A ModelAdmin gives its model forms unfold's widgets; the plain forms of the admin's own pages
get them from UnfoldForm, which swaps each field's Django widget for unfold's equivalent and
keeps its attributes and choices.
"""

from django import forms
from django.contrib.admin import widgets as admin_widgets
from unfold import widgets as unfold

# Django widget class -> unfold's; exact classes, so that a subclass keeps its own behaviour.
_EQUIVALENTS = {
    forms.TextInput: unfold.UnfoldAdminTextInputWidget,
    forms.NumberInput: unfold.UnfoldAdminIntegerFieldWidget,
    forms.Select: unfold.UnfoldAdminSelectWidget,
    forms.RadioSelect: unfold.UnfoldAdminRadioSelectWidget,
    forms.Textarea: unfold.UnfoldAdminTextareaWidget,
    forms.ClearableFileInput: unfold.UnfoldAdminFileFieldWidget,
    admin_widgets.AdminSplitDateTime: unfold.UnfoldAdminSplitDateTimeWidget,
}


class UnfoldForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            replacement = _EQUIVALENTS.get(type(field.widget))
            if replacement is None:
                continue
            widget = replacement(attrs=dict(field.widget.attrs))
            if hasattr(field, "choices"):
                widget.choices = field.choices
            field.widget = widget
