from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from gridcheck.users.models import Qualification, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Gridcheck", {"fields": ("full_name", "employee_number", "phone", "role", "station")}),
    )
    list_display = ("username", "full_name", "role", "station", "is_active")
    list_filter = ("role", "station", "is_active")


admin.site.register(Qualification, SimpleHistoryAdmin)
