"""Settings for the type checker only (pyproject's [tool.django-stubs]): the test settings without modeltranslation.

django-modeltranslation replaces every translated model's managers with classes it builds at start-up, which
django-stubs cannot resolve ("Could not resolve manager type"); without the app, the checker sees the models'
own managers, which are what the code calls. The translated columns (`name_en`, `name_ur`, ...) are only ever
named as strings (querysets, the loader, the admin), which the checker does not resolve.
"""

from .test import *  # noqa: F403
from .test import INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "modeltranslation"]
