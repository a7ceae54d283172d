"""Create the Editors group: the delivery unit that keeps the data current.

Editors add and change content (targets, their trajectory and measurements,
milestones and their evidence, incentives, hubs, sources) but cannot manage
users or groups; only superusers can.
"""

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITABLE = {
    "pillars": ["target", "trajectorypoint", "measurement", "milestone", "milestoneevidence", "risk", "pillar"],
    "incentives": ["incentive"],
    "hubs": ["hub"],
    "sources": ["source"],
}
# Children an editor may remove (a mistyped figure, a wrong interim point).
DELETABLE = {"pillars": ["trajectorypoint", "measurement", "milestoneevidence"]}
READ_ONLY = {"pillars": ["policy", "targetsnapshot", "milestonesnapshot", "rollupsnapshot", "recomputerun"]}


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=settings.EDITORS_GROUP_NAME)

    codenames = []
    for app_label, models in EDITABLE.items():
        for model in models:
            codenames += [(app_label, f"{action}_{model}") for action in ("add", "change", "view")]
    for app_label, models in DELETABLE.items():
        codenames += [(app_label, f"delete_{model}") for model in models]
    for app_label, models in READ_ONLY.items():
        codenames += [(app_label, f"view_{model}") for model in models]

    for app_label, codename in codenames:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=settings.EDITORS_GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("pillars", "0001_initial"),
        ("incentives", "0001_initial"),
        ("hubs", "0001_initial"),
        ("sources", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
