"""Forms for PoCs, decisions, stage moves, contracts and the list's filters."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workmate.accounts.models import Team, User
from workmate.pipeline.models import Decision, Source, Stage
from workmate.pipeline.services import MAX_CRITERIA, CriterionIn
from workmate.work.forms import DateInput
from workmate.work.models import Project, ProjectTemplate, Task

MET_CHOICES = [
    ("", _("Not yet")),
    ("yes", pgettext_lazy("success criterion", "Met")),
    ("no", pgettext_lazy("success criterion", "Not met")),
]


def division_people():
    return (
        User.objects.filter(is_active=True, memberships__isnull=False)
        .distinct()
        .order_by("full_name")
    )


class PoCForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    idea = forms.CharField(label=_("The idea"), widget=forms.Textarea(attrs={"rows": 3}))
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all())
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    believe = forms.CharField(
        label=_("We believe"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. that moving nightly backups to the new object storage"),
    )
    will = forms.CharField(
        label=_("will"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. halve the storage bill without slower restores"),
    )
    measured_by = forms.CharField(
        label=_("measured by"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. the monthly invoice and a timed restore drill"),
    )
    starts_on = forms.DateField(label=_("Time box starts"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Time box ends"), required=False, widget=DateInput())
    # A quadrillion won: far above any PoC, far below what the database column holds.
    budget_krw = forms.IntegerField(
        label=_("Budget (KRW)"), required=False, min_value=0, max_value=10**15
    )
    actual_cost_krw = forms.IntegerField(
        label=_("Actual cost (KRW)"), required=False, min_value=0, max_value=10**15
    )
    project = forms.ModelChoiceField(
        label=_("Linked project"), queryset=Project.objects.none(), required=False
    )
    tasks = forms.ModelMultipleChoiceField(
        label=_("Linked tasks"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tasks of the linked project; save the project first to choose them."),
    )

    def __init__(self, *args: object, user: User, poc=None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].queryset = division_people()  # type: ignore[attr-defined]
        self.fields["project"].queryset = (  # type: ignore[attr-defined]
            Project.objects.visible_to(user).active().order_by("name")
        )
        # The linked project's top-level tasks, and those already linked (as the person may
        # see them): the project's list, not every task in the company.
        if poc is not None and poc.project_id is not None:
            self.fields["tasks"].queryset = (  # type: ignore[attr-defined]
                Task.objects.visible_to(user)
                .filter(Q(project_id=poc.project_id, parent__isnull=True) | Q(pocs=poc))
                .distinct()
                .order_by("position", "pk")
            )
        for index in range(MAX_CRITERIA):
            self.fields[f"criterion_{index}"] = forms.CharField(
                label=_("Criterion %(n)d") % {"n": index + 1}, max_length=300, required=False
            )
            self.fields[f"target_{index}"] = forms.CharField(
                label=_("Target"), max_length=200, required=False
            )
            self.fields[f"result_{index}"] = forms.CharField(
                label=_("Measured result"), max_length=200, required=False
            )
            self.fields[f"met_{index}"] = forms.ChoiceField(
                label=_("Met?"), choices=MET_CHOICES, required=False
            )

    def criteria_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{name}_{index}"] for name in ("criterion", "target", "result", "met")]
            for index in range(MAX_CRITERIA)
        ]

    def criteria(self) -> list[CriterionIn]:
        data = self.cleaned_data
        rows = []
        for index in range(MAX_CRITERIA):
            met = data.get(f"met_{index}")
            rows.append(
                CriterionIn(
                    description=data.get(f"criterion_{index}", ""),
                    target=data.get(f"target_{index}", ""),
                    result=data.get(f"result_{index}", ""),
                    met={"yes": True, "no": False}.get(met or ""),
                )
            )
        return rows

    @classmethod
    def initial_for(cls, poc) -> dict:
        initial = {
            "title": poc.title,
            "idea": poc.idea,
            "team": poc.team_id,
            "owner": poc.owner_id,
            "believe": poc.believe,
            "will": poc.will,
            "measured_by": poc.measured_by,
            "starts_on": poc.starts_on,
            "ends_on": poc.ends_on,
            "budget_krw": poc.budget_krw,
            "actual_cost_krw": poc.actual_cost_krw,
            "project": poc.project_id,
            "tasks": [task.pk for task in poc.tasks.all()],
        }
        for index, criterion in enumerate(poc.criteria.all()):
            initial[f"criterion_{index}"] = criterion.description
            initial[f"target_{index}"] = criterion.target
            initial[f"result_{index}"] = criterion.result
            initial[f"met_{index}"] = {True: "yes", False: "no"}.get(criterion.met, "")
        return initial

    def fields_for_service(self) -> dict:
        names = [
            "title",
            "idea",
            "team",
            "owner",
            "believe",
            "will",
            "measured_by",
            "starts_on",
            "ends_on",
            "budget_krw",
            "actual_cost_krw",
            "project",
        ]
        return {name: self.cleaned_data[name] for name in names}


class NewPoCForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    idea = forms.CharField(label=_("The idea"), widget=forms.Textarea(attrs={"rows": 4}))
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all())
    suggested_by = forms.ModelChoiceField(
        label=_("Whose idea"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("The colleague it came from, if not you."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["suggested_by"].queryset = division_people()  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    context = forms.CharField(
        label=_("Context and problem"), widget=forms.Textarea(attrs={"rows": 3})
    )
    options = forms.CharField(
        label=_("Options considered"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    outcome = forms.CharField(
        label=_("Chosen option and why"), widget=forms.Textarea(attrs={"rows": 3})
    )
    consequences = forms.CharField(
        label=_("Consequences"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Good and bad: what becomes easier, what harder."),
    )
    revisit_on = forms.DateField(label=_("Revisit on"), widget=DateInput(), required=False)


class DropForm(forms.Form):
    reason = forms.CharField(
        label=_("Why drop it"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AdvanceForm(forms.Form):
    """The links a step forward needs; which ones a page shows depends on the stage."""

    to_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    project_template = forms.ModelChoiceField(
        label=_("Project template"), queryset=ProjectTemplate.objects.none(), required=False
    )
    adopted_by = forms.ModelMultipleChoiceField(
        label=_("Teams that adopted it"),
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from workmate.work.templating import templates_for

        self.fields["project_template"].queryset = ProjectTemplate.objects.filter(  # type: ignore[attr-defined]
            pk__in=templates_for(user).values("pk")
        ).order_by("name")


class ContractForm(forms.Form):
    vendor = forms.CharField(label=_("Vendor"), max_length=200)
    service = forms.CharField(label=_("Service"), max_length=200)
    contracted_on = forms.DateField(label=_("Contract date"), widget=DateInput())
    account_manager = forms.CharField(label=_("Account manager"), max_length=200)
    account_manager_email = forms.EmailField(label=_("Account manager's e-mail"), required=False)
    notes = forms.CharField(
        label=_("What it offers"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    team = forms.ModelChoiceField(label=_("Reviewing team"), queryset=Team.objects.all())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        nbd = Team.objects.filter(code=settings.PIPELINE_TEAM).first()
        if nbd is not None:
            self.fields["team"].initial = nbd.pk


class ListFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("Any stage")), *Stage.choices], required=False
    )
    source = forms.ChoiceField(
        label=_("Came from"), choices=[("", _("Anywhere")), *Source.choices], required=False
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("Any team")
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    q = forms.CharField(label=_("Search"), max_length=100, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].queryset = division_people()  # type: ignore[attr-defined]
