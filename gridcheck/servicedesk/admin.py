from django.contrib import admin

from gridcheck.servicedesk.models import BusinessLead, Complaint, Consultation, KnowledgeArticle


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("id", "station", "customer", "topic", "subject", "status", "due_at")
    list_filter = ("status", "topic")


admin.site.register(KnowledgeArticle)
admin.site.register(Complaint)
admin.site.register(BusinessLead)
