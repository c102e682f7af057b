"""A creation date that follows `grants.workflow.clock`.

The demo replays its history inside `clock(moment)`: a dossier started, a deal asked for or a
listing written then is dated then, as the steps that follow it are, with no row rewritten
afterwards. Outside a clock it is Django's `auto_now_add`: the moment the row is saved."""

from django.db import models


class CreatedAtField(models.DateTimeField):
    """`DateTimeField(auto_now_add=True)` on the workflow's clock.

    The column and the migration state are those of Django's field (`deconstruct` names it),
    so changing an `auto_now_add` field to this one needs no migration."""

    def __init__(self, *args, **kwargs):
        kwargs["auto_now_add"] = True
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        if not add:
            return super().pre_save(model_instance, add)
        from grants.workflow import current_time

        value = current_time()
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs
