"""Score the suggestion engine on a labelled file, each workshop left out in turn."""

import json

from django.core.management.base import BaseCommand, CommandError

from workshops.suggestion_evaluation import LabelledFileError, evaluate, read_labelled

LABELS = {
    "notes": "Notes scored",
    "sure_share": "Sure about (share of notes)",
    "sure_accuracy": "First area right when sure",
    "top1_accuracy": "First area right",
    "top2_accuracy": "Right area in the first two",
    "repeats_precision": "Repeats: pairwise precision",
    "repeats_recall": "Repeats: pairwise recall",
    "recurring_links": "Recurring-theme links scored",
    "recurring_top3": "Right recurring theme in the first three",
}


class Command(BaseCommand):
    help = (
        "Score suggested areas, repeats and recurring themes on a labelled JSON file, "
        "training on all workshops but one and scoring that one, in turn. "
        "Touches no database."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="labelled workshops in the JSON format of issue 16")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        try:
            data = read_labelled(options["file"])
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}") from None
        except LabelledFileError as error:
            raise CommandError(f"{options['file']}, {error}") from None
        figures = evaluate(data)
        if options["json"]:
            self.stdout.write(json.dumps(figures, sort_keys=True))
            return
        width = max(len(label) for label in LABELS.values())
        for key, label in LABELS.items():
            value = figures[key]
            shown = f"{value}" if isinstance(value, int) else f"{value:.3f}"
            self.stdout.write(f"{label:<{width}}  {shown}")
