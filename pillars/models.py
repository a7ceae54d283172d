"""The policy's structure and commitments, and the stored slip indicators.

Values are cumulative floats: the indicator arithmetic is floating point
anyway, and the figures are counts, percentages and budget amounts that need
no more than double precision.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import URIField
from core.models import PublicChange, Revisioned
from sources.choices import Basis, Confidence

from .choices import EvidenceKind, TargetKind
from .validation import measurement_errors, milestone_errors, target_errors

if TYPE_CHECKING:
    from hubs.models import Hub
    from indicators.compute import MilestoneIndicators, TargetIndicators
    from sources.models import Source


def _reason_field() -> models.TextField[str | None, str | None]:
    """The history's "why": an editor's reason is shown to readers, so it is not cut at 100 characters."""
    return models.TextField(null=True, blank=True)


class Policy(models.Model):
    """A national policy whose commitments the portal tracks (today: Pakistan's National AI Policy 2025)."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=100)
    approved_on = models.DateField(_("approved on"))
    approved_by = models.CharField(_("approved by"), max_length=200, blank=True)
    drafted_by = models.CharField(_("drafted by"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Karachi", help_text=_("Every day is counted in this time zone.")
    )
    summary = models.TextField(_("summary"), blank=True)
    binding = models.BooleanField(_("legally binding"), default=False)
    primary_text_available = models.BooleanField(
        _("primary text available"),
        default=False,
        help_text=_("False when every figure comes from press coverage rather than the policy text itself."),
    )
    sources = models.ManyToManyField("sources.Source", related_name="policies", blank=True, verbose_name=_("sources"))

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return self.name


class Pillar(Revisioned):
    """One of the policy's six pillars, the unit by which progress is rolled up."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="pillars", verbose_name=_("policy"))
    number = models.PositiveSmallIntegerField(_("number"))
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(
        _("other names"), default=list, blank=True, help_text=_("Labels other outlets use for this pillar.")
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    lead_body = models.CharField(_("lead body"), max_length=200, blank=True)
    confidence = models.CharField(_("confidence"), max_length=2, choices=Confidence.choices, default=Confidence.A)
    sources = models.ManyToManyField("sources.Source", related_name="pillars", blank=True, verbose_name=_("sources"))
    history = HistoricalRecords(history_change_reason_field=_reason_field())

    class Meta:
        ordering = ["number"]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="%(app_label)s_%(class)s_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Risk(models.Model):
    """A risk to delivery raised in public (weak enforcement, no data-protection law, ...)."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="risks", verbose_name=_("policy"))
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    confidence = models.CharField(_("confidence"), max_length=2, choices=Confidence.choices, default=Confidence.A)
    sources = models.ManyToManyField("sources.Source", related_name="risks", blank=True, verbose_name=_("sources"))

    class Meta:
        ordering = ["position", "title_en"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self) -> str:
        return self.title


class Target(Revisioned):
    """A numeric commitment measured cumulatively from a baseline to a deadline.

    Per-year commitments ("200,000 trained a year") are cumulative targets whose
    trajectory has one point per year, so that slip is measured the same way
    for every target; `rate_per_year` keeps the yearly figure for display.
    """

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="targets", verbose_name=_("policy"))
    # Null for policy-wide outcomes (GDP share, jobs) that no pillar owns.
    pillar = models.ForeignKey(
        Pillar, on_delete=models.PROTECT, related_name="targets", null=True, blank=True, verbose_name=_("pillar")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TargetKind.choices, default=TargetKind.COMMITMENT)
    code = models.SlugField(
        _("code"), max_length=60, unique=True, help_text=_("A stable identifier, e.g. p2-trained-per-year.")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible_body = models.CharField(_("responsible body"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=60, help_text=_("What is counted, e.g. people, scholarships, %."))
    value_can_be_negative = models.BooleanField(
        _("values can be negative"), default=False, help_text=_("Leave off for counts, amounts and shares.")
    )
    baseline_value = models.FloatField(_("baseline value"))
    baseline_date = models.DateField(_("baseline date"))
    baseline_basis = models.CharField(_("baseline is"), max_length=8, choices=Basis.choices, default=Basis.ASSUMED)
    target_value = models.FloatField(_("target value"))
    target_date = models.DateField(_("deadline"))
    deadline_basis = models.CharField(_("deadline is"), max_length=8, choices=Basis.choices, default=Basis.STATED)
    basis_note = models.TextField(
        _("why assumed"), blank=True, help_text=_("Explain every assumed baseline or deadline in plain words.")
    )
    rate_per_year = models.FloatField(
        _("commitment per year"),
        null=True,
        blank=True,
        help_text=_("For per-year commitments only: the yearly figure the policy states."),
    )
    reporting_interval_days = models.PositiveIntegerField(
        _("reporting interval (days)"),
        default=90,
        help_text=_("How often a new figure is expected; twice this without one marks the target stale."),
    )
    # From this date the baseline and the deadline are the public promise: nobody edits
    # them any more, a superuser re-baselines (see Rebaseline). Null: a draft, still editable.
    published_on = models.DateField(
        _("published on"),
        null=True,
        blank=True,
        help_text=_("Once published, the baseline and the deadline are locked; only a superuser can re-baseline."),
    )
    confidence = models.CharField(_("confidence"), max_length=2, choices=Confidence.choices, default=Confidence.A)
    disputed = models.BooleanField(_("sources conflict"), default=False)
    hubs = models.ManyToManyField("hubs.Hub", related_name="targets", blank=True, verbose_name=_("hubs"))
    sources = models.ManyToManyField("sources.Source", related_name="targets", blank=True, verbose_name=_("sources"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(
        bases=[PublicChange], excluded_fields=["updated_at"], history_change_reason_field=_reason_field()
    )

    # Set by the selectors on the rows they return, never stored (absent on a plain instance):
    #: the indicators as of the date asked for (`indicators.selectors.target_list`); None: invalid definition.
    indicators: TargetIndicators | None
    #: whether the figure those indicators rest on is illustrative (`pillars.selectors.mark_illustrative`).
    illustrative: bool
    #: prefetched relations (`pillars.selectors.target_relations`), in the order pages and the API show them.
    hub_list: list[Hub]
    source_list: list[Source]
    point_list: list[TrajectoryPoint]
    rebaseline_list: list[Rebaseline]

    class Meta:
        ordering = ["code"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=~Q(target_value=F("baseline_value")), name="%(app_label)s_%(class)s_value_moves"
            ),
            models.CheckConstraint(
                condition=Q(target_date__gt=F("baseline_date")), name="%(app_label)s_%(class)s_deadline_after_baseline"
            ),
            models.CheckConstraint(
                condition=Q(reporting_interval_days__gt=0), name="%(app_label)s_%(class)s_interval_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def clean(self) -> None:
        # The interim points are checked with the curve they belong to, by
        # services.target_save and the admin's trajectory formset.
        errors = target_errors(
            baseline_value=self.baseline_value,
            baseline_date=self.baseline_date,
            target_value=self.target_value,
            target_date=self.target_date,
            value_can_be_negative=self.value_can_be_negative,
        )
        if errors:
            raise ValidationError(errors)

    @property
    def direction(self) -> int:
        """+1 when the target must rise, -1 when it must fall (derived from the values)."""
        return 1 if self.target_value > self.baseline_value else -1

    @property
    def planned_points(self) -> list[TrajectoryPoint]:
        """The interim points by date: prefetched (`point_list`) when a selector read them, else a query."""
        if "point_list" in self.__dict__:
            return self.point_list
        return list(self.trajectory_points.all()) if self.pk is not None else []  # ordered by date (Meta)

    @cached_property
    def latest_rebaseline(self) -> Rebaseline | None:
        """The re-baseline in force (the latest): prefetched (`rebaseline_list`) when a selector read them."""
        if self.pk is None:
            return None
        rows = self.rebaseline_list if "rebaseline_list" in self.__dict__ else list(self.rebaselines.all())
        return max(rows, key=lambda r: (r.created_at, r.pk)) if rows else None

    @property
    def current_baseline_value(self) -> float:
        latest = self.latest_rebaseline
        return self.baseline_value if latest is None or latest.new_baseline_value is None else latest.new_baseline_value

    @property
    def current_baseline_date(self) -> dt.date:
        latest = self.latest_rebaseline
        return self.baseline_date if latest is None or latest.new_baseline_date is None else latest.new_baseline_date

    @property
    def current_target_value(self) -> float:
        latest = self.latest_rebaseline
        return self.target_value if latest is None or latest.new_target_value is None else latest.new_target_value

    @property
    def current_target_date(self) -> dt.date:
        latest = self.latest_rebaseline
        return self.target_date if latest is None or latest.new_target_date is None else latest.new_target_date


class TrajectoryPoint(models.Model):
    """An interim point of a target's planned curve, e.g. 400,000 trained by the end of year two."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="trajectory_points", verbose_name=_("target")
    )
    date = models.DateField(_("date"))
    value = models.FloatField(_("cumulative value"))
    history = HistoricalRecords(history_change_reason_field=_reason_field())

    class Meta:
        ordering = ["target", "date"]
        verbose_name = _("trajectory point")
        verbose_name_plural = _("trajectory points")
        constraints = [
            models.UniqueConstraint(fields=["target", "date"], name="%(app_label)s_%(class)s_one_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.value:g}"


class Measurement(Revisioned):
    """A reported cumulative value of a target on a date, with its source."""

    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("target"))
    date = models.DateField(_("date"))
    value = models.FloatField(_("cumulative value"))
    source_url = URIField(_("source address"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    illustrative = models.BooleanField(
        _("illustrative"), default=False, help_text=_("Made up for a demonstration, not a reported figure.")
    )
    # A published figure found wrong is withdrawn, never deleted: it stays in the public record, struck
    # through with the reason, and stops counting from this date (replays of earlier dates still see it).
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("why it was withdrawn"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)
    history = HistoricalRecords(bases=[PublicChange], history_change_reason_field=_reason_field())

    class Meta:
        ordering = ["target", "date"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            # indicators.md: "a target has at most one measurement per date".
            models.UniqueConstraint(fields=["target", "date"], name="%(app_label)s_%(class)s_one_per_date"),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | ~Q(withdrawal_reason=""),
                name="%(app_label)s_%(class)s_withdrawal_has_reason",
            ),
        ]
        indexes = [
            # Answers "did any illustrative figure stand on this date?" without reading the reported ones.
            models.Index(fields=["date"], condition=Q(illustrative=True), name="pillars_figure_illustrative"),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} {self.date}: {self.value:g}"

    def clean(self) -> None:
        if self.target_id is None:
            return
        errors = measurement_errors(target=self.target, date=self.date, value=self.value)
        if errors:
            raise ValidationError(errors)


class Milestone(Revisioned):
    """A dated deliverable: the National AI Fund set up, the AI Council notified, ..."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="milestones", verbose_name=_("policy"))
    # Null for cross-cutting governance milestones (the AI Council) that no pillar owns.
    pillar = models.ForeignKey(
        Pillar, on_delete=models.PROTECT, related_name="milestones", null=True, blank=True, verbose_name=_("pillar")
    )
    target = models.ForeignKey(
        Target, on_delete=models.PROTECT, related_name="milestones", null=True, blank=True, verbose_name=_("target")
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible_body = models.CharField(_("responsible body"), max_length=200, blank=True)
    announced_on = models.DateField(
        _("announced on"), help_text=_("When the commitment was made; nothing can be completed before it.")
    )
    baseline_due_date = models.DateField(_("baseline due date"))
    due_basis = models.CharField(_("due date is"), max_length=8, choices=Basis.choices, default=Basis.STATED)
    basis_note = models.TextField(_("why assumed"), blank=True)
    forecast_due_date = models.DateField(_("forecast due date"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    # As on Target: from this date the baseline due date is locked.
    published_on = models.DateField(
        _("published on"),
        null=True,
        blank=True,
        help_text=_("Once published, the baseline due date is locked; only a superuser can re-baseline."),
    )
    confidence = models.CharField(_("confidence"), max_length=2, choices=Confidence.choices, default=Confidence.A)
    hubs = models.ManyToManyField("hubs.Hub", related_name="milestones", blank=True, verbose_name=_("hubs"))
    sources = models.ManyToManyField("sources.Source", related_name="milestones", blank=True, verbose_name=_("sources"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(
        bases=[PublicChange], excluded_fields=["updated_at"], history_change_reason_field=_reason_field()
    )

    # Set by the selectors on the rows they return, never stored (see Target):
    indicators: MilestoneIndicators | None
    hub_list: list[Hub]
    source_list: list[Source]
    evidence_list: list[MilestoneEvidence]
    rebaseline_list: list[Rebaseline]

    class Meta:
        ordering = ["baseline_due_date", "code"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("announced_on")),
                name="%(app_label)s_%(class)s_completed_after_announced",
            ),
            models.CheckConstraint(
                condition=Q(cancelled=True) | Q(cancelled_on__isnull=True),
                name="%(app_label)s_%(class)s_cancelled_on_needs_cancelled",
            ),
            models.CheckConstraint(
                condition=~(Q(cancelled=True) & Q(completed_on__isnull=False)),
                name="%(app_label)s_%(class)s_not_completed_and_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = milestone_errors(
            announced_on=self.announced_on,
            baseline_due_date=self.baseline_due_date,
            completed_on=self.completed_on,
            cancelled=self.cancelled,
            cancelled_on=self.cancelled_on,
        )
        if errors:
            raise ValidationError(errors)

    @property
    def current_baseline_due_date(self) -> dt.date:
        """The due date in force: the latest re-baseline's, else the original (prefetched as `rebaseline_list`)."""
        if "rebaseline_list" in self.__dict__:
            rows = self.rebaseline_list
        else:
            rows = list(self.rebaselines.all()) if self.pk is not None else []
        if not rows:
            return self.baseline_due_date
        latest = max(rows, key=lambda r: (r.created_at, r.pk))
        return latest.new_due_date or self.baseline_due_date


class MilestoneEvidence(models.Model):
    """A dated, cited fact about a milestone's progress (an audit, a press report, a notification)."""

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("milestone")
    )
    date = models.DateField(_("date"), help_text=_("When the reported fact was true or published."))
    kind = models.CharField(_("kind"), max_length=12, choices=EvidenceKind.choices, default=EvidenceKind.REPORT)
    summary = models.TextField(_("what it says"))
    source = models.ForeignKey(
        "sources.Source",
        on_delete=models.PROTECT,
        related_name="evidence",
        null=True,
        blank=True,
        verbose_name=_("source"),
    )
    document = models.FileField(_("document"), upload_to="evidence/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)
    history = HistoricalRecords(history_change_reason_field=_reason_field())

    class Meta:
        ordering = ["milestone", "date"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return f"{self.date}: {self.summary[:60]}"


class Rebaseline(models.Model):
    """A superuser's re-baselining of a published target or milestone: old and new values, who, when and why.

    Rows are never changed nor deleted: they are the public record of every moved
    goalpost. The target's or milestone's own `baseline_*` fields keep the
    original promise (and the indicators are computed against it); the latest
    row holds the baseline in force (`Target.current_baseline_value`, ...).
    """

    target = models.ForeignKey(
        Target, on_delete=models.PROTECT, null=True, blank=True, related_name="rebaselines", verbose_name=_("target")
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rebaselines",
        verbose_name=_("milestone"),
    )
    # Targets: the baseline and the deadline in force before and after.
    old_baseline_value = models.FloatField(_("old baseline value"), null=True, blank=True)
    new_baseline_value = models.FloatField(_("new baseline value"), null=True, blank=True)
    old_baseline_date = models.DateField(_("old baseline date"), null=True, blank=True)
    new_baseline_date = models.DateField(_("new baseline date"), null=True, blank=True)
    old_target_value = models.FloatField(_("old target value"), null=True, blank=True)
    new_target_value = models.FloatField(_("new target value"), null=True, blank=True)
    old_target_date = models.DateField(_("old deadline"), null=True, blank=True)
    new_target_date = models.DateField(_("new deadline"), null=True, blank=True)
    # Milestones: the due date in force before and after.
    old_due_date = models.DateField(_("old due date"), null=True, blank=True)
    new_due_date = models.DateField(_("new due date"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), help_text=_("When the new baseline was decided or announced."))
    reason = models.TextField(_("reason"))
    source = models.ForeignKey(
        "sources.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rebaselines",
        verbose_name=_("source"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("re-baselined by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords(history_change_reason_field=_reason_field())

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("re-baseline")
        verbose_name_plural = _("re-baselines")
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=False, milestone__isnull=True)
                | Q(target__isnull=True, milestone__isnull=False),
                name="%(app_label)s_%(class)s_target_or_milestone",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_has_reason"),
        ]

    def __str__(self) -> str:
        return f"re-baseline of {self.target_id or self.milestone_id} on {self.decided_on}"
