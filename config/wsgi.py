from django.core.wsgi import get_wsgi_application

from config.env import settings_module

settings_module()
application = get_wsgi_application()
