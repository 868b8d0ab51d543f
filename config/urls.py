from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("精致幸福社区示范创建管理系统")
admin.site.site_title = _("系统管理")
admin.site.index_title = _("系统管理")

urlpatterns = [
    path("", include("campaign.urls")),
    path("", include("scoring.urls")),
    path("standards/", include("standards.urls")),
    path("admin/", admin.site.urls),
]
