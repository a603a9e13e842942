app_name = "hazards"

urlpatterns = []
