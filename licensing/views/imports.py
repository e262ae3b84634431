"""L6: CSV import of entitlements — upload, preview, confirm — for resellers in the portal
and for staff in the admin (EntitlementAdmin.get_urls). Views stay thin: licensing.imports
reads, checks and writes."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.decorators import reseller_view
from accounts.models import Site
from licensing import imports, selectors
from licensing.models import ImportBatch
from licensing.views.common import now, scope_batch, today
from portal.core.pagination import paginate

ADMIN_PERMISSION = "licensing.add_entitlement"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8, comma or semicolon separated, at most 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("", gettext_lazy("Detect from the header row")), *ImportBatch.Format.choices],
        required=False,
    )
    site = forms.ModelChoiceField(
        label=gettext_lazy("Site"),
        queryset=Site.objects.none(),
        to_field_name="number",
        required=False,
        help_text=gettext_lazy(
            "Required for a Snipe-IT export (it has no site numbers); also used for rows "
            "without a site number."
        ),
        error_messages={"invalid_choice": gettext_lazy("Unknown site.")},
    )

    def __init__(self, *args, sites, site_as_number: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        if site_as_number:  # staff: every site, too many for a list
            self.fields["site"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
            self.fields["site"].label = _("Site number")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Check the file")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        refusal = imports.upload_refusal(upload)
        if refusal:
            raise ValidationError(refusal)
        return upload


class ImportConfirmForm(forms.Form):
    """An empty form: a POST with a CSRF token imports the previewed file."""

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", _("Import now")))


def _upload(request, form, *, reseller):
    """Check the upload; the new batch, or None with the refusal on the form."""
    data = form.cleaned_data
    try:
        return imports.batch_upload(
            upload=data["file"],
            actor=request.user,
            reseller=reseller,
            site=data["site"],
            file_format=data["file_format"],
            as_of=today(),
        )
    except ValidationError as error:
        form.add_error("file", error)
        return None


def _confirm(request, batch) -> None:
    try:
        state = imports.batch_import_or_queue(batch=batch, actor=request.user, now=now())
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return
    if state == ImportBatch.State.IMPORTED:
        batch.refresh_from_db(fields=["order_count", "entitlement_count"])
        messages.success(
            request,
            _("The file was imported: %(orders)s and %(entitlements)s.")
            % {
                "orders": ngettext("%(count)s order", "%(count)s orders", batch.order_count)
                % {"count": batch.order_count},
                "entitlements": ngettext(
                    "%(count)s entitlement", "%(count)s entitlements", batch.entitlement_count
                )
                % {"count": batch.entitlement_count},
            },
        )
    elif state == ImportBatch.State.QUEUED:
        messages.info(request, _("The file is being imported. This page updates by itself."))
    else:
        messages.error(
            request, _("Nothing was imported: the file is no longer valid. See the errors below.")
        )


def _columns_context() -> dict:
    return {
        "native_columns": imports.NATIVE_COLUMNS,
        "snipeit_columns": imports.SNIPEIT_COLUMNS,
        "max_megabytes": imports.MAX_UPLOAD_BYTES // 1024 // 1024,
        "max_rows": f"{imports.MAX_ROWS:,}",
    }


# --- the portal: reseller users (A4: their reseller's imports and sites only) -----------------


@reseller_view
def import_upload(request):
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        sites=selectors.import_sites_for_user(request.user).order_by("number"),
    )
    if request.method == "POST" and form.is_valid():
        batch = _upload(request, form, reseller=request.user.reseller)
        if batch is not None:
            return redirect("licensing:import_preview", batch_id=batch.pk)
    page = paginate(request, selectors.batches_for_user(request.user))
    return render(
        request,
        "licensing/import_upload.html",
        {"form": form, "page": page, **_columns_context()},
    )


@reseller_view(methods=("GET",), scope=scope_batch)
def import_preview(request, batch_id: int):
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id)
    confirm = ImportConfirmForm(action=reverse("licensing:import_confirm", args=[batch.pk]))
    return render(
        request,
        "licensing/import_preview.html",
        {"batch": batch, "confirm_form": confirm, "summary": batch.summary},
    )


@reseller_view(methods=("POST",), scope=scope_batch)
def import_confirm(request, batch_id: int):
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id)
    _confirm(request, batch)
    return redirect("licensing:import_preview", batch_id=batch.pk)


# --- the admin: staff with the "add entitlement" permission ----------------------------------


def _admin_context(request, model_admin, **extra) -> dict:
    if not request.user.has_perm(ADMIN_PERMISSION):
        raise PermissionDenied
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **extra,
    }


def admin_import_upload(request, model_admin):
    context = _admin_context(request, model_admin, title=_("Import entitlements"))
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        sites=selectors.import_sites_for_user(request.user),
        site_as_number=True,
    )
    if request.method == "POST" and form.is_valid():
        batch = _upload(request, form, reseller=None)
        if batch is not None:
            return redirect("admin:licensing_entitlement_import_preview", batch_id=batch.pk)
    page = paginate(request, selectors.batches_for_user(request.user))
    return TemplateResponse(
        request,
        "licensing/import_admin_upload.html",
        {**context, "form": form, "page": page, **_columns_context()},
    )


def admin_import_preview(request, model_admin, batch_id: int):
    context = _admin_context(request, model_admin)
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return TemplateResponse(
        request,
        "licensing/import_admin_preview.html",
        {
            **context,
            "title": _("Import %(name)s") % {"name": batch.original_name},
            "batch": batch,
            "summary": batch.summary,
            "confirm_url": reverse("admin:licensing_entitlement_import_confirm", args=[batch.pk]),
        },
    )


def admin_import_confirm(request, model_admin, batch_id: int):
    _admin_context(request, model_admin)
    batch = selectors.batch_get_for_user(user=request.user, batch_id=batch_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _confirm(request, batch)
    return redirect("admin:licensing_entitlement_import_preview", batch_id=batch.pk)
