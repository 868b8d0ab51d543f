"""The district admin's small forms: a return's comment, a recommendation's rank and reason."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("退回意见"), max_length=1000, widget=forms.Textarea)


class RecommendForm(forms.Form):
    rank = forms.IntegerField(label=_("推荐排序"), min_value=1, max_value=999)
    reason = forms.CharField(label=_("推荐理由"), max_length=1000, widget=forms.Textarea)
