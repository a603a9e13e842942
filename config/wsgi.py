import gc

from django.core.wsgi import get_wsgi_application

from config.env import settings_module

settings_module()
application = get_wsgi_application()
# What is loaded by now (Django, the apps, their modules: some 270,000 objects) lives as long as the
# worker: frozen out of the garbage collector's reach, its full collections no longer walk it (one every
# fifteen-odd list pages took about 120 ms, a pause for whichever request it fell on).
gc.freeze()
