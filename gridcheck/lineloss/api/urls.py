"""Line-loss API routes, mounted at /api/lineloss/."""

from rest_framework.routers import DefaultRouter

from gridcheck.lineloss.api import views

router = DefaultRouter()
router.register("area-months", views.AreaMonthLossViewSet, basename="areamonthloss")
router.register("line-months", views.LineMonthLossViewSet, basename="linemonthloss")
router.register("runs", views.AnalysisRunViewSet, basename="analysisrun")
router.register("targets", views.LossTargetViewSet, basename="losstarget")
router.register("indicators", views.StationLossIndicatorViewSet, basename="lossindicator")
router.register("line-targets", views.LineLossTargetViewSet, basename="linelosstarget")
router.register("analyses", views.LossAnalysisViewSet, basename="lossanalysis")
router.register("plans", views.RectificationPlanViewSet, basename="rectificationplan")
router.register("theoretical", views.TheoreticalLossViewSet, basename="theoreticalloss")

urlpatterns = router.urls
