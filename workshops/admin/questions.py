"""Open questions: acknowledged, answered or closed within their deadlines."""

from django import forms
from django.contrib import admin, messages
from django.template.defaultfilters import date as format_date
from django.utils.html import format_html
from django.utils.translation import ngettext

from workshops.models import AnswerToReview, Contribution, OpenQuestion
from workshops.services import (
    OUT_OF_ORDER,
    QuestionClosureError,
    question_acknowledge,
    question_answer,
    question_close,
)


class QuestionOutcomeForm(forms.ModelForm):
    """What to do with an open question: routing happens by creating an action from it."""

    outcome = forms.ChoiceField(
        choices=[
            ("acknowledge", "Acknowledge it: someone is looking into it"),
            ("answer", "Answer it"),
            ("close", "Close it with a reason"),
        ],
        widget=forms.RadioSelect,
        help_text="To route it, create an action from it in the contribution list.",
    )
    answer_text = forms.CharField(
        label="Answer", required=False, widget=forms.Textarea, help_text="Published."
    )
    reason = forms.CharField(
        label="Reason for closing",
        required=False,
        widget=forms.Textarea,
        help_text="Published. For example, why the question cannot be answered.",
    )
    out_of_order_reason = forms.CharField(
        label="Answered out of order because",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when older questions of this workshop are still open. Published.",
    )

    class Meta:
        model = OpenQuestion
        fields = []

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == "answer" and not cleaned.get("answer_text", "").strip():
            self.add_error("answer_text", "Enter an answer")
        if outcome == "close" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter the reason for closing the question")
        if (
            outcome in ("answer", "close")
            and not cleaned.get("out_of_order_reason", "").strip()
            and Contribution.objects.asked_before(self.instance).exists()
        ):
            self.add_error("out_of_order_reason", OUT_OF_ORDER)
        return cleaned


@admin.register(OpenQuestion)
class OpenQuestionAdmin(admin.ModelAdmin):
    """Questions not yet closed, oldest first, with their age and deadlines in working days."""

    form = QuestionOutcomeForm
    # Few, narrow columns, so that the last one (whether it is overdue) is never cut off.
    list_display = [
        "__str__",
        "workshop",
        "entered_at",
        "who_asked",
        "age",
        "next_deadline",
        "state",
    ]
    list_select_related = ["group__workshop"]
    list_filter = [("group__workshop", admin.RelatedOnlyFieldListFilter), "channel"]
    search_fields = ["text"]
    readonly_fields = ["text", "group", "channel", "who_asked", "entered_at", "acknowledged_at"]
    fields = [
        "text",
        "group",
        "channel",
        "who_asked",
        "entered_at",
        "acknowledged_at",
        "outcome",
        "answer_text",
        "reason",
        "out_of_order_reason",
    ]
    actions = ["acknowledge_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).questions_open().order_by("entered_at", "pk")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Workshop", ordering="group__workshop__title")
    def workshop(self, question):
        return question.group.workshop

    @admin.display(description="Asked by")
    def who_asked(self, question):
        """Who asked, as given; never the email address of someone asking online."""
        return question.asked_by or "Anonymous"

    @admin.display(description="Age")
    def age(self, question):
        days = question.days_waiting()
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}

    @admin.display(description="Next deadline")
    def next_deadline(self, question):
        if question.acknowledged_at is None:
            return f"Acknowledge by {format_date(question.acknowledge_by)}"
        return f"Close by {format_date(question.close_by)}"

    @admin.display(description="Status")
    def state(self, question):
        """Overdue in words and in red: a green tick read as "all is well"."""
        if question.is_question_overdue():
            return format_html('<strong class="app-admin-overdue">{}</strong>', "Overdue")
        return "Acknowledged" if question.acknowledged_at is not None else "Not acknowledged"

    class Media:
        css = {"all": ["css/admin.css"]}

    def save_model(self, request, obj, form, change):
        outcome = form.cleaned_data["outcome"]
        out_of_order_reason = form.cleaned_data["out_of_order_reason"]
        try:
            if outcome == "answer":
                question_answer(
                    question=obj,
                    by=request.user,
                    answer=form.cleaned_data["answer_text"],
                    out_of_order_reason=out_of_order_reason,
                )
            elif outcome == "close":
                question_close(
                    question=obj,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    out_of_order_reason=out_of_order_reason,
                )
            else:
                question_acknowledge(question=obj, by=request.user)
        except QuestionClosureError as error:
            self.message_user(request, str(error), messages.ERROR)

    def save_related(self, request, form, formsets, change):
        """Nothing related changes: the outcome is recorded by the services alone."""

    @admin.action(description="Acknowledge selected questions")
    def acknowledge_selected(self, request, queryset):
        for question in queryset.filter(acknowledged_at__isnull=True):
            question_acknowledge(question=question, by=request.user)
        self.message_user(request, "Questions acknowledged", messages.SUCCESS)


class AnswerReviewForm(forms.ModelForm):
    answer_text = forms.CharField(
        label="Answer",
        widget=forms.Textarea,
        help_text="The owner's answer: correct it if needed. Published, and sent to the asker "
        "if they gave an email address.",
    )

    class Meta:
        model = AnswerToReview
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer_text"].initial = self.instance.proposed_answer


@admin.register(AnswerToReview)
class AnswerToReviewAdmin(admin.ModelAdmin):
    """Answers owners gave on their action's page to questions routed to it: saving publishes
    the answer. Organisations trusted to publish their own answers never appear here."""

    form = AnswerReviewForm
    list_display = ["__str__", "workshop", "proposed_answer_by", "proposed_answer_at"]
    list_select_related = ["group__workshop", "proposed_answer_by"]
    readonly_fields = ["text", "group", "proposed_answer_by", "proposed_answer_at"]
    fields = ["text", "group", "proposed_answer_by", "proposed_answer_at", "answer_text"]

    def get_queryset(self, request):
        return super().get_queryset(request).answers_to_review()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Workshop", ordering="group__workshop__title")
    def workshop(self, question):
        return question.group.workshop

    def save_model(self, request, obj, form, change):
        try:
            question_answer(question=obj, by=request.user, answer=form.cleaned_data["answer_text"])
        except QuestionClosureError as error:
            self.message_user(request, str(error), messages.ERROR)

    def save_related(self, request, form, formsets, change):
        """Nothing related changes: publishing is recorded by the service alone."""
