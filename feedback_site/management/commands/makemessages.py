"""Django's makemessages, limited to what the public and staff outside the admin read: the
admin stays in English (feedback_site.language.LocaleMiddleware), so its Python and templates
stay out of the catalogue, as do tests and other projects' files. `make messages` runs it."""

from django.core.management.commands import makemessages

NOT_TRANSLATED = [
    "admin",  # templates/admin/ and workshops/admin/
    "admin.py",
    "admin_site.py",
    "tests",
    "node_modules",
    "build",
    "staticfiles",
    "media",
    "backups",
]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options["ignore_patterns"], *NOT_TRANSLATED]
        # Strings no longer used leave the catalogue rather than linger as obsolete entries.
        options["no_obsolete"] = True
        options["add_location"] = options["add_location"] or "file"
        super().handle(*args, **options)
