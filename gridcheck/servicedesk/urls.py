from django.urls import path

from gridcheck.servicedesk import views

app_name = "servicedesk"

urlpatterns = [
    path("", views.ConsultationListView.as_view(), name="consultation_list"),
    path("consultations/<int:pk>/", views.ConsultationDetailView.as_view(), name="consultation_detail"),
    path(
        "consultations/<int:pk>/publish/",
        views.ConsultationPublishView.as_view(),
        name="consultation_publish",
    ),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("knowledge/", views.KnowledgeListView.as_view(), name="knowledge_list"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("complaints/", views.ComplaintListView.as_view(), name="complaint_list"),
    path("complaints/new/", views.ComplaintEnterView.as_view(), name="complaint_enter"),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint_detail"),
    path("complaints/<int:pk>/close/", views.ComplaintCloseView.as_view(), name="complaint_close"),
    path("leads/", views.LeadListView.as_view(), name="lead_list"),
    path("leads/<int:pk>/follow-up/", views.LeadFollowUpView.as_view(), name="lead_follow_up"),
    path("guidance/", views.GuidanceListView.as_view(), name="guidance_list"),
    path("guidance/<int:pk>/", views.GuidanceDetailView.as_view(), name="guidance_detail"),
    path(
        "guidance/versions/<int:pk>/pdf/", views.GuidanceAttachmentView.as_view(), name="guidance_attachment"
    ),
    path("portal/guidance/", views.PortalGuidanceView.as_view(), name="portal_guidance"),
    path(
        "portal/guidance/<int:pk>/", views.PortalGuidanceDetailView.as_view(), name="portal_guidance_detail"
    ),
    path("announcements/", views.AnnouncementListView.as_view(), name="announcement_list"),
    path("portal/announcements/", views.PortalAnnouncementView.as_view(), name="portal_announcements"),
    path("trainings/", views.TrainingListView.as_view(), name="training_list"),
    path("trainings/<int:pk>/", views.TrainingDetailView.as_view(), name="training_detail"),
    path("trainings/<int:pk>/qr.svg", views.TrainingQrView.as_view(), name="training_qr"),
    path("trainings/<int:pk>/material/", views.TrainingMaterialView.as_view(), name="training_material"),
    path("portal/trainings/", views.PortalTrainingsView.as_view(), name="portal_trainings"),
    path("portal/trainings/<int:pk>/", views.PortalTrainingView.as_view(), name="portal_training"),
    path(
        "portal/trainings/<int:pk>/sign/", views.PortalTrainingSignView.as_view(), name="portal_training_sign"
    ),
    path("forum/", views.ForumListView.as_view(), name="forum_list"),
    path("forum/<int:pk>/", views.ForumThreadView.as_view(), name="forum_thread"),
    path("forum/<int:pk>/moderate/", views.ForumModerateView.as_view(), name="forum_moderate"),
    path("portal/forum/", views.PortalForumView.as_view(), name="portal_forum"),
    path("portal/forum/<int:pk>/", views.PortalForumThreadView.as_view(), name="portal_forum_thread"),
    path("forum/attachments/<int:pk>/", views.ForumAttachmentView.as_view(), name="forum_attachment"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignFormView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignFormView.as_view(), name="campaign_edit"),
    path("campaigns/<int:pk>/step/", views.CampaignStepView.as_view(), name="campaign_step"),
    path("campaigns/photos/<int:pk>/", views.CampaignPhotoView.as_view(), name="campaign_photo"),
    path("typical-cases/", views.TypicalCaseListView.as_view(), name="typical_case_list"),
    path("typical-cases/<int:pk>/", views.TypicalCaseDetailView.as_view(), name="typical_case_detail"),
    path("typical-cases/<int:pk>/step/", views.TypicalCaseStepView.as_view(), name="typical_case_step"),
    path("portal/typical-cases/", views.PortalTypicalCasesView.as_view(), name="portal_typical_cases"),
    path("portal/", views.PortalHomeView.as_view(), name="portal"),
    path("portal/ask/", views.PortalAskView.as_view(), name="portal_ask"),
    path(
        "portal/consultations/<int:pk>/", views.PortalConsultationView.as_view(), name="portal_consultation"
    ),
    path("portal/knowledge/", views.PortalKnowledgeView.as_view(), name="portal_knowledge"),
    path("portal/complaint/", views.PortalComplaintView.as_view(), name="portal_complaint"),
    path("portal/feedback/", views.PortalFeedbackView.as_view(), name="portal_feedback"),
]
